package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const patronRowCols = `id, card, name, name_yomi, birth_date, address, phone, mobile, email,
	COALESCE(home_branch, ''), category, expiry`

func scanPatronRow(sc interface{ Scan(...any) error }) (*Patron, error) {
	var p Patron
	err := sc.Scan(&p.ID, &p.Card, &p.Name, &p.NameYomi, &p.BirthDate, &p.Address, &p.Phone, &p.Mobile,
		&p.Email, &p.HomeBranch, &p.Category, &p.Expiry)
	return &p, err
}

// PatronRowByCard reads a patron by card inside tx (ErrNotFound when
// there is none).
func PatronRowByCard(ctx context.Context, q Querier, card string) (*Patron, error) {
	p, err := scanPatronRow(q.QueryRowContext(ctx, `SELECT `+patronRowCols+` FROM patrons WHERE card = ?`, card))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: patron: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: patron: %w", err)
	}
	return p, nil
}

// AddPatronRow inserts a patron brought over from another system, with
// the card it had there and a temporary password issued now.
func AddPatronRow(ctx context.Context, tx *sql.Tx, p *Patron, hash string, now time.Time) error {
	var home any
	if p.HomeBranch != "" {
		home = p.HomeBranch
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO patrons(card, name, name_yomi, birth_date, address, phone,
		mobile, email, home_branch, category, expiry, password_hash, password_temporary, password_issued_at, created_at)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,1,?,?) RETURNING id`,
		p.Card, p.Name, p.NameYomi, p.BirthDate, p.Address, p.Phone, p.Mobile, p.Email, home, p.Category, p.Expiry,
		hash, fmtTime(now), fmtTime(now)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: add patron: %w", mapErr(err))
	}
	return nil
}

// UpdatePatronRow writes a patron's details and expiry (not the card
// or the password).
func UpdatePatronRow(ctx context.Context, tx *sql.Tx, p *Patron) error {
	if err := UpdatePatron(ctx, tx, p); err != nil {
		return err
	}
	return SetPatronExpiry(ctx, tx, p.Card, p.Expiry)
}

// RecordIDBySource returns the id of the record with a source key
// (ErrNotFound when none has it).
func RecordIDBySource(ctx context.Context, q Querier, source string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM records WHERE source = ?`, source).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: record %q: %w", source, ErrNotFound)
	}
	return id, err
}

// RecordIDByISBN returns the id of the first record with an ISBN-13.
func RecordIDByISBN(ctx context.Context, q Querier, isbn13 string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM records WHERE isbn = ? ORDER BY id LIMIT 1`, isbn13).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: record isbn %s: %w", isbn13, ErrNotFound)
	}
	return id, err
}

// MARCSourcePrefixes lists the "marc:ORG:" prefixes of the records'
// source keys, one per organisation that catalogued them: a vendor's
// hold file names a title by its own record id, the 001 its MARC export
// gave, without the organisation. One pass over the sources.
func (db *DB) MARCSourcePrefixes(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT substr(source, 1, 5 + instr(substr(source, 6), ':'))
		FROM records WHERE source LIKE 'marc:%'`)
	if err != nil {
		return nil, fmt.Errorf("store: source prefixes: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CopyState is what a loan or a hold brought over needs to know of a
// copy.
type CopyState struct {
	ID         int64
	RecordID   int64
	Branch     string
	Status     string
	NotForLoan bool
	HeldBy     int64 // the hold it is allocated to (on a hold shelf or on its way); 0 for none
	// The copy's loan, when it is out: its id, patron and days.
	LoanID, LoanPatron int64
	LoanedOn, DueDate  string
}

// CopyForMoveIn reads a copy by barcode with its loan, if any.
func CopyForMoveIn(ctx context.Context, q Querier, barcode string) (*CopyState, error) {
	var c CopyState
	err := q.QueryRowContext(ctx, `SELECT c.id, c.record_id, c.branch, c.status, c.not_for_loan,
		COALESCE((SELECT h.id FROM holds h WHERE h.copy_id = c.id), 0),
		COALESCE(l.id, 0), COALESCE(l.patron_id, 0), COALESCE(l.loaned_on, ''), COALESCE(l.due_date, '')
		FROM copies c LEFT JOIN loans l ON l.copy_id = c.id WHERE c.barcode = ?`, barcode).
		Scan(&c.ID, &c.RecordID, &c.Branch, &c.Status, &c.NotForLoan, &c.HeldBy, &c.LoanID, &c.LoanPatron, &c.LoanedOn, &c.DueDate)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: copy %q: %w", barcode, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: copy %q: %w", barcode, err)
	}
	return &c, nil
}

// SetLoanDates sets a loan's loan and due days (a loan brought over
// again with the other system's days).
func SetLoanDates(ctx context.Context, tx *sql.Tx, loanID int64, loanedOn, due string) error {
	_, err := tx.ExecContext(ctx, `UPDATE loans SET loaned_on = ?, due_date = ? WHERE id = ?`, loanedOn, due, loanID)
	if err != nil {
		return fmt.Errorf("store: loan dates: %w", mapErr(err))
	}
	return nil
}

// SetHoldPlaced sets a waiting hold's placing time, pickup library and
// contact (a hold brought over again with the other system's values).
func SetHoldPlaced(ctx context.Context, tx *sql.Tx, holdID int64, placed time.Time, pickup, contact string) error {
	_, err := tx.ExecContext(ctx, `UPDATE holds SET placed_at = ?, pickup_branch = ?, contact = ? WHERE id = ? AND status = 'waiting'`,
		fmtTime(placed), pickup, contact, holdID)
	if err != nil {
		return fmt.Errorf("store: hold placed: %w", mapErr(err))
	}
	return nil
}
