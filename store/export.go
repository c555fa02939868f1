package store

import (
	"context"
	"fmt"
	"time"
)

// exportPage is how many rows an export reads at a time: each page is a
// read of its own, so a long export holds no snapshot that would keep
// the WAL from being folded into the database, and memory stays flat.
const exportPage = 2000

// eachPage reads a table in pages of rows with ids above the last one
// seen; scan reads one row and returns its id.
func (db *DB) eachPage(ctx context.Context, query string, scan func(sc interface{ Scan(...any) error }) (int64, error)) error {
	var last int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, err := db.read.QueryContext(ctx, query, last, exportPage)
		if err != nil {
			return fmt.Errorf("store: export: %w", err)
		}
		n := 0
		for rows.Next() {
			id, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			last = id
			n++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: export: %w", err)
		}
		if n < exportPage {
			return nil
		}
	}
}

// EachRecord calls fn with every record, in id order.
func (db *DB) EachRecord(ctx context.Context, fn func(*Record) error) error {
	return db.eachPage(ctx, "SELECT "+recordCols+" FROM records WHERE id > ? ORDER BY id LIMIT ?",
		func(sc interface{ Scan(...any) error }) (int64, error) {
			r, err := scanRecord(sc)
			if err != nil {
				return 0, err
			}
			return r.ID, fn(r)
		})
}

// EachPatron calls fn with every patron, in id order.
func (db *DB) EachPatron(ctx context.Context, fn func(*Patron) error) error {
	return db.eachPage(ctx, "SELECT "+patronRowCols+" FROM patrons WHERE id > ? ORDER BY id LIMIT ?",
		func(sc interface{ Scan(...any) error }) (int64, error) {
			p, err := scanPatronRow(sc)
			if err != nil {
				return 0, err
			}
			return p.ID, fn(p)
		})
}

// LoanRow is an open loan as a move out writes it.
type LoanRow struct {
	ID                int64
	Card, Barcode     string
	LoanedOn, DueDate string
}

// EachLoan calls fn with every open loan, in id order.
func (db *DB) EachLoan(ctx context.Context, fn func(*LoanRow) error) error {
	return db.eachPage(ctx, `SELECT l.id, p.card, c.barcode, l.loaned_on, l.due_date FROM loans l
		JOIN patrons p ON p.id = l.patron_id JOIN copies c ON c.id = l.copy_id WHERE l.id > ? ORDER BY l.id LIMIT ?`,
		func(sc interface{ Scan(...any) error }) (int64, error) {
			var l LoanRow
			if err := sc.Scan(&l.ID, &l.Card, &l.Barcode, &l.LoanedOn, &l.DueDate); err != nil {
				return 0, err
			}
			return l.ID, fn(&l)
		})
}

// HoldRow is a hold as a move out writes it.
type HoldRow struct {
	ID              int64
	Card            string
	Source, ISBN    string // the title's source key and ISBN
	PlacedAt        time.Time
	Pickup, Contact string
	Status          string
	Barcode         string // the copy kept for it or on its way to it; "" while waiting
	PickupDeadline  string // "" until the patron is told
	From            string // in transit: the library the copy left from, when known
}

// EachHold calls fn with every hold, in id order.
func (db *DB) EachHold(ctx context.Context, fn func(*HoldRow) error) error {
	return db.eachPage(ctx, `SELECT h.id, p.card, r.source, r.isbn, h.placed_at, h.pickup_branch, h.contact, h.status,
		COALESCE(c.barcode, ''), COALESCE(h.pickup_deadline, ''),
		CASE WHEN c.status = 'in_transit' THEN COALESCE(c.at_branch, '') ELSE '' END
		FROM holds h JOIN patrons p ON p.id = h.patron_id JOIN records r ON r.id = h.record_id
		LEFT JOIN copies c ON c.id = h.copy_id
		WHERE h.id > ? ORDER BY h.id LIMIT ?`,
		func(sc interface{ Scan(...any) error }) (int64, error) {
			var h HoldRow
			var placed string
			if err := sc.Scan(&h.ID, &h.Card, &h.Source, &h.ISBN, &placed, &h.Pickup, &h.Contact, &h.Status, &h.Barcode, &h.PickupDeadline, &h.From); err != nil {
				return 0, err
			}
			h.PlacedAt = parseTime(placed)
			return h.ID, fn(&h)
		})
}
