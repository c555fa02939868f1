package library

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"hondana/store"
)

// Calendar answers which days a branch is open: the regular rules with
// staff-entered exceptions on top.
type Calendar struct {
	db    *store.DB
	rules CalendarRules
	loc   *time.Location
}

// NewCalendar returns the calendar of the library in loc.
func NewCalendar(db *store.DB, rules CalendarRules, loc *time.Location) *Calendar {
	return &Calendar{db: db, rules: rules, loc: loc}
}

// Location is the library's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Range returns the days from..to (inclusive) of one branch.
func (c *Calendar) Range(ctx context.Context, branch string, from, to time.Time) ([]Day, error) {
	from = dayStart(from, c.loc)
	to = dayStart(to, c.loc)
	exc, err := c.db.CalendarExceptions(ctx, branch, from.Format(DateLayout), to.Format(DateLayout))
	if err != nil {
		return nil, err
	}
	var out []Day
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := c.rules.RegularDay(branch, d)
		if e, ok := exc[day.Date]; ok {
			day = Day{Date: e.Day, Open: e.Open, OpensAt: e.OpensAt, ClosesAt: e.ClosesAt, Note: e.Note}
		}
		out = append(out, day)
	}
	return out, nil
}

// Day returns one day of one branch.
func (c *Calendar) Day(ctx context.Context, branch string, date time.Time) (Day, error) {
	days, err := c.Range(ctx, branch, date, date)
	if err != nil {
		return Day{}, err
	}
	return days[0], nil
}

// Month returns every day of a month of one branch.
func (c *Calendar) Month(ctx context.Context, branch string, year int, month time.Month) ([]Day, error) {
	first := time.Date(year, month, 1, 0, 0, 0, 0, c.loc)
	return c.Range(ctx, branch, first, first.AddDate(0, 1, -1))
}

// NextOpenDay returns date itself when the branch is open that day, else
// the next day it is open. A due date or pickup deadline never falls on a
// closed day, however many closed days follow in a row.
func (c *Calendar) NextOpenDay(ctx context.Context, branch string, date time.Time) (time.Time, error) {
	const horizon = 120 // a closure longer than this is a configuration error
	start := dayStart(date, c.loc)
	days, err := c.Range(ctx, branch, start, start.AddDate(0, 0, horizon))
	if err != nil {
		return time.Time{}, err
	}
	for i, d := range days {
		if d.Open {
			return start.AddDate(0, 0, i), nil
		}
	}
	return time.Time{}, fmt.Errorf("library: branch %s has no open day within %d days of %s", branch, horizon, start.Format(DateLayout))
}

// daysBetween is how many days lie from one midnight to another (see
// dayStart), a clock change's hour rounded away.
func daysBetween(from, to time.Time) int { return int(to.Sub(from).Hours()+12) / 24 }

// dayStart is midnight of t's day in loc.
func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Closure is what a temporary closure moved.
type Closure struct {
	Days      int
	Loans     int       // due dates moved
	Holds     int       // pickup deadlines moved
	ReopensOn time.Time // where they moved to
}

// CloseRange closes a branch from one day to another (臨時休館) and, in
// the same transaction, moves every due date of its loans and every
// pickup deadline of its hold shelf inside the range to the first open day
// after it, so nobody is overdue or loses a hold for a closed door.
func (c *Calendar) CloseRange(ctx context.Context, staffID int64, branch string, from, to time.Time, note string, now time.Time) (*Closure, error) {
	from, to = dayStart(from, c.loc), dayStart(to, c.loc)
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		return nil, &Refusal{Code: InvalidRange, Field: "to"}
	}
	if _, ok := c.rules.Branches[branch]; !ok {
		return nil, &Refusal{Code: UnknownBranch, Field: "branch"}
	}
	if note == "" {
		note = "臨時休館"
	}
	// The closure covers days up to `to`, so it cannot change which day
	// after it is the first open one.
	reopen, err := c.NextOpenDay(ctx, branch, to.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	out := &Closure{ReopensOn: reopen}
	f, t, r := from.Format(DateLayout), to.Format(DateLayout), reopen.Format(DateLayout)
	err = c.db.Tx(ctx, func(tx *sql.Tx) error {
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if err := store.SaveCalendarException(ctx, tx, store.CalendarException{Branch: branch, Day: d.Format(DateLayout), Note: note}); err != nil {
				return err
			}
			out.Days++
		}
		var err error
		if out.Loans, err = store.MoveDueDates(ctx, tx, branch, f, t, r); err != nil {
			return err
		}
		if out.Holds, err = store.MovePickupDeadlines(ctx, tx, branch, f, t, r); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "calendar.close", fmt.Sprintf("%s %s..%s: %d loans, %d holds moved to %s", branch, f, t, out.Loans, out.Holds, r), now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetDay sets one day of a branch apart from its regular pattern: open
// with given hours (a special opening) or closed with a note. Loans due
// and holds ending on a day that closes move to the next open day.
func (c *Calendar) SetDay(ctx context.Context, staffID int64, branch string, day time.Time, open bool, opens, closes, note string, now time.Time) (*Closure, error) {
	if _, ok := c.rules.Branches[branch]; !ok {
		return nil, &Refusal{Code: UnknownBranch, Field: "branch"}
	}
	if !open {
		return c.CloseRange(ctx, staffID, branch, day, day, note, now)
	}
	validHM := func(s string) bool {
		t, err := time.Parse("15:04", s)
		return err == nil && t.Format("15:04") == s
	}
	if !validHM(opens) || !validHM(closes) || closes <= opens {
		return nil, &Refusal{Code: InvalidHours, Field: "opens_at"}
	}
	d := dayStart(day, c.loc).Format(DateLayout)
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SaveCalendarException(ctx, tx, store.CalendarException{Branch: branch, Day: d, Open: true, OpensAt: opens, ClosesAt: closes, Note: note}); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "calendar.open", fmt.Sprintf("%s %s %s-%s", branch, d, opens, closes), now)
	})
	if err != nil {
		return nil, err
	}
	return &Closure{}, nil
}

// SaveBranches writes the libraries of the city, in display order: the
// configuration names them, and their names, addresses and phones follow
// it at every start.
func SaveBranches(ctx context.Context, db *store.DB, branches []store.Branch) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for i, b := range branches {
			b.SortOrder = i
			if err := store.SaveBranch(ctx, tx, b); err != nil {
				return err
			}
		}
		return nil
	})
}
