package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Patron is a registered library user.
type Patron struct {
	ID         int64
	Card       string // 9 digits
	Name       string
	NameYomi   string
	BirthDate  string // YYYY-MM-DD
	Address    string
	Phone      string
	Mobile     string
	Email      string
	HomeBranch string
	// Category is the patron's category for the loan rules (R54); ""
	// is the first category of the configuration.
	Category string
	// Expiry is the last day the card is valid, YYYY-MM-DD; "" for a
	// card that does not expire.
	Expiry string
}

// AddPatron inserts a patron inside the caller's transaction. The password
// is temporary and issued now.
func AddPatron(ctx context.Context, tx *sql.Tx, p *Patron, now time.Time) error {
	var home any
	if p.HomeBranch != "" {
		home = p.HomeBranch
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO patrons(card, name, name_yomi, birth_date, address, phone,
		mobile, email, home_branch, category, expiry, password_issued_at, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		p.Card, p.Name, p.NameYomi, p.BirthDate, p.Address, p.Phone, p.Mobile, p.Email, home, p.Category, p.Expiry,
		fmtTime(now), fmtTime(now)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: add patron: %w", mapErr(err))
	}
	return nil
}

// UpdatePatron writes a patron's details (not the card, the password or
// the expiry, see SetPatronExpiry).
func UpdatePatron(ctx context.Context, tx *sql.Tx, p *Patron) error {
	var home any
	if p.HomeBranch != "" {
		home = p.HomeBranch
	}
	_, err := tx.ExecContext(ctx, `UPDATE patrons SET name = ?, name_yomi = ?, birth_date = ?, address = ?, phone = ?,
		mobile = ?, email = ?, home_branch = ?, category = ? WHERE id = ?`, p.Name, p.NameYomi, p.BirthDate, p.Address, p.Phone,
		p.Mobile, p.Email, home, p.Category, p.ID)
	if err != nil {
		return fmt.Errorf("store: update patron: %w", mapErr(err))
	}
	return nil
}

// PatronByID returns a patron's details.
func (db *DB) PatronByID(ctx context.Context, id int64) (*Patron, error) {
	return db.patronWhere(ctx, "id = ?", id)
}

// PatronByCard returns a patron's details.
func (db *DB) PatronByCard(ctx context.Context, card string) (*Patron, error) {
	return db.patronWhere(ctx, "card = ?", card)
}

func (db *DB) patronWhere(ctx context.Context, where string, arg any) (*Patron, error) {
	var p Patron
	var home sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT id, card, name, name_yomi, birth_date, address, phone, mobile,
		email, home_branch, category, expiry FROM patrons WHERE `+where, arg).Scan(&p.ID, &p.Card, &p.Name, &p.NameYomi,
		&p.BirthDate, &p.Address, &p.Phone, &p.Mobile, &p.Email, &home, &p.Category, &p.Expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: patron: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: patron: %w", err)
	}
	p.HomeBranch = home.String
	return &p, nil
}

// FindPatrons looks patrons up by card, name, reading or phone, for staff.
func (db *DB) FindPatrons(ctx context.Context, q string, limit int) ([]Patron, error) {
	like := "%" + q + "%"
	rows, err := db.read.QueryContext(ctx, `SELECT id, card, name, name_yomi, birth_date, address, phone, mobile,
		email, COALESCE(home_branch, ''), category, expiry FROM patrons WHERE card = ? OR name LIKE ? OR name_yomi LIKE ?
		OR phone LIKE ? OR mobile LIKE ? ORDER BY name_yomi, id LIMIT ?`, q, like, like, like, like, limit)
	if err != nil {
		return nil, fmt.Errorf("store: find patrons: %w", err)
	}
	defer rows.Close()
	var out []Patron
	for rows.Next() {
		var p Patron
		if err := rows.Scan(&p.ID, &p.Card, &p.Name, &p.NameYomi, &p.BirthDate, &p.Address, &p.Phone, &p.Mobile, &p.Email, &p.HomeBranch, &p.Category, &p.Expiry); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PatronForDesk is what the counter needs of a patron.
type PatronForDesk struct {
	ID       int64
	Card     string
	Name     string
	Email    string
	Blocked  string
	Category string
	Expiry   string // YYYY-MM-DD; "" for a card that does not expire
}

// PatronAtDesk reads a patron by card inside the caller's transaction.
func PatronAtDesk(ctx context.Context, tx *sql.Tx, card string) (*PatronForDesk, error) {
	return patronDesk(ctx, tx, "card = ?", card)
}

// PatronAtDeskByID reads a patron by id inside the caller's transaction.
func PatronAtDeskByID(ctx context.Context, tx *sql.Tx, id int64) (*PatronForDesk, error) {
	return patronDesk(ctx, tx, "id = ?", id)
}

func patronDesk(ctx context.Context, tx *sql.Tx, where string, arg any) (*PatronForDesk, error) {
	var p PatronForDesk
	err := tx.QueryRowContext(ctx, `SELECT id, card, name, email, blocked_reason, category, expiry FROM patrons WHERE `+where, arg).
		Scan(&p.ID, &p.Card, &p.Name, &p.Email, &p.Blocked, &p.Category, &p.Expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: patron: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: patron: %w", err)
	}
	return &p, nil
}

// SetPatronEmail changes a patron's e-mail address ("" removes it).
func SetPatronEmail(ctx context.Context, tx *sql.Tx, patronID int64, email string) error {
	_, err := tx.ExecContext(ctx, `UPDATE patrons SET email = ? WHERE id = ?`, email, patronID)
	if err != nil {
		return fmt.Errorf("store: set email: %w", mapErr(err))
	}
	return nil
}

// SetPatronBlock stops (reason non-empty) or resumes loans to a patron.
func SetPatronBlock(ctx context.Context, tx *sql.Tx, card, reason string) error {
	return updatePatronByCard(ctx, tx, "block", `blocked_reason = ?`, card, reason)
}

// SetPatronExpiry sets the last day a patron's card is valid
// (YYYY-MM-DD; "" for none).
func SetPatronExpiry(ctx context.Context, tx *sql.Tx, card, expiry string) error {
	return updatePatronByCard(ctx, tx, "expiry", `expiry = ?`, card, expiry)
}

// updatePatronByCard sets columns (set, with args) of the patron with
// card; ErrNotFound when no patron has it. what names the change in
// errors.
func updatePatronByCard(ctx context.Context, tx *sql.Tx, what, set, card string, args ...any) error {
	res, err := tx.ExecContext(ctx, `UPDATE patrons SET `+set+` WHERE card = ?`, append(args, card)...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}

// PatronBlock returns a patron's block reason ("" when not blocked).
func (db *DB) PatronBlock(ctx context.Context, patronID int64) (string, error) {
	var r string
	err := db.read.QueryRowContext(ctx, `SELECT blocked_reason FROM patrons WHERE id = ?`, patronID).Scan(&r)
	if err != nil {
		return "", fmt.Errorf("store: patron %d block: %w", patronID, mapErr(err))
	}
	return r, nil
}

// SetDueReminders records whether a patron wants due-date reminders.
func SetDueReminders(ctx context.Context, tx *sql.Tx, patronID int64, on bool) error {
	if _, err := tx.ExecContext(ctx, `UPDATE patrons SET due_reminders = ? WHERE id = ?`, on, patronID); err != nil {
		return fmt.Errorf("store: due reminders: %w", mapErr(err))
	}
	return nil
}

// DueRemindersOn reports whether a patron wants due-date reminders.
func (db *DB) DueRemindersOn(ctx context.Context, patronID int64) (bool, error) {
	var on bool
	err := db.read.QueryRowContext(ctx, `SELECT due_reminders FROM patrons WHERE id = ?`, patronID).Scan(&on)
	if err != nil {
		return false, fmt.Errorf("store: due reminders: %w", mapErr(err))
	}
	return on, nil
}

// Credentials are what a login needs to know of a patron.
type Credentials struct {
	PatronID     int64
	Card         string
	Name         string
	BirthDate    string
	PasswordHash string
	Temporary    bool
	IssuedAt     time.Time
	TempFailures int
	Failures     int
	LastFailedAt time.Time
	Locked       bool
	Blocked      string
}

// PatronCredentials reads a patron's login state by card, inside the
// caller's transaction (logins update it).
func PatronCredentials(ctx context.Context, tx *sql.Tx, card string) (*Credentials, error) {
	var c Credentials
	var issued, lastFailed string
	err := tx.QueryRowContext(ctx, `SELECT id, card, name, birth_date, password_hash, password_temporary,
		password_issued_at, temp_failures, failed_logins, last_failed_at, locked, blocked_reason
		FROM patrons WHERE card = ?`, card).Scan(&c.PatronID, &c.Card, &c.Name, &c.BirthDate, &c.PasswordHash,
		&c.Temporary, &issued, &c.TempFailures, &c.Failures, &lastFailed, &c.Locked, &c.Blocked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: patron: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: patron credentials: %w", err)
	}
	c.IssuedAt, c.LastFailedAt = parseTime(issued), parseTime(lastFailed)
	return &c, nil
}

// RecordLoginFailure counts a failed login of a patron.
func RecordLoginFailure(ctx context.Context, tx *sql.Tx, patronID int64, temporary, lock bool, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE patrons SET failed_logins = failed_logins + 1, last_failed_at = ?,
		temp_failures = temp_failures + ?, locked = locked OR ? WHERE id = ?`, fmtTime(now), temporary, lock, patronID)
	if err != nil {
		return fmt.Errorf("store: login failure: %w", mapErr(err))
	}
	return nil
}

