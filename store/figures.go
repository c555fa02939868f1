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

// Gauges are how many of the things staff watch there are now, for
// /metrics: loans out, holds by status, messages by outbox status.
type Gauges struct {
	Loans  int
	Holds  map[string]int // waiting, in_transit, ready
	Outbox map[string]int // pending, sent, failed
}

// CurrentGauges counts them.
func (db *DB) CurrentGauges(ctx context.Context) (Gauges, error) {
	g := Gauges{Holds: map[string]int{}, Outbox: map[string]int{}}
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM loans`).Scan(&g.Loans); err != nil {
		return g, fmt.Errorf("store: gauges: %w", mapErr(err))
	}
	for table, m := range map[string]map[string]int{"holds": g.Holds, "outbox": g.Outbox} {
		rows, err := db.read.QueryContext(ctx, `SELECT status, count(*) FROM `+table+` GROUP BY status`)
		if err != nil {
			return g, fmt.Errorf("store: gauges: %w", mapErr(err))
		}
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				rows.Close()
				return g, err
			}
			m[s] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return g, err
		}
	}
	return g, nil
}
