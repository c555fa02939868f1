package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CopyByBarcode reads a copy inside the caller's transaction.
func CopyByBarcode(ctx context.Context, tx *sql.Tx, barcode string) (*Copy, error) {
	var c Copy
	err := tx.QueryRowContext(ctx, `SELECT c.id, c.record_id, c.barcode, c.branch, c.location, c.call_number, c.status,
		COALESCE(c.transit_to, ''), c.shelved_on, c.acquired_on, COALESCE(l.due_date, '')
		FROM copies c LEFT JOIN loans l ON l.copy_id = c.id WHERE c.barcode = ?`, barcode).
		Scan(&c.ID, &c.RecordID, &c.Barcode, &c.Branch, &c.Location, &c.CallNumber, &c.Status, &c.TransitTo,
			&c.ShelvedOn, &c.AcquiredOn, &c.DueDate)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: copy: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: copy: %w", err)
	}
	return &c, nil
}

// CopyByID reads a copy inside the caller's transaction.
func CopyByID(ctx context.Context, tx *sql.Tx, id int64) (*Copy, error) {
	var barcode string
	if err := tx.QueryRowContext(ctx, `SELECT barcode FROM copies WHERE id = ?`, id).Scan(&barcode); err != nil {
		return nil, fmt.Errorf("store: copy %d: %w", id, mapErr(err))
	}
	return CopyByBarcode(ctx, tx, barcode)
}

// SetCopyStatus moves a copy; transitTo is "" unless it is in transit.
func SetCopyStatus(ctx context.Context, tx *sql.Tx, copyID int64, status, transitTo string) error {
	var to any
	if transitTo != "" {
		to = transitTo
	}
	_, err := tx.ExecContext(ctx, `UPDATE copies SET status = ?, transit_to = ? WHERE id = ?`, status, to, copyID)
	if err != nil {
		return fmt.Errorf("store: copy status: %w", mapErr(err))
	}
	return nil
}

// PatronForDesk is what the counter needs of a patron.
type PatronForDesk struct {
	ID      int64
	Card    string
	Name    string
	Email   string
	Blocked string
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
	err := tx.QueryRowContext(ctx, `SELECT id, card, name, email, blocked_reason FROM patrons WHERE `+where, arg).
		Scan(&p.ID, &p.Card, &p.Name, &p.Email, &p.Blocked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: patron: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: patron: %w", err)
	}
	return &p, nil
}

// CountLoans counts a patron's loans.
func CountLoans(ctx context.Context, tx *sql.Tx, patronID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM loans WHERE patron_id = ?`, patronID).Scan(&n)
	return n, err
}

// CountHolds counts a patron's holds.
func CountHolds(ctx context.Context, tx *sql.Tx, patronID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM holds WHERE patron_id = ?`, patronID).Scan(&n)
	return n, err
}

// HasLoanOfRecord reports whether a patron has a copy of the record out.
func HasLoanOfRecord(ctx context.Context, tx *sql.Tx, patronID, recordID int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM loans l JOIN copies c ON c.id = l.copy_id
		WHERE l.patron_id = ? AND c.record_id = ?`, patronID, recordID).Scan(&n)
	return n > 0, err
}

// HoldOn returns a patron's hold on a record, or nil.
func HoldOn(ctx context.Context, tx *sql.Tx, patronID, recordID int64) (*Hold, error) {
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdCols+` FROM holds h WHERE h.patron_id = ? AND h.record_id = ?`, patronID, recordID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return h, err
}

// HoldPosition is a waiting hold's place in its title's queue, from 1.
func HoldPosition(ctx context.Context, q Querier, h *Hold) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM holds o WHERE o.record_id = ? AND o.status = 'waiting'
		AND +o.copy_id IS NULL AND (o.placed_at < ? OR (o.placed_at = ? AND o.id < ?))`,
		h.RecordID, fmtTime(h.PlacedAt), fmtTime(h.PlacedAt), h.ID).Scan(&n)
	return n + 1, err
}

