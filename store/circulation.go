package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Patron is a registered library user.
type Patron struct {
	ID         int64
	Card       string // 9 digits
	Name       string
	NameYomi   string
	BirthDate  string // YYYY-MM-DD
	Address    string
	Phone      string
	Mobile     string
	Email      string
	HomeBranch string
}

// AddPatron inserts a patron inside the caller's transaction. The password
// is temporary and issued now.
func AddPatron(ctx context.Context, tx *sql.Tx, p *Patron, now time.Time) error {
	var home any
	if p.HomeBranch != "" {
		home = p.HomeBranch
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO patrons(card, name, name_yomi, birth_date, address, phone,
		mobile, email, home_branch, password_issued_at, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		p.Card, p.Name, p.NameYomi, p.BirthDate, p.Address, p.Phone, p.Mobile, p.Email, home,
		fmtTime(now), fmtTime(now)).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: add patron: %w", mapErr(err))
	}
	return nil
}

// Loan is a copy out with a patron.
type Loan struct {
	ID       int64
	CopyID   int64
	PatronID int64
	Branch   string
	LoanedOn string
	DueDate  string
	Renewals int
}

// AddLoan records a loan, marks the copy on loan and counts the loan
// anonymously for the rankings, inside the caller's transaction.
func AddLoan(ctx context.Context, tx *sql.Tx, l *Loan) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO loans(copy_id, patron_id, branch, loaned_on, due_date, renewals)
		VALUES(?,?,?,?,?,?) RETURNING id`, l.CopyID, l.PatronID, l.Branch, l.LoanedOn, l.DueDate, l.Renewals).Scan(&l.ID)
	if err != nil {
		return fmt.Errorf("store: add loan: %w", mapErr(err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE copies SET status = 'on_loan', transit_to = NULL WHERE id = ?`, l.CopyID); err != nil {
		return fmt.Errorf("store: add loan: %w", mapErr(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO loan_counts(record_id, branch, day, count)
		SELECT record_id, ?, ?, 1 FROM copies WHERE id = ?
		ON CONFLICT(record_id, branch, day) DO UPDATE SET count = count + 1`, l.Branch, l.LoanedOn, l.CopyID); err != nil {
		return fmt.Errorf("store: count loan: %w", mapErr(err))
	}
	return nil
}

// AddLoanCount adds n anonymous loans of a record at a branch on a day.
func AddLoanCount(ctx context.Context, tx *sql.Tx, recordID int64, branch, day string, n int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loan_counts(record_id, branch, day, count) VALUES(?,?,?,?)
		ON CONFLICT(record_id, branch, day) DO UPDATE SET count = count + excluded.count`, recordID, branch, day, n)
	if err != nil {
		return fmt.Errorf("store: loan count: %w", mapErr(err))
	}
	return nil
}

// Hold statuses.
const (
	HoldWaiting   = "waiting"
	HoldInTransit = "in_transit"
	HoldReady     = "ready"
)

// Hold is a patron's reservation of a title.
type Hold struct {
	ID             int64
	RecordID       int64
	PatronID       int64
	PickupBranch   string
	Contact        string
	Status         string
	CopyID         int64 // 0 while waiting
	PlacedAt       time.Time
	ReadyAt        time.Time
	ContactedAt    time.Time
	PickupDeadline string
}

// nullables are the hold's columns that are NULL until set.
func (h *Hold) nullables() (copyID, ready, contacted, deadline any) {
	if h.CopyID != 0 {
		copyID = h.CopyID
	}
	if !h.ReadyAt.IsZero() {
		ready = fmtTime(h.ReadyAt)
	}
	if !h.ContactedAt.IsZero() {
		contacted = fmtTime(h.ContactedAt)
	}
	if h.PickupDeadline != "" {
		deadline = h.PickupDeadline
	}
	return
}

// AddHold inserts a hold inside the caller's transaction; a hold with a
// copy moves the copy to the hold shelf or into transit.
func AddHold(ctx context.Context, tx *sql.Tx, h *Hold) error {
	copyID, ready, contacted, deadline := h.nullables()
	err := tx.QueryRowContext(ctx, `INSERT INTO holds(record_id, patron_id, pickup_branch, contact, status,
		copy_id, placed_at, ready_at, contacted_at, pickup_deadline) VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		h.RecordID, h.PatronID, h.PickupBranch, h.Contact, h.Status, copyID, fmtTime(h.PlacedAt),
		ready, contacted, deadline).Scan(&h.ID)
	if err != nil {
		return fmt.Errorf("store: add hold: %w", mapErr(err))
	}
	switch h.Status {
	case HoldReady:
		_, err = tx.ExecContext(ctx, `UPDATE copies SET status = 'on_hold_shelf', transit_to = NULL WHERE id = ?`, h.CopyID)
	case HoldInTransit:
		_, err = tx.ExecContext(ctx, `UPDATE copies SET status = 'in_transit', transit_to = ? WHERE id = ?`, h.PickupBranch, h.CopyID)
	}
	if err != nil {
		return fmt.Errorf("store: add hold: %w", mapErr(err))
	}
	return nil
}
