package store

import (
	"context"
	"database/sql"
	"fmt"
)

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
