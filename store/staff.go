package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Staff is a staff account.
type Staff struct {
	ID           int64
	Username     string
	DisplayName  string
	Role         string
	PasswordHash string
	Disabled     bool
	TOTP         bool // a second factor is set up
}

// AddStaff inserts a staff account inside the caller's transaction.
func AddStaff(ctx context.Context, tx *sql.Tx, s *Staff, now time.Time) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO staff(username, display_name, role, password_hash, created_at)
		VALUES(?,?,?,?,?) RETURNING id`, s.Username, s.DisplayName, s.Role, s.PasswordHash, fmtTime(now)).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("store: add staff %s: %w", s.Username, mapErr(err))
	}
	return nil
}

// UpdateStaff changes a staff account's role, state and, when hash is
// not empty, password; their sessions end when disabled or re-keyed.
func UpdateStaff(ctx context.Context, tx *sql.Tx, username, role string, disabled bool, hash string) error {
	res, err := tx.ExecContext(ctx, `UPDATE staff SET role = ?, disabled = ?,
		password_hash = CASE WHEN ? <> '' THEN ? ELSE password_hash END, failed_logins = 0 WHERE username = ?`,
		role, disabled, hash, hash, username)
	if err != nil {
		return fmt.Errorf("store: update staff: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update staff: %w", ErrNotFound)
	}
	if disabled || hash != "" {
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE staff_id = (SELECT id FROM staff WHERE username = ?)`, username)
	}
	return mapErr(err)
}

// EnabledAdmins reports whether username is an enabled admin, and how
// many other enabled admins there are, inside the caller's transaction.
func EnabledAdmins(ctx context.Context, tx *sql.Tx, username string) (isAdmin bool, others int, err error) {
	err = tx.QueryRowContext(ctx, `SELECT coalesce(max(username = ?), 0), coalesce(sum(username <> ?), 0)
		FROM staff WHERE role = 'admin' AND disabled = 0`, username, username).Scan(&isAdmin, &others)
	if err != nil {
		return false, 0, fmt.Errorf("store: enabled admins: %w", mapErr(err))
	}
	return isAdmin, others, nil
}

// StaffByID returns a staff account.
func (db *DB) StaffByID(ctx context.Context, id int64) (*Staff, error) {
	var s Staff
	err := db.read.QueryRowContext(ctx, `SELECT id, username, display_name, role, disabled FROM staff WHERE id = ?`, id).
		Scan(&s.ID, &s.Username, &s.DisplayName, &s.Role, &s.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: staff: %w", ErrNotFound)
	}
	return &s, err
}

// StaffList lists staff accounts.
func (db *DB) StaffList(ctx context.Context) ([]Staff, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, username, display_name, role, disabled, totp_secret <> ''
		FROM staff ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("store: staff list: %w", err)
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		var s Staff
		if err := rows.Scan(&s.ID, &s.Username, &s.DisplayName, &s.Role, &s.Disabled, &s.TOTP); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// StaffCount is the number of staff accounts that are not disabled.
func (db *DB) StaffCount(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM staff WHERE disabled = 0").Scan(&n)
	return n, err
}

// StaffCredentials reads a staff account for login.
func StaffCredentials(ctx context.Context, tx *sql.Tx, username string) (*Staff, error) {
	var s Staff
	err := tx.QueryRowContext(ctx, `SELECT id, username, display_name, role, password_hash, disabled, totp_secret <> ''
		FROM staff WHERE username = ?`, username).
		Scan(&s.ID, &s.Username, &s.DisplayName, &s.Role, &s.PasswordHash, &s.Disabled, &s.TOTP)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: staff: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: staff: %w", err)
	}
	return &s, nil
}

// StaffLoginFailed counts a failed login of a staff account and returns
// its failures since its last login.
func StaffLoginFailed(ctx context.Context, tx *sql.Tx, staffID int64, now time.Time) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `UPDATE staff SET failed_logins = failed_logins + 1, last_failed_at = ?
		WHERE id = ? RETURNING failed_logins`, fmtTime(now), staffID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: staff login: %w", mapErr(err))
	}
	return n, nil
}

