package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Branch is one library of the city.
type Branch struct {
	Code      string
	Name      string
	NameEn    string
	Address   string
	Phone     string
	Fax       string
	SortOrder int
}

// SaveBranch inserts or updates a branch inside the caller's transaction.
func SaveBranch(ctx context.Context, tx *sql.Tx, b Branch) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO branches(code, name, name_en, address, phone, fax, sort_order)
		VALUES(?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET name=excluded.name, name_en=excluded.name_en,
		address=excluded.address, phone=excluded.phone, fax=excluded.fax, sort_order=excluded.sort_order`,
		b.Code, b.Name, b.NameEn, b.Address, b.Phone, b.Fax, b.SortOrder)
	if err != nil {
		return fmt.Errorf("store: save branch %s: %w", b.Code, mapErr(err))
	}
	return nil
}

// Branches lists the branches in display order.
func (db *DB) Branches(ctx context.Context) ([]Branch, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT code, name, name_en, address, phone, fax, sort_order
		FROM branches ORDER BY sort_order, code`)
	if err != nil {
		return nil, fmt.Errorf("store: branches: %w", err)
	}
	defer rows.Close()
	var out []Branch
	for rows.Next() {
		var b Branch
		if err := rows.Scan(&b.Code, &b.Name, &b.NameEn, &b.Address, &b.Phone, &b.Fax, &b.SortOrder); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// CalendarException is a staff-entered day that differs from the regular
// pattern: a temporary closure, or an opening on a usual closing day.
type CalendarException struct {
	Branch   string
	Day      string
	Open     bool
	OpensAt  string
	ClosesAt string
	Note     string
}

// SaveCalendarException writes one exception inside the caller's transaction.
func SaveCalendarException(ctx context.Context, tx *sql.Tx, e CalendarException) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO calendar_days(branch, day, open, opens_at, closes_at, note)
		VALUES(?,?,?,?,?,?) ON CONFLICT(branch, day) DO UPDATE SET open=excluded.open,
		opens_at=excluded.opens_at, closes_at=excluded.closes_at, note=excluded.note`,
		e.Branch, e.Day, e.Open, e.OpensAt, e.ClosesAt, e.Note)
	if err != nil {
		return fmt.Errorf("store: save calendar day: %w", mapErr(err))
	}
	return nil
}

// CalendarExceptions returns a branch's exceptions between two days,
// inclusive, keyed by day.
func (db *DB) CalendarExceptions(ctx context.Context, branch, from, to string) (map[string]CalendarException, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT branch, day, open, opens_at, closes_at, note FROM calendar_days
		WHERE branch = ? AND day BETWEEN ? AND ?`, branch, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: calendar: %w", err)
	}
	defer rows.Close()
	out := map[string]CalendarException{}
	for rows.Next() {
		var e CalendarException
		if err := rows.Scan(&e.Branch, &e.Day, &e.Open, &e.OpensAt, &e.ClosesAt, &e.Note); err != nil {
			return nil, err
		}
		out[e.Day] = e
	}
	return out, rows.Err()
}

// NewsItem is one notice on the home page.
type NewsItem struct {
	ID    int64
	Day   string
	Title string
	Body  string // Markdown
}

// AddNews inserts a news item inside the caller's transaction.
func AddNews(ctx context.Context, tx *sql.Tx, n *NewsItem, now time.Time) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO news(day, title, body, created_at) VALUES(?,?,?,?) RETURNING id`,
		n.Day, n.Title, n.Body, fmtTime(now)).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("store: add news: %w", mapErr(err))
	}
	return nil
}

// News lists published news, newest first; limit <= 0 means all.
func (db *DB) News(ctx context.Context, limit int) ([]NewsItem, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, day, title, body FROM news WHERE published = 1
		ORDER BY day DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: news: %w", err)
	}
	defer rows.Close()
	var out []NewsItem
	for rows.Next() {
		var n NewsItem
		if err := rows.Scan(&n.ID, &n.Day, &n.Title, &n.Body); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NewsByID returns one published news item.
func (db *DB) NewsByID(ctx context.Context, id int64) (*NewsItem, error) {
	var n NewsItem
	err := db.read.QueryRowContext(ctx, `SELECT id, day, title, body FROM news WHERE id = ? AND published = 1`, id).
		Scan(&n.ID, &n.Day, &n.Title, &n.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: news %d: %w", id, ErrNotFound)
	}
	return &n, err
}

// Page is a content page of the site menu.
type Page struct {
	Slug      string
	Title     string
	TitleEn   string
	Body      string // Markdown
	MenuOrder int
	UpdatedAt time.Time
}

// SavePage inserts or replaces a content page inside the caller's transaction.
func SavePage(ctx context.Context, tx *sql.Tx, p Page, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pages(slug, title, title_en, body, menu_order, updated_at)
		VALUES(?,?,?,?,?,?) ON CONFLICT(slug) DO UPDATE SET title=excluded.title, title_en=excluded.title_en,
		body=excluded.body, menu_order=excluded.menu_order, updated_at=excluded.updated_at`,
		p.Slug, p.Title, p.TitleEn, p.Body, p.MenuOrder, fmtTime(now))
	if err != nil {
		return fmt.Errorf("store: save page %s: %w", p.Slug, mapErr(err))
	}
	return nil
}

