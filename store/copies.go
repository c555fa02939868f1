package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Copy statuses. The first five are the API's item statuses.
const (
	CopyOnShelf     = "on_shelf"
	CopyOnLoan      = "on_loan"
	CopyInTransit   = "in_transit"
	CopyOnHoldShelf = "on_hold_shelf"
	CopyMissing     = "missing" // 調査中: not where it should be
	CopyWithdrawn   = "withdrawn"
	CopyRepair      = "repair" // 修理中
	CopyLost        = "lost"   // 紛失
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
	// AtBranch is the library the copy is at; in transit, the one it
	// left from. "" on loan (with the patron), and for a copy that went
	// into transit before libraries were recorded (migration 9).
	AtBranch   string
	ShelvedOn  string // YYYY-MM-DD
	AcquiredOn string // YYYY-MM-DD
	DueDate    string // YYYY-MM-DD while on loan, from the loan
	// NotForLoan is the flag 禁帯出: read in the library, never lent,
	// never sent to a hold.
	NotForLoan bool
}

// copyCols are a Copy's columns, of copies c LEFT JOIN loans l. A NULL
// at_branch is the home library (see migration 9) but on loan and in
// transit.
const copyCols = `c.id, c.record_id, c.barcode, c.branch, c.location, c.call_number, c.status,
	COALESCE(c.transit_to, ''),
	CASE WHEN c.status = 'on_loan' THEN '' WHEN c.at_branch IS NOT NULL THEN c.at_branch
		WHEN c.status = 'in_transit' THEN '' ELSE c.branch END,
	c.shelved_on, c.acquired_on, COALESCE(l.due_date, ''), c.not_for_loan`

func scanCopy(sc interface{ Scan(...any) error }, c *Copy, more ...any) error {
	return sc.Scan(append([]any{&c.ID, &c.RecordID, &c.Barcode, &c.Branch, &c.Location, &c.CallNumber,
		&c.Status, &c.TransitTo, &c.AtBranch, &c.ShelvedOn, &c.AcquiredOn, &c.DueDate, &c.NotForLoan}, more...)...)
}