// RecordExists reports whether a record exists.
func RecordExists(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// BranchExists reports whether a branch code exists.
func BranchExists(ctx context.Context, tx *sql.Tx, code string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM branches WHERE code = ?`, code).Scan(&n)
	return n > 0, err
}

const holdCols = `h.id, h.record_id, h.patron_id, h.pickup_branch, h.contact, h.status, COALESCE(h.copy_id, 0),
	h.placed_at, COALESCE(h.ready_at, ''), COALESCE(h.contacted_at, ''), COALESCE(h.pickup_deadline, '')`

func scanHold(sc interface{ Scan(...any) error }) (*Hold, error) {
	var h Hold
	var placed, ready, contacted string
	err := sc.Scan(&h.ID, &h.RecordID, &h.PatronID, &h.PickupBranch, &h.Contact, &h.Status, &h.CopyID,
		&placed, &ready, &contacted, &h.PickupDeadline)
	if err != nil {
		return nil, err
	}
	h.PlacedAt, h.ReadyAt, h.ContactedAt = parseTime(placed), parseTime(ready), parseTime(contacted)
	return &h, nil
}

// HoldByID reads a hold inside the caller's transaction.
func HoldByID(ctx context.Context, tx *sql.Tx, id int64) (*Hold, error) {
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdCols+` FROM holds h WHERE h.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: hold: %w", ErrNotFound)
	}
	return h, err
}

// HoldOfCopy returns the hold a copy is allocated to, if any.
func HoldOfCopy(ctx context.Context, tx *sql.Tx, copyID int64) (*Hold, error) {
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdCols+` FROM holds h WHERE h.copy_id = ?`, copyID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return h, err
}

// NextInLine returns the first waiting hold on a record without a copy,
// in order of placement, or nil.
func NextInLine(ctx context.Context, tx *sql.Tx, recordID int64) (*Hold, error) {
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdCols+` FROM holds h
		WHERE h.record_id = ? AND h.status = 'waiting' AND +h.copy_id IS NULL ORDER BY h.placed_at, h.id LIMIT 1`, recordID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return h, err
}

// UpdateHold writes a hold's changeable fields.
func UpdateHold(ctx context.Context, tx *sql.Tx, h *Hold) error {
	copyID, ready, contacted, deadline := h.nullables()
	_, err := tx.ExecContext(ctx, `UPDATE holds SET pickup_branch = ?, contact = ?, status = ?, copy_id = ?,
		ready_at = ?, contacted_at = ?, pickup_deadline = ? WHERE id = ?`,
		h.PickupBranch, h.Contact, h.Status, copyID, ready, contacted, deadline, h.ID)
	if err != nil {
		return fmt.Errorf("store: update hold: %w", mapErr(err))
	}
	return nil
}

// DeleteHold forgets a hold: fulfilled, cancelled or expired, it keeps no
// link between the patron and the title (R40).
func DeleteHold(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM holds WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete hold: %w", mapErr(err))
	}
	return nil
}

// AddContactAttempt records one try to tell a patron a hold is ready.
func AddContactAttempt(ctx context.Context, tx *sql.Tx, holdID int64, channel, result string, staffID int64, at time.Time) error {
	var staff any
	if staffID != 0 {
		staff = staffID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO contact_attempts(hold_id, channel, result, staff_id, at) VALUES(?,?,?,?,?)`,
		holdID, channel, result, staff, fmtTime(at))
	if err != nil {
		return fmt.Errorf("store: contact attempt: %w", mapErr(err))
	}
	return nil
}

// LoanByCopy returns the loan of a copy, or nil.
func LoanByCopy(ctx context.Context, tx *sql.Tx, copyID int64) (*Loan, error) {
	var l Loan
	err := tx.QueryRowContext(ctx, `SELECT id, copy_id, patron_id, branch, loaned_on, due_date, renewals FROM loans WHERE copy_id = ?`, copyID).
		Scan(&l.ID, &l.CopyID, &l.PatronID, &l.Branch, &l.LoanedOn, &l.DueDate, &l.Renewals)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &l, err
}

// LoanByID returns a loan inside the caller's transaction.
func LoanByID(ctx context.Context, tx *sql.Tx, id int64) (*Loan, error) {
	var l Loan
	err := tx.QueryRowContext(ctx, `SELECT id, copy_id, patron_id, branch, loaned_on, due_date, renewals FROM loans WHERE id = ?`, id).
		Scan(&l.ID, &l.CopyID, &l.PatronID, &l.Branch, &l.LoanedOn, &l.DueDate, &l.Renewals)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: loan: %w", ErrNotFound)
	}
	return &l, err
}

// DeleteLoan ends a loan: the row that tied the patron to the copy goes
// (R40); the anonymous count was taken at checkout.
func DeleteLoan(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM loans WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete loan: %w", mapErr(err))
	}
	return nil
}

// RenewLoan sets a loan's new due date and counts the renewal.
func RenewLoan(ctx context.Context, tx *sql.Tx, id int64, due string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE loans SET due_date = ?, renewals = renewals + 1, due_reminded = 0 WHERE id = ?`, due, id); err != nil {
		return fmt.Errorf("store: renew: %w", mapErr(err))
	}
	return nil
}

