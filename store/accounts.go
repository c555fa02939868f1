package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

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
	res, err := tx.ExecContext(ctx, `UPDATE patrons SET locked = 0, failed_logins = 0, last_failed_at = '' WHERE card = ?`, card)
	if err != nil {
		return fmt.Errorf("store: unlock: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: unlock: %w", ErrNotFound)
	}
	return nil
}

// SetPatronEmail changes a patron's e-mail address ("" removes it).
func SetPatronEmail(ctx context.Context, tx *sql.Tx, patronID int64, email string) error {
	_, err := tx.ExecContext(ctx, `UPDATE patrons SET email = ? WHERE id = ?`, email, patronID)
	if err != nil {
		return fmt.Errorf("store: set email: %w", mapErr(err))
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
		email, home_branch FROM patrons WHERE `+where, arg).Scan(&p.ID, &p.Card, &p.Name, &p.NameYomi,
		&p.BirthDate, &p.Address, &p.Phone, &p.Mobile, &p.Email, &home)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: patron: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: patron: %w", err)
	}
	p.HomeBranch = home.String
	return &p, nil
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

// FindPatrons looks patrons up by card, name, reading or phone, for staff.
func (db *DB) FindPatrons(ctx context.Context, q string, limit int) ([]Patron, error) {
	like := "%" + q + "%"
	rows, err := db.read.QueryContext(ctx, `SELECT id, card, name, name_yomi, birth_date, address, phone, mobile,
		email, COALESCE(home_branch, '') FROM patrons WHERE card = ? OR name LIKE ? OR name_yomi LIKE ?
		OR phone LIKE ? OR mobile LIKE ? ORDER BY name_yomi, id LIMIT ?`, q, like, like, like, like, limit)
	if err != nil {
		return nil, fmt.Errorf("store: find patrons: %w", err)
	}
	defer rows.Close()
	var out []Patron
	for rows.Next() {
		var p Patron
		if err := rows.Scan(&p.ID, &p.Card, &p.Name, &p.NameYomi, &p.BirthDate, &p.Address, &p.Phone, &p.Mobile, &p.Email, &p.HomeBranch); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StaffCredentials reads a staff account for login.
func StaffCredentials(ctx context.Context, tx *sql.Tx, username string) (*Staff, int, time.Time, error) {
	var s Staff
	var failures int
	var last string
	err := tx.QueryRowContext(ctx, `SELECT id, username, display_name, role, password_hash, disabled,
		failed_logins, last_failed_at FROM staff WHERE username = ?`, username).
		Scan(&s.ID, &s.Username, &s.DisplayName, &s.Role, &s.PasswordHash, &s.Disabled, &failures, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, time.Time{}, fmt.Errorf("store: staff: %w", ErrNotFound)
	}
	if err != nil {
		return nil, 0, time.Time{}, fmt.Errorf("store: staff: %w", err)
	}
	return &s, failures, parseTime(last), nil
}

// RecordStaffLogin counts a staff login failure, or clears the count.
func RecordStaffLogin(ctx context.Context, tx *sql.Tx, staffID int64, ok bool, now time.Time) error {
	q := `UPDATE staff SET failed_logins = failed_logins + 1, last_failed_at = ? WHERE id = ?`
	args := []any{fmtTime(now), staffID}
	if ok {
		q, args = `UPDATE staff SET failed_logins = 0, last_failed_at = '' WHERE id = ?`, []any{staffID}
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: staff login: %w", mapErr(err))
	}
	return nil
}

// StaffByID returns a staff account.
func (db *DB) StaffByID(ctx context.Context, id int64) (*Staff, error) {
	var s Staff
	err := db.read.QueryRowContext(ctx, `SELECT id, username, display_name, role, disabled FROM staff WHERE id = ?`, id).
		Scan(&s.ID, &s.Username, &s.DisplayName, &s.Role, &s.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: staff: %w", ErrNotFound)
	}
	return &s, err
}

// Session is a logged-in browser or API client. The id itself is never
// stored, only its hash.
type Session struct {
	IDHash     string
	PatronID   int64
	StaffID    int64
	Kind       string // web, api, kiosk
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// AddSession stores a new session inside the caller's transaction.
func AddSession(ctx context.Context, tx *sql.Tx, s Session) error {
	var patron, staff any
	if s.PatronID != 0 {
		patron = s.PatronID
	}
	if s.StaffID != 0 {
		staff = s.StaffID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions(id_hash, patron_id, staff_id, kind, created_at, last_seen_at)
		VALUES(?,?,?,?,?,?)`, s.IDHash, patron, staff, s.Kind, fmtTime(s.CreatedAt), fmtTime(s.LastSeenAt))
	if err != nil {
		return fmt.Errorf("store: add session: %w", mapErr(err))
	}
	return nil
}

