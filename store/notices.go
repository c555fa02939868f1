package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Recipient is who a notice goes to.
type Recipient struct {
	PatronID   int64
	Name       string
	Email      string
	HomeBranch string
}

// RecipientOf reads a patron's name and address inside a transaction.
func RecipientOf(ctx context.Context, tx *sql.Tx, patronID int64) (Recipient, error) {
	r := Recipient{PatronID: patronID}
	err := tx.QueryRowContext(ctx, `SELECT name, email, COALESCE(home_branch, '') FROM patrons WHERE id = ?`, patronID).
		Scan(&r.Name, &r.Email, &r.HomeBranch)
	if err != nil {
		return r, fmt.Errorf("store: recipient: %w", mapErr(err))
	}
	return r, nil
}

// NoticeHold is a ready hold a reminder may be due for.
type NoticeHold struct {
	Hold
	Title string
	Recipient
}

// HoldsToRemind lists ready e-mail holds with a pickup deadline and no
// reminder yet.
func HoldsToRemind(ctx context.Context, tx *sql.Tx) ([]NoticeHold, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+holdCols+`, r.title, p.name, p.email, COALESCE(p.home_branch, '')
		FROM holds h JOIN records r ON r.id = h.record_id JOIN patrons p ON p.id = h.patron_id
		WHERE h.status = 'ready' AND h.contact = 'email' AND h.pickup_deadline IS NOT NULL AND h.reminded = 0
		  AND p.email != '' ORDER BY h.id`)
	if err != nil {
		return nil, fmt.Errorf("store: holds to remind: %w", err)
	}
	defer rows.Close()
	var out []NoticeHold
	for rows.Next() {
		var n NoticeHold
		h, err := scanHold(rows, &n.Title, &n.Name, &n.Email, &n.HomeBranch)
		if err != nil {
			return nil, err
		}
		n.Hold = *h
		n.Recipient.PatronID = n.Hold.PatronID
		out = append(out, n)
	}
	return out, rows.Err()
}

// SetHoldReminded notes that a hold's pickup reminder was written.
func SetHoldReminded(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE holds SET reminded = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: hold reminded: %w", mapErr(err))
	}
	return nil
}

// NoticeLoan is a loan a due-date reminder or overdue notice may be due for.
type NoticeLoan struct {
	ID       int64
	Title    string
	Branch   string
	DueDate  string
	Notices  int // overdue notices sent so far
	LastSent string
	Recipient
}

const noticeLoanCols = `l.id, r.title, l.branch, l.due_date, l.overdue_notices, l.overdue_last,
	l.patron_id, p.name, p.email, COALESCE(p.home_branch, '')`

func noticeLoans(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]NoticeLoan, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+noticeLoanCols+`
		FROM loans l JOIN copies c ON c.id = l.copy_id JOIN records r ON r.id = c.record_id
		JOIN patrons p ON p.id = l.patron_id WHERE p.email != '' AND `+where+` ORDER BY l.patron_id, l.due_date, l.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: notice loans: %w", err)
	}
	defer rows.Close()
	var out []NoticeLoan
	for rows.Next() {
		var n NoticeLoan
		if err := rows.Scan(&n.ID, &n.Title, &n.Branch, &n.DueDate, &n.Notices, &n.LastSent,
			&n.PatronID, &n.Name, &n.Email, &n.HomeBranch); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// LoansDueSoon lists loans due from today to until (inclusive) with no
// reminder yet, of patrons with an address who want reminders.
func LoansDueSoon(ctx context.Context, tx *sql.Tx, today, until string) ([]NoticeLoan, error) {
	return noticeLoans(ctx, tx, `l.due_date >= ? AND l.due_date <= ? AND l.due_reminded = 0 AND p.due_reminders = 1`, today, until)
}

// LoansOverdue lists loans due before today that have had fewer than max
// notices, the last one on or before lastBefore (or none yet).
func LoansOverdue(ctx context.Context, tx *sql.Tx, today, lastBefore string, max int) ([]NoticeLoan, error) {
	return noticeLoans(ctx, tx, `l.due_date < ? AND l.overdue_notices < ? AND (l.overdue_last = '' OR l.overdue_last <= ?)`,
		today, max, lastBefore)
}

// PatronLoansReminded lists a patron's loans due from today to until
// (inclusive) that a reminder was written for: what that reminder says
// while the loans last.
func PatronLoansReminded(ctx context.Context, tx *sql.Tx, patronID int64, today, until string) ([]NoticeLoan, error) {
	return noticeLoans(ctx, tx, `l.patron_id = ? AND l.due_date >= ? AND l.due_date <= ? AND l.due_reminded = 1`, patronID, today, until)
}

// PatronLoansNoticed lists a patron's loans due before today that an
// overdue notice was written for.
func PatronLoansNoticed(ctx context.Context, tx *sql.Tx, patronID int64, today string) ([]NoticeLoan, error) {
	return noticeLoans(ctx, tx, `l.patron_id = ? AND l.due_date < ? AND l.overdue_notices > 0`, patronID, today)
}

// SetLoanReminded notes that a loan's due-date reminder was written.
func SetLoanReminded(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE loans SET due_reminded = 1 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: loan reminded: %w", mapErr(err))
	}
	return nil
}

// AddOverdueNotice counts an overdue notice written for a loan today.
func AddOverdueNotice(ctx context.Context, tx *sql.Tx, id int64, today string) error {
	_, err := tx.ExecContext(ctx, `UPDATE loans SET overdue_notices = overdue_notices + 1, overdue_last = ? WHERE id = ?`, today, id)
	if err != nil {
		return fmt.Errorf("store: overdue notice: %w", mapErr(err))
	}
	return nil
}