// Demand is how many holds wait for a record and how many of its copies
// are on the shelf, unallocated, to serve them.
func Demand(ctx context.Context, q Querier, recordID int64) (waiting, onShelf int, err error) {
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM holds WHERE record_id = ? AND status = 'waiting' AND +copy_id IS NULL),
		(SELECT count(*) FROM copies WHERE record_id = ? AND status = 'on_shelf')`, recordID, recordID).Scan(&waiting, &onShelf)
	return waiting, onShelf, err
}

// PatronLoan is a loan as its patron sees it.
type PatronLoan struct {
	Loan
	RecordID int64
	Title    string
	Barcode  string
}

// LoansOf lists a patron's loans, soonest due first.
func LoansOf(ctx context.Context, q Querier, patronID int64) ([]PatronLoan, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.copy_id, l.patron_id, l.branch, l.loaned_on, l.due_date, l.renewals,
		c.record_id, r.title, c.barcode FROM loans l JOIN copies c ON c.id = l.copy_id JOIN records r ON r.id = c.record_id
		WHERE l.patron_id = ? ORDER BY l.due_date, l.id`, patronID)
	if err != nil {
		return nil, fmt.Errorf("store: loans: %w", err)
	}
	defer rows.Close()
	var out []PatronLoan
	for rows.Next() {
		var l PatronLoan
		if err := rows.Scan(&l.ID, &l.CopyID, &l.PatronID, &l.Branch, &l.LoanedOn, &l.DueDate, &l.Renewals, &l.RecordID, &l.Title, &l.Barcode); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Querier is a pool or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// PatronHold is a hold as its patron sees it, with its live queue position.
type PatronHold struct {
	Hold
	Title    string
	Position int
}

// HoldsOf lists a patron's holds with their positions in the queues.
func HoldsOf(ctx context.Context, q Querier, patronID int64) ([]PatronHold, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+holdCols+`, r.title,
		(SELECT count(*) FROM holds o WHERE o.record_id = h.record_id AND o.status = 'waiting' AND +o.copy_id IS NULL
		   AND (o.placed_at < h.placed_at OR (o.placed_at = h.placed_at AND o.id < h.id))) + 1
		FROM holds h JOIN records r ON r.id = h.record_id WHERE h.patron_id = ? ORDER BY h.placed_at, h.id`, patronID)
	if err != nil {
		return nil, fmt.Errorf("store: holds: %w", err)
	}
	defer rows.Close()
	var out []PatronHold
	for rows.Next() {
		var h PatronHold
		var placed, ready, contacted string
		if err := rows.Scan(&h.ID, &h.RecordID, &h.PatronID, &h.PickupBranch, &h.Contact, &h.Status, &h.CopyID,
			&placed, &ready, &contacted, &h.PickupDeadline, &h.Title, &h.Position); err != nil {
			return nil, err
		}
		h.PlacedAt, h.ReadyAt, h.ContactedAt = parseTime(placed), parseTime(ready), parseTime(contacted)
		out = append(out, h)
	}
	return out, rows.Err()
}

