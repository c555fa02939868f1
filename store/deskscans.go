package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DeskScan is one scan at the counter in a staff session: what was
// scanned and what happened, never who was at the desk (R40).
type DeskScan struct {
	ID       int64
	At       time.Time
	Branch   string
	Mode     string // lend, return, receive, card
	Code     string // the barcode or card scanned
	Title    string
	Outcome  string // lent, returned, refused, unreadable
	Reason   string // a refusal's code, or what a return found
	Action   string // where a returned copy goes
	HoldID   int64
	ToBranch string
	DueDate  string
	DaysLate int
	Limit    int
	Material string
	LoanID   int64
	Undo     string // how to put the copy back after an undone loan
	Undone   bool
}

const deskScanCols = `id, at, branch, mode, code, title, outcome, reason, action, hold_id, to_branch, due_date,
	days_late, lim, material, loan_id, undo, undone`

func scanDeskScan(sc interface{ Scan(...any) error }) (*DeskScan, error) {
	var d DeskScan
	var at string
	err := sc.Scan(&d.ID, &at, &d.Branch, &d.Mode, &d.Code, &d.Title, &d.Outcome, &d.Reason, &d.Action, &d.HoldID,
		&d.ToBranch, &d.DueDate, &d.DaysLate, &d.Limit, &d.Material, &d.LoanID, &d.Undo, &d.Undone)
	if err != nil {
		return nil, err
	}
	d.At = parseTime(at)
	return &d, nil
}

// AddDeskScan keeps a scan in its session's list and sets its id.
func AddDeskScan(ctx context.Context, tx *sql.Tx, sessionHash string, d *DeskScan) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO desk_scans(session_hash, at, branch, mode, code, title, outcome, reason,
		action, hold_id, to_branch, due_date, days_late, lim, material, loan_id, undo)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`, sessionHash, fmtTime(d.At), d.Branch, d.Mode, d.Code,
		d.Title, d.Outcome, d.Reason, d.Action, d.HoldID, d.ToBranch, d.DueDate, d.DaysLate, d.Limit, d.Material,
		d.LoanID, d.Undo).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("store: add desk scan: %w", mapErr(err))
	}
	return nil
}

// DeskScans lists a session's latest scans, newest first.
func (db *DB) DeskScans(ctx context.Context, sessionHash string, limit int) ([]DeskScan, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+deskScanCols+` FROM desk_scans WHERE session_hash = ?
		ORDER BY id DESC LIMIT ?`, sessionHash, limit)
	if err != nil {
		return nil, fmt.Errorf("store: desk scans: %w", err)
	}
	defer rows.Close()
	var out []DeskScan
	for rows.Next() {
		d, err := scanDeskScan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// DeskScanByID reads one of a session's scans; ErrNotFound for another
// session's.
func DeskScanByID(ctx context.Context, q Querier, sessionHash string, id int64) (*DeskScan, error) {
	d, err := scanDeskScan(q.QueryRowContext(ctx, `SELECT `+deskScanCols+` FROM desk_scans WHERE session_hash = ? AND id = ?`,
		sessionHash, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: desk scan %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: desk scan %d: %w", id, err)
	}
	return d, nil
}

// LastLent is a session's latest loan not undone; ErrNotFound when it
// made none.
func LastLent(ctx context.Context, tx *sql.Tx, sessionHash string) (*DeskScan, error) {
	d, err := scanDeskScan(tx.QueryRowContext(ctx, `SELECT `+deskScanCols+` FROM desk_scans
		WHERE session_hash = ? AND outcome = 'lent' AND undone = 0 ORDER BY id DESC LIMIT 1`, sessionHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: last loan: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: last loan: %w", err)
	}
	return d, nil
}

// MarkUndone records that a scan's loan was undone.
func MarkUndone(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE desk_scans SET undone = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: undo: %w", mapErr(err))
	}
	return nil
}

// UncountLoan takes back the anonymous counts a loan made (the ranking's
// and the day's figures), for a loan undone at the desk.
func UncountLoan(ctx context.Context, tx *sql.Tx, copyID int64, branch, day string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE loan_counts SET count = count - 1 WHERE branch = ? AND day = ? AND count > 0
		AND record_id = (SELECT record_id FROM copies WHERE id = ?)`, branch, day, copyID); err != nil {
		return fmt.Errorf("store: uncount loan: %w", mapErr(err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE daily_counts SET count = count - 1 WHERE branch = ? AND day = ? AND kind = ? AND count > 0`,
		branch, day, CountLoan); err != nil {
		return fmt.Errorf("store: uncount loan: %w", mapErr(err))
	}
	return nil
}

// PutCopyBack restores a copy's status, place and destination as they
// were (a loan undone).
func PutCopyBack(ctx context.Context, tx *sql.Tx, copyID int64, status, at, transitTo string) error {
	var atv, to any
	if at != "" {
		atv = at
	}
	if transitTo != "" {
		to = transitTo
	}
	if _, err := tx.ExecContext(ctx, `UPDATE copies SET status = ?, at_branch = ?, transit_to = ? WHERE id = ?`, status, atv, to, copyID); err != nil {
		return fmt.Errorf("store: put copy back: %w", mapErr(err))
	}
	return nil
}

// AddOverride records that a session lends to a patron despite the
// overdue rule, for the reason given.
func AddOverride(ctx context.Context, tx *sql.Tx, sessionHash string, patronID int64, reason string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO desk_overrides(session_hash, patron_id, reason, at) VALUES(?,?,?,?)
		ON CONFLICT(session_hash, patron_id) DO UPDATE SET reason = excluded.reason, at = excluded.at`,
		sessionHash, patronID, reason, fmtTime(at))
	if err != nil {
		return fmt.Errorf("store: add override: %w", mapErr(err))
	}
	return nil
}

// Override is the reason a session lends to a patron despite the
// overdue rule; ok is false when it does not.
func Override(ctx context.Context, q Querier, sessionHash, card string) (reason string, ok bool, err error) {
	err = q.QueryRowContext(ctx, `SELECT o.reason FROM desk_overrides o JOIN patrons p ON p.id = o.patron_id
		WHERE o.session_hash = ? AND p.card = ?`, sessionHash, card).Scan(&reason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: override: %w", err)
	}
	return reason, true, nil
}

// ClearOverrides ends a session's overrides (the patron left the desk).
func (db *DB) ClearOverrides(ctx context.Context, sessionHash string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM desk_overrides WHERE session_hash = ?`, sessionHash)
		return err
	})
}