func scanCopies(rows *sql.Rows) ([]Copy, error) {
	defer rows.Close()
	var out []Copy
	for rows.Next() {
		var c Copy
		if err := scanCopy(rows, &c); err != nil {
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
	err := scanCopy(tx.QueryRowContext(ctx, `SELECT `+copyCols+`
		FROM copies c LEFT JOIN loans l ON l.copy_id = c.id WHERE c.barcode = ?`, barcode), &c)
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

// SetCopyStatus changes a copy's status where it is; transitTo is ""
// unless it is in transit.
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

// MoveCopy records a copy at library at ("" leaves where it was) with a
// new status; transitTo is "" unless it is in transit from at.
func MoveCopy(ctx context.Context, tx *sql.Tx, copyID int64, status, at, transitTo string) error {
	var to any
	if transitTo != "" {
		to = transitTo
	}
	_, err := tx.ExecContext(ctx, `UPDATE copies SET status = ?, transit_to = ?, at_branch = COALESCE(NULLIF(?, ''), at_branch)
		WHERE id = ?`, status, to, at, copyID)
	if err != nil {
		return fmt.Errorf("store: move copy: %w", mapErr(err))
	}
	return nil
}

// TransitCopy is a copy in transit with what its slip and list say.
type TransitCopy struct {
	Copy
	Title  string
	HoldID int64 // the hold it travels for; 0 when it goes home
}

// InTransit lists the copies in transit that a library sends (they
// left from it and are not yet received) or receives, by destination
// and barcode; a copy whose origin nobody recorded is listed only by
// where it goes.
func (db *DB) InTransit(ctx context.Context, branch string) (out, in []TransitCopy, err error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+copyCols+`, r.title, COALESCE(h.id, 0)
		FROM copies c JOIN records r ON r.id = c.record_id LEFT JOIN loans l ON l.copy_id = c.id
		LEFT JOIN holds h ON h.copy_id = c.id
		WHERE c.status = 'in_transit' AND (c.at_branch = ? OR c.transit_to = ?) ORDER BY c.transit_to, c.barcode`, branch, branch)
	if err != nil {
		return nil, nil, fmt.Errorf("store: in transit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t TransitCopy
		if err := scanCopy(rows, &t.Copy, &t.Title, &t.HoldID); err != nil {
			return nil, nil, err
		}
		if t.TransitTo == branch {
			in = append(in, t)
		} else {
			out = append(out, t)
		}
	}
	return out, in, rows.Err()
}

// LapsedCopy is a copy left on a library's hold shelf by a hold that
// lapsed or was cancelled there: staff take it off and scan it (R55).
type LapsedCopy struct {
	Copy
	Title string
}

// LapsedCopies lists the copies on branch's hold shelf that no hold
// waits for any more.
func (db *DB) LapsedCopies(ctx context.Context, branch string) ([]LapsedCopy, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+copyCols+`, r.title
		FROM copies c JOIN records r ON r.id = c.record_id LEFT JOIN loans l ON l.copy_id = c.id
		WHERE c.status = 'on_hold_shelf' AND COALESCE(c.at_branch, c.branch) = ?
		  AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.copy_id = c.id)
		ORDER BY c.barcode`, branch)
	if err != nil {
		return nil, fmt.Errorf("store: lapsed copies: %w", err)
	}
	defer rows.Close()
	var out []LapsedCopy
	for rows.Next() {
		var lc LapsedCopy
		if err := scanCopy(rows, &lc.Copy, &lc.Title); err != nil {
			return nil, err
		}
		out = append(out, lc)
	}
	return out, rows.Err()
}

// SetCopyState sets a copy's status (on the shelf, 修理中, 紛失, 調査中)
// and its flag 禁帯出, as staff decide them.
func SetCopyState(ctx context.Context, tx *sql.Tx, copyID int64, status string, notForLoan bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE copies SET status = ?, not_for_loan = ? WHERE id = ?`, status, notForLoan, copyID)
	if err != nil {
		return fmt.Errorf("store: copy state: %w", mapErr(err))
	}
	return nil
}

// LendableCopies counts the copies of a record, and those of them that
// could ever be lent: not withdrawn or lost, not 禁帯出.
func LendableCopies(ctx context.Context, q Querier, recordID int64) (lendable, all int, err error) {
	err = q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(status NOT IN ('withdrawn', 'lost') AND not_for_loan = 0), 0)
		FROM copies WHERE record_id = ?`, recordID).Scan(&all, &lendable)
	if err != nil {
		return 0, 0, fmt.Errorf("store: lendable copies: %w", err)
	}
	return lendable, all, nil
}

// TitleOfBarcode is the title of the record a barcode's copy belongs to
// ("" when no copy has it).
func (db *DB) TitleOfBarcode(ctx context.Context, barcode string) (string, error) {
	var t string
	err := db.read.QueryRowContext(ctx, `SELECT r.title FROM copies c JOIN records r ON r.id = c.record_id WHERE c.barcode = ?`, barcode).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return t, err
}

// RecordOfBarcode is the record a barcode's copy belongs to; ErrNotFound
// when no copy has it.
func (db *DB) RecordOfBarcode(ctx context.Context, barcode string) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT record_id FROM copies WHERE barcode = ?`, barcode).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: copy %q: %w", barcode, ErrNotFound)
	}
	return id, err
}

// RecordsByCallNumber lists the records with a copy whose call number
// begins with prefix, by call number.
func (db *DB) RecordsByCallNumber(ctx context.Context, prefix string, limit int) ([]int64, error) {
	return db.ids(ctx, "records by call number", `SELECT record_id FROM copies WHERE call_number LIKE ? ESCAPE '\' AND status <> 'withdrawn'
		GROUP BY record_id ORDER BY min(call_number), record_id LIMIT ?`, likePrefix(prefix), limit)
}

// likePrefix is a LIKE pattern for what begins with s.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}
