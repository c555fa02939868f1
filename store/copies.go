package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Copy statuses. The first five are the API's item statuses.
const (
	CopyOnShelf     = "on_shelf"
	CopyOnLoan      = "on_loan"
	CopyInTransit   = "in_transit"
	CopyOnHoldShelf = "on_hold_shelf"
	CopyMissing     = "missing"
	CopyWithdrawn   = "withdrawn"
)

// Copy is one physical item of a record.
type Copy struct {
	ID         int64
	RecordID   int64
	Barcode    string
	Branch     string
	Location   string
	CallNumber string
	Status     string
	TransitTo  string
	ShelvedOn  string // YYYY-MM-DD
	AcquiredOn string // YYYY-MM-DD
	DueDate    string // YYYY-MM-DD while on loan, from the loan
}

const copyCols = `c.id, c.record_id, c.barcode, c.branch, c.location, c.call_number, c.status,
	COALESCE(c.transit_to, ''), c.shelved_on, c.acquired_on, COALESCE(l.due_date, '')`

func scanCopies(rows *sql.Rows) ([]Copy, error) {
	defer rows.Close()
	var out []Copy
	for rows.Next() {
		var c Copy
		if err := rows.Scan(&c.ID, &c.RecordID, &c.Barcode, &c.Branch, &c.Location, &c.CallNumber,
			&c.Status, &c.TransitTo, &c.ShelvedOn, &c.AcquiredOn, &c.DueDate); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CopiesOf returns the copies of several records, keyed by record id.
func (db *DB) CopiesOf(ctx context.Context, recordIDs []int64) (map[int64][]Copy, error) {
	out := make(map[int64][]Copy, len(recordIDs))
	if len(recordIDs) == 0 {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+copyCols+` FROM copies c
		LEFT JOIN loans l ON l.copy_id = c.id
		LEFT JOIN branches b ON b.code = c.branch
		WHERE c.record_id IN (`+placeholders(len(recordIDs))+`) AND c.status <> 'withdrawn'
		ORDER BY b.sort_order, c.barcode`, int64Args(recordIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: copies of: %w", err)
	}
	cs, err := scanCopies(rows)
	for _, c := range cs {
		out[c.RecordID] = append(out[c.RecordID], c)
	}
	return out, err
}

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

// InTransit lists copies travelling to or from a branch.
func (db *DB) InTransit(ctx context.Context, branch string) ([]Copy, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+copyCols+` FROM copies c LEFT JOIN loans l ON l.copy_id = c.id
		WHERE c.status = 'in_transit' AND (c.transit_to = ? OR c.branch = ?) ORDER BY c.transit_to, c.barcode`, branch, branch)
	if err != nil {
		return nil, fmt.Errorf("store: in transit: %w", err)
	}
	return scanCopies(rows)
}