// RecordLoginSuccess clears a patron's failure counts; a non-empty rehash
// replaces the stored hash (after the hashing parameters were raised).
func RecordLoginSuccess(ctx context.Context, tx *sql.Tx, patronID int64, rehash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE patrons SET failed_logins = 0, last_failed_at = '',
		password_hash = CASE WHEN ? <> '' THEN ? ELSE password_hash END WHERE id = ?`, rehash, rehash, patronID)
	if err != nil {
		return fmt.Errorf("store: login success: %w", mapErr(err))
	}
	return nil
}

// SetPatronPassword stores a new password hash. A temporary one is issued
// now and clears the failure counts and the lock: staff have seen the
// patron's ID at the counter.
func SetPatronPassword(ctx context.Context, tx *sql.Tx, patronID int64, hash string, temporary bool, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE patrons SET password_hash = ?, password_temporary = ?,
		password_issued_at = ?, temp_failures = 0,
		failed_logins = CASE WHEN ? THEN 0 ELSE failed_logins END,
		locked = CASE WHEN ? THEN 0 ELSE locked END WHERE id = ?`,
		hash, temporary, fmtTime(now), temporary, temporary, patronID)
	if err != nil {
		return fmt.Errorf("store: set password: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: set password: %w", ErrNotFound)
	}
	return nil
}