// Pages lists the content pages in menu order, without their bodies.
func (db *DB) Pages(ctx context.Context) ([]Page, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT slug, title, title_en, menu_order, updated_at FROM pages ORDER BY menu_order, slug`)
	if err != nil {
		return nil, fmt.Errorf("store: pages: %w", err)
	}
	defer rows.Close()
	var out []Page
	for rows.Next() {
		var p Page
		var ts string
		if err := rows.Scan(&p.Slug, &p.Title, &p.TitleEn, &p.MenuOrder, &ts); err != nil {
			return nil, err
		}
		p.UpdatedAt = parseTime(ts)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PageBySlug returns one content page.
func (db *DB) PageBySlug(ctx context.Context, slug string) (*Page, error) {
	var p Page
	var ts string
	err := db.read.QueryRowContext(ctx, `SELECT slug, title, title_en, body, menu_order, updated_at FROM pages WHERE slug = ?`, slug).
		Scan(&p.Slug, &p.Title, &p.TitleEn, &p.Body, &p.MenuOrder, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: page %s: %w", slug, ErrNotFound)
	}
	p.UpdatedAt = parseTime(ts)
	return &p, err
}

// Staff is a staff account.
type Staff struct {
	ID           int64
	Username     string
	DisplayName  string
	Role         string
	PasswordHash string
	Disabled     bool
}

// AddStaff inserts a staff account inside the caller's transaction.
func AddStaff(ctx context.Context, tx *sql.Tx, s *Staff, now time.Time) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO staff(username, display_name, role, password_hash, created_at)
		VALUES(?,?,?,?,?) RETURNING id`, s.Username, s.DisplayName, s.Role, s.PasswordHash, fmtTime(now)).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("store: add staff %s: %w", s.Username, mapErr(err))
	}
	return nil
}

// StaffCount is the number of staff accounts that are not disabled.
func (db *DB) StaffCount(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM staff WHERE disabled = 0").Scan(&n)
	return n, err
}

// LoanRanking is one line of a most-borrowed or most-reserved list.
type LoanRanking struct {
	RecordID int64
	Count    int
}

// TopLoans ranks records by anonymous loan counts since a day (inclusive;
// "" for all time).
func (db *DB) TopLoans(ctx context.Context, since string, limit int) ([]LoanRanking, error) {
	return db.ranking(ctx, `SELECT record_id, sum(count) AS n FROM loan_counts WHERE day >= ?
		GROUP BY record_id ORDER BY n DESC, record_id LIMIT ?`, since, limit)
}

// TopHolds ranks records by holds waiting now.
func (db *DB) TopHolds(ctx context.Context, limit int) ([]LoanRanking, error) {
	return db.ranking(ctx, `SELECT record_id, count(*) AS n FROM holds WHERE status = 'waiting'
		GROUP BY record_id ORDER BY n DESC, record_id LIMIT ?`, limit)
}

func (db *DB) ranking(ctx context.Context, q string, args ...any) ([]LoanRanking, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: ranking: %w", err)
	}
	defer rows.Close()
	var out []LoanRanking
	for rows.Next() {
		var r LoanRanking
		if err := rows.Scan(&r.RecordID, &r.Count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Audit records a staff action: who, what, when. The detail names the
// thing acted on, never what a patron read.
func Audit(ctx context.Context, tx *sql.Tx, staffID int64, action, detail string, at time.Time) error {
	var staff any
	if staffID != 0 {
		staff = staffID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log(staff_id, action, detail, at) VALUES(?,?,?,?)`, staff, action, detail, fmtTime(at))
	if err != nil {
		return fmt.Errorf("store: audit: %w", mapErr(err))
	}
	return nil
}

// AuditEntry is one line of the staff log.
type AuditEntry struct {
	Staff  string
	Action string
	Detail string
	At     time.Time
}

// AuditLog lists the latest staff actions.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT COALESCE(s.username, ''), a.action, a.detail, a.at FROM audit_log a
		LEFT JOIN staff s ON s.id = a.staff_id ORDER BY a.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.Staff, &e.Action, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SetPatronBlock stops (reason non-empty) or resumes loans to a patron.
func SetPatronBlock(ctx context.Context, tx *sql.Tx, card, reason string) error {
	res, err := tx.ExecContext(ctx, `UPDATE patrons SET blocked_reason = ? WHERE card = ?`, reason, card)
	if err != nil {
		return fmt.Errorf("store: block: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: block: %w", ErrNotFound)
	}
	return nil
}

// UpdatePatron writes a patron's details (not the card or password).
func UpdatePatron(ctx context.Context, tx *sql.Tx, p *Patron) error {
	var home any
	if p.HomeBranch != "" {
		home = p.HomeBranch
	}
	_, err := tx.ExecContext(ctx, `UPDATE patrons SET name = ?, name_yomi = ?, birth_date = ?, address = ?, phone = ?,
		mobile = ?, email = ?, home_branch = ? WHERE id = ?`, p.Name, p.NameYomi, p.BirthDate, p.Address, p.Phone,
		p.Mobile, p.Email, home, p.ID)
	if err != nil {
		return fmt.Errorf("store: update patron: %w", mapErr(err))
	}
	return nil
}

// PatronBlock returns a patron's block reason ("" when not blocked).
func (db *DB) PatronBlock(ctx context.Context, patronID int64) (string, error) {
	var r string
	err := db.read.QueryRowContext(ctx, `SELECT blocked_reason FROM patrons WHERE id = ?`, patronID).Scan(&r)
	return r, err
}

// UpdateNews changes a news item.
func UpdateNews(ctx context.Context, tx *sql.Tx, n *NewsItem) error {
	res, err := tx.ExecContext(ctx, `UPDATE news SET day = ?, title = ?, body = ? WHERE id = ?`, n.Day, n.Title, n.Body, n.ID)
	if err != nil {
		return fmt.Errorf("store: update news: %w", mapErr(err))
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fmt.Errorf("store: update news: %w", ErrNotFound)
	}
	return nil
}

// DeleteNews removes a news item.
func DeleteNews(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM news WHERE id = ?`, id)
	return mapErr(err)
}