// SessionHolder is a session with what the server needs of its holder,
// read in one query on every request.
type SessionHolder struct {
	Session
	Card, Name, Username, Role string
	Temporary, Disabled        bool
}

// SessionWithHolder returns a session and its patron or staff account.
func (db *DB) SessionWithHolder(ctx context.Context, idHash string) (*SessionHolder, error) {
	var s SessionHolder
	var patron, staff sql.NullInt64
	var created, seen string
	var card, name, user, sname, role sql.NullString
	var temp, disabled sql.NullBool
	err := db.read.QueryRowContext(ctx, `SELECT s.id_hash, s.patron_id, s.staff_id, s.kind, s.created_at, s.last_seen_at,
		p.card, p.name, p.password_temporary, st.username, st.display_name, st.role, st.disabled
		FROM sessions s LEFT JOIN patrons p ON p.id = s.patron_id LEFT JOIN staff st ON st.id = s.staff_id
		WHERE s.id_hash = ?`, idHash).Scan(&s.IDHash, &patron, &staff, &s.Kind, &created, &seen,
		&card, &name, &temp, &user, &sname, &role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	s.PatronID, s.StaffID = patron.Int64, staff.Int64
	s.CreatedAt, s.LastSeenAt = parseTime(created), parseTime(seen)
	s.Card, s.Temporary, s.Username, s.Role, s.Disabled = card.String, temp.Bool, user.String, role.String, disabled.Bool
	s.Name = name.String
	if s.StaffID != 0 {
		s.Name = sname.String
	}
	return &s, nil
}

// TouchSession records activity on a session.
func (db *DB) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, fmtTime(now), idHash)
		return err
	})
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
		return err
	})
}

// DeletePatronSessions ends every session of a patron, inside the
// caller's transaction (after a password change or reissue).
func DeletePatronSessions(ctx context.Context, tx *sql.Tx, patronID int64, except string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE patron_id = ? AND id_hash <> ?`, patronID, except)
	if err != nil {
		return fmt.Errorf("store: delete sessions: %w", mapErr(err))
	}
	return nil
}

// DeleteSessionsBefore removes sessions idle since before idle or created
// before absolute.
func (db *DB) DeleteSessionsBefore(ctx context.Context, idle, absolute time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`, fmtTime(idle), fmtTime(absolute))
		return err
	})
}

// StaffList lists staff accounts.
func (db *DB) StaffList(ctx context.Context) ([]Staff, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, username, display_name, role, disabled FROM staff ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("store: staff list: %w", err)
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		var s Staff
		if err := rows.Scan(&s.ID, &s.Username, &s.DisplayName, &s.Role, &s.Disabled); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UpdateStaff changes a staff account's role, state and, when hash is
// not empty, password; their sessions end when disabled or re-keyed.
func UpdateStaff(ctx context.Context, tx *sql.Tx, username, role string, disabled bool, hash string) error {
	res, err := tx.ExecContext(ctx, `UPDATE staff SET role = ?, disabled = ?,
		password_hash = CASE WHEN ? <> '' THEN ? ELSE password_hash END, failed_logins = 0 WHERE username = ?`,
		role, disabled, hash, hash, username)
	if err != nil {
		return fmt.Errorf("store: update staff: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update staff: %w", ErrNotFound)
	}
	if disabled || hash != "" {
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE staff_id = (SELECT id FROM staff WHERE username = ?)`, username)
	}
	return mapErr(err)
}