// UnlockPatron clears a patron's login lock and failure count.
func UnlockPatron(ctx context.Context, tx *sql.Tx, card string) error {
	return updatePatronByCard(ctx, tx, "unlock", `locked = 0, failed_logins = 0, last_failed_at = ''`, card)
}

// PatronLoginState is what staff see of a patron's login: never a password.
type PatronLoginState struct {
	Temporary    bool
	IssuedAt     time.Time
	Failures     int
	Locked       bool
	HasPassword  bool
	TempFailures int
}

// LoginState reads the login state of a patron for the staff screens.
func (db *DB) LoginState(ctx context.Context, patronID int64) (PatronLoginState, error) {
	var s PatronLoginState
	var issued string
	err := db.read.QueryRowContext(ctx, `SELECT password_temporary, password_issued_at, failed_logins, locked,
		password_hash <> '', temp_failures FROM patrons WHERE id = ?`, patronID).
		Scan(&s.Temporary, &issued, &s.Failures, &s.Locked, &s.HasPassword, &s.TempFailures)
	if err != nil {
		return s, fmt.Errorf("store: login state: %w", mapErr(err))
	}
	s.IssuedAt = parseTime(issued)
	return s, nil
}

// PatronNotes reads staff's notes on a patron.
func (db *DB) PatronNotes(ctx context.Context, patronID int64) (string, error) {
	var n string
	err := db.read.QueryRowContext(ctx, `SELECT notes FROM patrons WHERE id = ?`, patronID).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("store: patron notes: %w", mapErr(err))
	}
	return n, nil
}

// SetPatronNotes keeps staff's notes on a patron.
func SetPatronNotes(ctx context.Context, tx *sql.Tx, card, notes string) error {
	return updatePatronByCard(ctx, tx, "patron notes", `notes = ?`, card, notes)
}