// StaffLoginSucceeded clears a staff account's failure count.
func StaffLoginSucceeded(ctx context.Context, tx *sql.Tx, staffID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE staff SET failed_logins = 0, last_failed_at = '' WHERE id = ?`, staffID); err != nil {
		return fmt.Errorf("store: staff login: %w", mapErr(err))
	}
	return nil
}

// StaffFailures is a staff account's failed logins since its last login.
type StaffFailures struct {
	Username string
	Failures int
	Latest   time.Time
}

// StaffFailures lists the staff accounts with at least min failed logins
// since their last login, most first.
func (db *DB) StaffFailures(ctx context.Context, min int) ([]StaffFailures, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT username, failed_logins, last_failed_at FROM staff
		WHERE failed_logins >= ? ORDER BY failed_logins DESC, username`, min)
	if err != nil {
		return nil, fmt.Errorf("store: staff failures: %w", err)
	}
	defer rows.Close()
	var out []StaffFailures
	for rows.Next() {
		var f StaffFailures
		var latest string
		if err := rows.Scan(&f.Username, &f.Failures, &latest); err != nil {
			return nil, err
		}
		f.Latest = parseTime(latest)
		out = append(out, f)
	}
	return out, rows.Err()
}

// StaffTOTP is a staff account's second factor as stored: secrets sealed
// by the library.
type StaffTOTP struct {
	Username string
	Disabled bool
	Secret   string // "" when none is set up
	Pending  string // a secret shown for enrolment, not yet confirmed
	LastStep int64  // the latest time step whose code was accepted
	Recovery int    // recovery codes left
}

// StaffTOTPOf reads a staff account's second factor.
func StaffTOTPOf(ctx context.Context, tx *sql.Tx, staffID int64) (*StaffTOTP, error) {
	var t StaffTOTP
	err := tx.QueryRowContext(ctx, `SELECT username, disabled, totp_secret, totp_pending, totp_last_step,
		(SELECT count(*) FROM staff_recovery_codes WHERE staff_id = staff.id) FROM staff WHERE id = ?`, staffID).
		Scan(&t.Username, &t.Disabled, &t.Secret, &t.Pending, &t.LastStep, &t.Recovery)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: staff: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: staff TOTP: %w", err)
	}
	return &t, nil
}

// SetStaffTOTPPending keeps a secret shown for enrolment.
func SetStaffTOTPPending(ctx context.Context, tx *sql.Tx, staffID int64, sealed string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE staff SET totp_pending = ? WHERE id = ?`, sealed, staffID); err != nil {
		return fmt.Errorf("store: staff TOTP: %w", mapErr(err))
	}
	return nil
}

// EnableStaffTOTP makes the pending secret the account's second factor,
// with step as used and the hashes of new recovery codes.
func EnableStaffTOTP(ctx context.Context, tx *sql.Tx, staffID int64, step int64, recovery []string) error {
	_, err := tx.ExecContext(ctx, `UPDATE staff SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ?
		WHERE id = ? AND totp_pending <> ''`, step, staffID)
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE staff_id = ?`, staffID)
	}
	for _, h := range recovery {
		if err != nil {
			break
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO staff_recovery_codes(staff_id, code_hash) VALUES(?,?)`, staffID, h)
	}
	if err != nil {
		return fmt.Errorf("store: enable staff TOTP: %w", mapErr(err))
	}
	return nil
}

// DisableStaffTOTP removes a staff account's second factor and its
// recovery codes.
func DisableStaffTOTP(ctx context.Context, tx *sql.Tx, staffID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE staff SET totp_secret = '', totp_pending = '', totp_last_step = 0 WHERE id = ?`, staffID)
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE staff_id = ?`, staffID)
	}
	if err != nil {
		return fmt.Errorf("store: disable staff TOTP: %w", mapErr(err))
	}
	return nil
}

// UseTOTPStep records that a code of step was accepted; false when a
// code of that step or a later one was accepted already (a code works
// once).
func UseTOTPStep(ctx context.Context, tx *sql.Tx, staffID, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE staff SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, staffID, step)
	if err != nil {
		return false, fmt.Errorf("store: staff TOTP step: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// UseRecoveryCode deletes a recovery code of the account by its hash;
// false when it has none such (never issued, or used already).
func UseRecoveryCode(ctx context.Context, tx *sql.Tx, staffID int64, hash string) (bool, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM staff_recovery_codes WHERE staff_id = ? AND code_hash = ?`, staffID, hash)
	if err != nil {
		return false, fmt.Errorf("store: recovery code: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
