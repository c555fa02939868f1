package store

import (
	"context"
	"database/sql"
	"fmt"
)

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
	if _, err := tx.ExecContext(ctx, `UPDATE copies SET status = 'on_loan', transit_to = NULL, at_branch = NULL WHERE id = ?`, l.CopyID); err != nil {
		return fmt.Errorf("store: add loan: %w", mapErr(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO loan_counts(record_id, branch, day, count)
		SELECT record_id, ?, ?, 1 FROM copies WHERE id = ?
		ON CONFLICT(record_id, branch, day) DO UPDATE SET count = count + 1`, l.Branch, l.LoanedOn, l.CopyID); err != nil {
		return fmt.Errorf("store: count loan: %w", mapErr(err))
	}
	return nil
}

// LoanByID returns a loan inside the caller's transaction.
func LoanByID(ctx context.Context, tx *sql.Tx, id int64) (*Loan, error) {
	l, err := scanLoan(tx.QueryRowContext(ctx, `SELECT `+loanCols+` FROM loans WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("store: loan %d: %w", id, mapErr(err))
	}
	return l, nil
}

// LoanByCopy returns the loan of a copy; ErrNotFound when it is not
// on loan.
func LoanByCopy(ctx context.Context, tx *sql.Tx, copyID int64) (*Loan, error) {
	l, err := scanLoan(tx.QueryRowContext(ctx, `SELECT `+loanCols+` FROM loans WHERE copy_id = ?`, copyID))
	if err != nil {
		return nil, fmt.Errorf("store: loan of copy %d: %w", copyID, mapErr(err))
	}
	return l, nil
}

const loanCols = `id, copy_id, patron_id, branch, loaned_on, due_date, renewals`

func scanLoan(row *sql.Row) (*Loan, error) {
	var l Loan
	if err := row.Scan(&l.ID, &l.CopyID, &l.PatronID, &l.Branch, &l.LoanedOn, &l.DueDate, &l.Renewals); err != nil {
		return nil, err
	}
	return &l, nil
}

// CountLoans counts a patron's loans.
func CountLoans(ctx context.Context, tx *sql.Tx, patronID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM loans WHERE patron_id = ?`, patronID).Scan(&n)
	return n, err
}

// CountLoansOfType counts a patron's loans of a material type.
func CountLoansOfType(ctx context.Context, tx *sql.Tx, patronID int64, materialType string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM loans l JOIN copies c ON c.id = l.copy_id
		JOIN records r ON r.id = c.record_id WHERE l.patron_id = ? AND r.material_type = ?`, patronID, materialType).Scan(&n)
	return n, err
}

// EarliestDue is the earliest due date of a patron's loans ("" when
// they have none), for the overdue rule (R53).
func EarliestDue(ctx context.Context, q Querier, patronID int64) (string, error) {
	var d sql.NullString
	err := q.QueryRowContext(ctx, `SELECT min(due_date) FROM loans WHERE patron_id = ?`, patronID).Scan(&d)
	return d.String, err
}

// HasLoanOfRecord reports whether a patron has a copy of the record out.
func HasLoanOfRecord(ctx context.Context, tx Querier, patronID, recordID int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM loans l JOIN copies c ON c.id = l.copy_id
		WHERE l.patron_id = ? AND c.record_id = ?`, patronID, recordID).Scan(&n)
	return n > 0, err
}

// DeleteLoan ends a loan: the row that tied the patron to the copy goes
// (R40); the anonymous count was taken at checkout.
func DeleteLoan(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM loans WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete loan: %w", mapErr(err))
	}
	return nil
}

// RenewLoan sets a loan's new due date and counts the renewal.
func RenewLoan(ctx context.Context, tx *sql.Tx, id int64, due string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE loans SET due_date = ?, renewals = renewals + 1, due_reminded = 0 WHERE id = ?`, due, id); err != nil {
		return fmt.Errorf("store: renew: %w", mapErr(err))
	}
	return nil
}

// PatronLoan is a loan as its patron sees it.
type PatronLoan struct {
	Loan
	RecordID     int64
	Title        string
	Barcode      string
	MaterialType string
}

// LoansOf lists a patron's loans, soonest due first.
func LoansOf(ctx context.Context, q Querier, patronID int64) ([]PatronLoan, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.copy_id, l.patron_id, l.branch, l.loaned_on, l.due_date, l.renewals,
		c.record_id, r.title, c.barcode, r.material_type FROM loans l JOIN copies c ON c.id = l.copy_id JOIN records r ON r.id = c.record_id
		WHERE l.patron_id = ? ORDER BY l.due_date, l.id`, patronID)
	if err != nil {
		return nil, fmt.Errorf("store: loans: %w", err)
	}
	defer rows.Close()
	var out []PatronLoan
	for rows.Next() {
		var l PatronLoan
		if err := rows.Scan(&l.ID, &l.CopyID, &l.PatronID, &l.Branch, &l.LoanedOn, &l.DueDate, &l.Renewals, &l.RecordID, &l.Title, &l.Barcode, &l.MaterialType); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// MoveDueDates moves the due dates of loans made at branch that fall
// between from and to (inclusive) to day, and says how many moved.
func MoveDueDates(ctx context.Context, tx *sql.Tx, branch, from, to, day string) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE loans SET due_date = ? WHERE branch = ? AND due_date BETWEEN ? AND ?`, day, branch, from, to)
	if err != nil {
		return 0, fmt.Errorf("store: move due dates: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
