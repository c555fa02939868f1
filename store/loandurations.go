package store

import (
	"context"
	"database/sql"
	"fmt"
)

// MaxLoanDays bounds the days a loan's duration is counted under: a
// loan out longer counts as this long, so the table stays small.
const MaxLoanDays = 180

// CountLoanDuration adds one to the anonymous count of loans of a record
// that lasted days (R40: no patron, no date).
func CountLoanDuration(ctx context.Context, tx *sql.Tx, recordID int64, days int) error {
	days = min(max(days, 0), MaxLoanDays)
	_, err := tx.ExecContext(ctx, `INSERT INTO loan_durations(record_id, days, count) VALUES(?, ?, 1)
		ON CONFLICT(record_id, days) DO UPDATE SET count = count + 1`, recordID, days)
	if err != nil {
		return fmt.Errorf("store: count loan duration: %w", mapErr(err))
	}
	return nil
}

// LoanDurations is how many loans lasted each number of days: of one
// record, or of every record of an NDC class (its first digits).
func (db *DB) LoanDurations(ctx context.Context, recordID int64) (map[int]int, error) {
	return db.durations(ctx, `SELECT days, count FROM loan_durations WHERE record_id = ?`, recordID)
}

// ClassLoanDurations is LoanDurations over the records whose NDC starts
// with prefix.
func (db *DB) ClassLoanDurations(ctx context.Context, prefix string) (map[int]int, error) {
	return db.durations(ctx, `SELECT d.days, sum(d.count) FROM loan_durations d JOIN records r ON r.id = d.record_id
		WHERE r.ndc LIKE ? ESCAPE '\' GROUP BY d.days`, likePrefix(prefix))
}

func (db *DB) durations(ctx context.Context, query string, arg any) (map[int]int, error) {
	rows, err := db.read.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("store: loan durations: %w", err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var d, n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, err
		}
		out[d] += n
	}
	return out, rows.Err()
}

// CopyWait is a copy of a record as an estimated wait sees it: where it
// is, and since when it is out (no patron: R40).
type CopyWait struct {
	Branch     string
	Status     string
	LoanedOn   string // YYYY-MM-DD while on loan
	NotForLoan bool
}

// CopyWaits lists the copies of a record that could ever be lent (not
// withdrawn or lost), with the day each copy on loan went out.
func (db *DB) CopyWaits(ctx context.Context, recordID int64) ([]CopyWait, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.branch, c.status, COALESCE(l.loaned_on, ''), c.not_for_loan
		FROM copies c LEFT JOIN loans l ON l.copy_id = c.id
		WHERE c.record_id = ? AND c.status NOT IN ('withdrawn', 'lost') ORDER BY c.id`, recordID)
	if err != nil {
		return nil, fmt.Errorf("store: copy waits: %w", err)
	}
	defer rows.Close()
	var out []CopyWait
	for rows.Next() {
		var w CopyWait
		if err := rows.Scan(&w.Branch, &w.Status, &w.LoanedOn, &w.NotForLoan); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
