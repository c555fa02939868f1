package store

import (
	"context"
	"database/sql"
	"fmt"
)

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
