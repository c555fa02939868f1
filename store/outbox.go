package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Kinds of message in the outbox.
const (
	MailHoldReady      = "hold_ready"
	MailPickupReminder = "pickup_reminder"
	MailHoldLapsed     = "hold_lapsed"
	MailDueReminder    = "due_reminder"
	MailOverdue        = "overdue"
	MailAddressNew     = "address_new"
	MailAddressOld     = "address_old"
)

// States of an outbox message.
const (
	MailPending = "pending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// Mail is one message in the outbox.
type Mail struct {
	ID        int64
	Kind      string
	HoldID    int64 // 0 unless about a hold
	PatronID  int64
	Branch    string
	To        string
	Subject   string
	Body      string
	Deadline  string // hold-ready: the pickup deadline the body states
	Status    string
	Attempts  int
	NextTryAt time.Time
	LastError string
	CreatedAt time.Time
	SentAt    time.Time
}

const mailCols = `id, kind, COALESCE(hold_id, 0), COALESCE(patron_id, 0), branch, to_addr, subject, body, deadline,
	status, attempts, next_try_at, last_error, created_at, COALESCE(sent_at, '')`

func scanMail(sc interface{ Scan(...any) error }) (*Mail, error) {
	var m Mail
	var next, created, sent string
	if err := sc.Scan(&m.ID, &m.Kind, &m.HoldID, &m.PatronID, &m.Branch, &m.To, &m.Subject, &m.Body, &m.Deadline,
		&m.Status, &m.Attempts, &next, &m.LastError, &created, &sent); err != nil {
		return nil, err
	}
	m.NextTryAt, m.CreatedAt, m.SentAt = parseTime(next), parseTime(created), parseTime(sent)
	return &m, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// EnqueueMail writes a message to the outbox inside the caller's
// transaction, so it exists exactly when the event that caused it does.
func EnqueueMail(ctx context.Context, tx *sql.Tx, m *Mail, now time.Time) error {
	m.Status, m.NextTryAt, m.CreatedAt = MailPending, now, now
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox(kind, hold_id, patron_id, branch, to_addr, subject, body, deadline,
		status, next_try_at, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)`,
		m.Kind, nullID(m.HoldID), nullID(m.PatronID), m.Branch, m.To, m.Subject, m.Body, m.Deadline,
		MailPending, fmtTime(now), fmtTime(now))
	if err != nil {
		return fmt.Errorf("store: enqueue mail: %w", mapErr(err))
	}
	m.ID, err = res.LastInsertId()
	return err
}

// DueMail lists pending messages whose time to try has come, oldest first.
func (db *DB) DueMail(ctx context.Context, now time.Time, limit int) ([]Mail, error) {
	return db.mails(ctx, `WHERE status = 'pending' AND next_try_at <= ? ORDER BY next_try_at, id LIMIT ?`, fmtTime(now), limit)
}

// NextMailTry is when the earliest pending message is next due, or zero.
func (db *DB) NextMailTry(ctx context.Context) (time.Time, error) {
	var s sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT min(next_try_at) FROM outbox WHERE status = 'pending'`).Scan(&s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next mail: %w", err)
	}
	return parseTime(s.String), nil
}

// Outbox lists messages for staff, newest first; status "" lists all.
func (db *DB) Outbox(ctx context.Context, status string, limit int) ([]Mail, error) {
	return db.mails(ctx, `WHERE (? = '' OR status = ?) ORDER BY id DESC LIMIT ?`, status, status, limit)
}

func (db *DB) mails(ctx context.Context, where string, args ...any) ([]Mail, error) {
	return queryMails(ctx, db.read, where, args...)
}

// queryMails reads the messages where says, through q (the readers, or
// a transaction).
func queryMails(ctx context.Context, q Querier, where string, args ...any) ([]Mail, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+mailCols+` FROM outbox `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// MailByID reads a message inside the caller's transaction.
func MailByID(ctx context.Context, tx *sql.Tx, id int64) (*Mail, error) {
	m, err := scanMail(tx.QueryRowContext(ctx, `SELECT `+mailCols+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: mail %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: mail %d: %w", id, err)
	}
	return m, nil
}

// RewriteMail replaces a pending message's text and stated deadline
// (a hold-ready message is written anew on the day it goes out).
func RewriteMail(ctx context.Context, tx *sql.Tx, id int64, subject, body, deadline string) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET subject = ?, body = ?, deadline = ? WHERE id = ? AND status = 'pending'`,
		subject, body, deadline, id)
	if err != nil {
		return fmt.Errorf("store: rewrite mail: %w", mapErr(err))
	}
	return nil
}

// MarkMailSent records that the SMTP server accepted a message. It
// reports false when the message is no longer pending (forgotten, or
// already marked), so its consequences are not applied twice.
func MarkMailSent(ctx context.Context, tx *sql.Tx, id int64, at time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = ''
		WHERE id = ? AND status = 'pending'`, fmtTime(at), id)
	if err != nil {
		return false, fmt.Errorf("store: mail sent: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkMailRetry records a temporary failure and when to try again.
func MarkMailRetry(ctx context.Context, tx *sql.Tx, id int64, next time.Time, reason string) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_try_at = ?, last_error = ?
		WHERE id = ? AND status = 'pending'`, fmtTime(next), reason, id)
	if err != nil {
		return fmt.Errorf("store: mail retry: %w", mapErr(err))
	}
	return nil
}

// MarkMailFailed records a permanent failure; it reports false when the
// message was no longer pending.
func MarkMailFailed(ctx context.Context, tx *sql.Tx, id int64, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?
		WHERE id = ? AND status = 'pending'`, reason, id)
	if err != nil {
		return false, fmt.Errorf("store: mail failed: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RetryMail puts a failed message back in the queue (staff asked for it).
func RetryMail(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', next_try_at = ?, created_at = ?
		WHERE id = ? AND status = 'failed'`, fmtTime(now), fmtTime(now), id)
	if err != nil {
		return false, fmt.Errorf("store: retry mail: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PruneOutbox forgets messages delivered or failed before a time.
func (db *DB) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE status != 'pending' AND created_at < ?`, fmtTime(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune outbox: %w", err)
	}
	return n, nil
}

// PendingMail counts messages waiting to go out.
func (db *DB) PendingMail(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status = 'pending'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: pending mail: %w", err)
	}
	return n, nil
}

// PendingLoanMail lists a patron's loan notices (due-date reminders and
// overdue notices) not yet sent.
func PendingLoanMail(ctx context.Context, tx *sql.Tx, patronID int64) ([]Mail, error) {
	return queryMails(ctx, tx, `WHERE patron_id = ? AND kind IN ('due_reminder', 'overdue') AND status = 'pending' ORDER BY id`, patronID)
}

// DeleteMail deletes a message.
func DeleteMail(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete mail: %w", mapErr(err))
	}
	return nil
}

// OutboxIDs lists the id of every message in the outbox.
func (db *DB) OutboxIDs(ctx context.Context) ([]int64, error) {
	return db.ids(ctx, "outbox ids", `SELECT id FROM outbox`)
}