// ShelfHold is a hold on the hold shelf or call list, for staff.
type ShelfHold struct {
	Hold
	Title      string
	PatronName string
	Card       string
	Phone      string
	Mobile     string
	Barcode    string
	Location   string
	CallNumber string
}

// ReadyHolds lists ready holds at a branch ("" for all), deadline first.
func (db *DB) ReadyHolds(ctx context.Context, branch string) ([]ShelfHold, error) {
	return db.shelfHolds(ctx, `h.status = 'ready' AND (? = '' OR h.pickup_branch = ?) ORDER BY h.pickup_deadline IS NULL, h.pickup_deadline, h.id`, branch, branch)
}

// CallList lists ready holds to be told by phone and not yet reached:
// phone contacts, and e-mail contacts whose message failed for good.
func (db *DB) CallList(ctx context.Context) ([]ShelfHold, error) {
	return db.shelfHolds(ctx, `h.status = 'ready' AND h.contacted_at IS NULL AND (h.contact IN ('phone','mobile')
		OR EXISTS (SELECT 1 FROM contact_attempts a WHERE a.hold_id = h.id AND a.channel = 'email' AND a.result = 'failed'))
		ORDER BY h.ready_at, h.id`)
}

func (db *DB) shelfHolds(ctx context.Context, where string, args ...any) ([]ShelfHold, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+holdCols+`, r.title, p.name, p.card, p.phone, p.mobile,
		COALESCE(c.barcode, ''), COALESCE(c.location, ''), COALESCE(c.call_number, '')
		FROM holds h JOIN records r ON r.id = h.record_id JOIN patrons p ON p.id = h.patron_id
		LEFT JOIN copies c ON c.id = h.copy_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: shelf holds: %w", err)
	}
	defer rows.Close()
	var out []ShelfHold
	for rows.Next() {
		var h ShelfHold
		var placed, ready, contacted string
		if err := rows.Scan(&h.ID, &h.RecordID, &h.PatronID, &h.PickupBranch, &h.Contact, &h.Status, &h.CopyID,
			&placed, &ready, &contacted, &h.PickupDeadline, &h.Title, &h.PatronName, &h.Card, &h.Phone, &h.Mobile,
			&h.Barcode, &h.Location, &h.CallNumber); err != nil {
			return nil, err
		}
		h.PlacedAt, h.ReadyAt, h.ContactedAt = parseTime(placed), parseTime(ready), parseTime(contacted)
		out = append(out, h)
	}
	return out, rows.Err()
}

// PickItem is a waiting hold a copy on the shelf at a branch can fill.
type PickItem struct {
	HoldID       int64
	RecordID     int64
	Title        string
	PickupBranch string
	PlacedAt     time.Time
	Barcode      string
	Location     string
	CallNumber   string
}

// PickList lists, for a branch, the first waiting hold of each record with
// a copy on its shelves, leaving out copies on their first day on the
// shelf (R23: new arrivals stay for walk-in patrons that day).
func (db *DB) PickList(ctx context.Context, branch, today string) ([]PickItem, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT h.id, h.record_id, r.title, h.pickup_branch, h.placed_at,
		c.barcode, c.location, c.call_number
		FROM holds h JOIN records r ON r.id = h.record_id
		JOIN copies c ON c.id = (SELECT c2.id FROM copies c2 WHERE c2.record_id = h.record_id AND c2.branch = ?
			AND c2.status = 'on_shelf' AND c2.shelved_on < ? ORDER BY c2.id LIMIT 1)
		WHERE h.status = 'waiting' AND +h.copy_id IS NULL
		  AND h.id = (SELECT h2.id FROM holds h2 WHERE h2.record_id = h.record_id AND h2.status = 'waiting'
			AND +h2.copy_id IS NULL ORDER BY h2.placed_at, h2.id LIMIT 1)
		ORDER BY c.location, c.call_number, h.placed_at`, branch, today)
	if err != nil {
		return nil, fmt.Errorf("store: pick list: %w", err)
	}
	defer rows.Close()
	var out []PickItem
	for rows.Next() {
		var p PickItem
		var placed string
		if err := rows.Scan(&p.HoldID, &p.RecordID, &p.Title, &p.PickupBranch, &placed, &p.Barcode, &p.Location, &p.CallNumber); err != nil {
			return nil, err
		}
		p.PlacedAt = parseTime(placed)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ExpiredHolds lists ready holds whose pickup deadline is before today.
func ExpiredHolds(ctx context.Context, tx *sql.Tx, today string) ([]Hold, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+holdCols+` FROM holds h WHERE h.status = 'ready'
		AND h.pickup_deadline IS NOT NULL AND h.pickup_deadline < ? ORDER BY h.id`, today)
	if err != nil {
		return nil, fmt.Errorf("store: expired holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *h)
	}
	return out, rows.Err()
}

// MoveDueDates moves the due dates of loans made at branch that fall
// between from and to (inclusive) to day, and says how many moved.
func MoveDueDates(ctx context.Context, tx *sql.Tx, branch, from, to, day string) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE loans SET due_date = ? WHERE branch = ? AND due_date BETWEEN ? AND ?`, day, branch, from, to)
	if err != nil {
		return 0, fmt.Errorf("store: move due dates: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// MovePickupDeadlines moves the deadlines of ready holds at branch that
// fall between from and to (inclusive) to day.
func MovePickupDeadlines(ctx context.Context, tx *sql.Tx, branch, from, to, day string) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE holds SET pickup_deadline = ? WHERE pickup_branch = ? AND status = 'ready'
		AND pickup_deadline BETWEEN ? AND ?`, day, branch, from, to)
	if err != nil {
		return 0, fmt.Errorf("store: move deadlines: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Kinds of daily figures.
const (
	CountLoan        = "loan"
	CountReturn      = "return"
	CountHoldPlaced  = "hold_placed"
	CountHoldFilled  = "hold_filled"
	CountHoldExpired = "hold_expired"
	CountMailSent    = "mail_sent"
	CountMailFailed  = "mail_failed"
)

// CountEvent adds one to a branch's figure of a kind for a day.
func CountEvent(ctx context.Context, tx *sql.Tx, branch, day, kind string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO daily_counts(branch, day, kind, count) VALUES(?,?,?,1)
		ON CONFLICT(branch, day, kind) DO UPDATE SET count = count + 1`, branch, day, kind)
	if err != nil {
		return fmt.Errorf("store: count %s: %w", kind, mapErr(err))
	}
	return nil
}

// Figures sums the daily figures from a day on (inclusive), by branch
// and kind.
func (db *DB) Figures(ctx context.Context, since string) (map[string]map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT branch, kind, sum(count) FROM daily_counts WHERE day >= ? GROUP BY branch, kind`, since)
	if err != nil {
		return nil, fmt.Errorf("store: figures: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var b, k string
		var n int
		if err := rows.Scan(&b, &k, &n); err != nil {
			return nil, err
		}
		if out[b] == nil {
			out[b] = map[string]int{}
		}
		out[b][k] = n
	}
	return out, rows.Err()
}

// WithdrawCopy takes a copy out of the catalogue; a copy on loan or
// serving a hold cannot go.
func WithdrawCopy(ctx context.Context, tx *sql.Tx, barcode string) error {
	cp, err := CopyByBarcode(ctx, tx, barcode)
	if err != nil {
		return err
	}
	switch cp.Status {
	case CopyOnLoan, CopyOnHoldShelf, CopyInTransit:
		return fmt.Errorf("store: withdraw %s: %w", barcode, ErrConflict)
	}
	_, err = tx.ExecContext(ctx, `UPDATE copies SET status = 'withdrawn' WHERE id = ?`, cp.ID)
	return mapErr(err)
}

// InTransit lists copies travelling to or from a branch.
func (db *DB) InTransit(ctx context.Context, branch string) ([]Copy, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+copyCols+` FROM copies c LEFT JOIN loans l ON l.copy_id = c.id
		WHERE c.status = 'in_transit' AND (c.transit_to = ? OR c.branch = ?) ORDER BY c.transit_to, c.barcode`, branch, branch)
	if err != nil {
		return nil, fmt.Errorf("store: in transit: %w", err)
	}
	return scanCopies(rows)
}
