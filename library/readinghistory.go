package library

import (
	"context"
	"database/sql"
	"errors"

	"hondana/store"
)

// rememberReturn keeps what a return may leave behind (R40): the loan's
// length, counted for its title with no patron and no date (for the
// estimated wait of holds), and, for a patron who turned their reading
// history on, an entry in it, apart from loans.
func (c *Circulation) rememberReturn(ctx context.Context, tx *sql.Tx, l *store.Loan, recordID int64) error {
	today := c.today()
	days := daysBetween(parseDay(l.LoanedOn, c.cal.Location()), today)
	if err := store.CountLoanDuration(ctx, tx, recordID, days); err != nil {
		return err
	}
	on, err := store.ReadingHistoryOn(ctx, tx, l.PatronID)
	if err != nil || !on {
		return err
	}
	return store.AddReading(ctx, tx, l.PatronID, recordID, l.LoanedOn, today.Format(DateLayout))
}

// SetReadingHistory turns a patron's reading history (読書通帳) on or
// off. It is off until the patron turns it on; from then on each return
// is written in it. Turning it off deletes all of it.
func (c *Circulation) SetReadingHistory(ctx context.Context, patronID int64, on bool) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error { return store.SetReadingHistory(ctx, tx, patronID, on) })
}

// ReadingHistory says whether a patron's reading history is on, and
// lists it, latest first.
func (c *Circulation) ReadingHistory(ctx context.Context, patronID int64) (bool, []store.Reading, error) {
	on, err := store.ReadingHistoryOn(ctx, c.db.Reader(), patronID)
	if err != nil {
		return false, nil, err
	}
	rs, err := c.db.Readings(ctx, patronID)
	return on, rs, err
}

// DeleteReading deletes one entry of a patron's reading history.
func (c *Circulation) DeleteReading(ctx context.Context, patronID, id int64) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		err := store.DeleteReading(ctx, tx, patronID, id)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(ReadingNotFound)
		}
		return err
	})
}

// ClearReadingHistory deletes every entry of a patron's reading history
// and leaves it on.
func (c *Circulation) ClearReadingHistory(ctx context.Context, patronID int64) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error { return store.ClearReadings(ctx, tx, patronID) })
}
