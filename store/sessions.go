package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a logged-in browser or API client. The id itself is never
// stored, only its hash.
type Session struct {
	IDHash     string
	PatronID   int64
	StaffID    int64
	Kind       string // web, api, kiosk
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// AddSession stores a new session inside the caller's transaction.
func AddSession(ctx context.Context, tx *sql.Tx, s Session) error {
	var patron, staff any
	if s.PatronID != 0 {
		patron = s.PatronID
	}
	if s.StaffID != 0 {
		staff = s.StaffID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions(id_hash, patron_id, staff_id, kind, created_at, last_seen_at)
		VALUES(?,?,?,?,?,?)`, s.IDHash, patron, staff, s.Kind, fmtTime(s.CreatedAt), fmtTime(s.LastSeenAt))
	if err != nil {
		return fmt.Errorf("store: add session: %w", mapErr(err))
	}
	return nil
}

// SessionHolder is a session with what the server needs of its holder,
// read in one query on every request.
type SessionHolder struct {
	Session
	Card, Name, Username, Role string
	Temporary, Disabled        bool
}

// SessionWithHolder returns a session and its patron or staff account.
func (db *DB) SessionWithHolder(ctx context.Context, idHash string) (*SessionHolder, error) {
	var s SessionHolder
	var patron, staff sql.NullInt64
	var created, seen string
	var card, name, user, sname, role sql.NullString
	var temp, disabled sql.NullBool
	err := db.read.QueryRowContext(ctx, `SELECT s.id_hash, s.patron_id, s.staff_id, s.kind, s.created_at, s.last_seen_at,
		p.card, p.name, p.password_temporary, st.username, st.display_name, st.role, st.disabled
		FROM sessions s LEFT JOIN patrons p ON p.id = s.patron_id LEFT JOIN staff st ON st.id = s.staff_id
		WHERE s.id_hash = ?`, idHash).Scan(&s.IDHash, &patron, &staff, &s.Kind, &created, &seen,
		&card, &name, &temp, &user, &sname, &role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	s.PatronID, s.StaffID = patron.Int64, staff.Int64
	s.CreatedAt, s.LastSeenAt = parseTime(created), parseTime(seen)
	s.Card, s.Temporary, s.Username, s.Role, s.Disabled = card.String, temp.Bool, user.String, role.String, disabled.Bool
	s.Name = name.String
	if s.StaffID != 0 {
		s.Name = sname.String
	}
	return &s, nil
}

// TouchSession records activity on a session.
func (db *DB) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, fmtTime(now), idHash)
		return err
	})
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
		return err
	})
}

// DeletePatronSessions ends every session of a patron, inside the
// caller's transaction (after a password change or reissue).
func DeletePatronSessions(ctx context.Context, tx *sql.Tx, patronID int64, except string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE patron_id = ? AND id_hash <> ?`, patronID, except)
	if err != nil {
		return fmt.Errorf("store: delete sessions: %w", mapErr(err))
	}
	return nil
}

// DeleteSessionsBefore removes sessions idle since before idle or created
// before absolute.
func (db *DB) DeleteSessionsBefore(ctx context.Context, idle, absolute time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`, fmtTime(idle), fmtTime(absolute))
		return err
	})
}
