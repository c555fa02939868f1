package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Audit records a staff action: who, what, when. The detail names the
// thing acted on, never what a patron read.
func Audit(ctx context.Context, tx *sql.Tx, staffID int64, action, detail string, at time.Time) error {
	var staff any
	if staffID != 0 {
		staff = staffID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log(staff_id, action, detail, at) VALUES(?,?,?,?)`, staff, action, detail, fmtTime(at))
	if err != nil {
		return fmt.Errorf("store: audit: %w", mapErr(err))
	}
	return nil
}

// AuditEntry is one line of the staff log.
type AuditEntry struct {
	Staff  string
	Action string
	Detail string
	At     time.Time
}

// AuditLog lists the latest staff actions.
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT COALESCE(s.username, ''), a.action, a.detail, a.at FROM audit_log a
		LEFT JOIN staff s ON s.id = a.staff_id ORDER BY a.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.Staff, &e.Action, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
