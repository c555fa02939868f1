package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

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

// ContactAttempt is one try to tell a patron that a hold is ready.
type ContactAttempt struct {
	HoldID  int64
	Channel string
	Result  string
	StaffID int64
	At      time.Time
}

// ContactAttempts lists the attempts for holds, oldest first per hold.
func (db *DB) ContactAttempts(ctx context.Context, holdIDs []int64) (map[int64][]ContactAttempt, error) {
	out := map[int64][]ContactAttempt{}
	for start := 0; start < len(holdIDs); start += 500 {
		ids := holdIDs[start:min(start+500, len(holdIDs))]
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := db.read.QueryContext(ctx, `SELECT hold_id, channel, result, COALESCE(staff_id, 0), at
			FROM contact_attempts WHERE hold_id IN (`+placeholders(len(ids))+`) ORDER BY hold_id, id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: contact attempts: %w", err)
		}
		for rows.Next() {
			var a ContactAttempt
			var at string
			if err := rows.Scan(&a.HoldID, &a.Channel, &a.Result, &a.StaffID, &at); err != nil {
				rows.Close()
				return nil, err
			}
			a.At = parseTime(at)
			out[a.HoldID] = append(out[a.HoldID], a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
