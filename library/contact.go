package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hondana/store"
)

// ContactView is a ready hold with how the patron has been told so far.
type ContactView struct {
	store.ShelfHold
	Attempts []store.ContactAttempt
	// Flagged: UnreachableLimit calls in a row went unanswered; staff
	// decide (call again, or cancel the hold).
	Flagged bool
	// EmailFailed: the hold-ready message failed for good, so the hold
	// is on the call list.
	EmailFailed bool
}

func (c *Circulation) withAttempts(ctx context.Context, holds []store.ShelfHold) ([]ContactView, error) {
	ids := make([]int64, len(holds))
	for i, h := range holds {
		ids[i] = h.ID
	}
	att, err := c.db.ContactAttempts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ContactView, len(holds))
	for i, h := range holds {
		v := ContactView{ShelfHold: h, Attempts: att[h.ID], Flagged: Flagged(att[h.ID])}
		for i, a := range v.Attempts {
			v.Attempts[i].At = a.At.In(c.cal.Location()) // shown in the library's time zone
			if a.Channel == ContactEmail && a.Result == AttemptFailed {
				v.EmailFailed = true
			}
		}
		out[i] = v
	}
	return out, nil
}

// CallList lists the holds staff should telephone about, oldest first,
// with every attempt so far.
func (c *Circulation) CallList(ctx context.Context) ([]ContactView, error) {
	holds, err := c.db.CallList(ctx)
	if err != nil {
		return nil, err
	}
	return c.withAttempts(ctx, holds)
}

// ReadyHolds lists the hold shelf of a branch ("" for all) with every
// contact attempt of each hold.
func (c *Circulation) ReadyHolds(ctx context.Context, branch string) ([]ContactView, error) {
	holds, err := c.db.ReadyHolds(ctx, branch)
	if err != nil {
		return nil, err
	}
	return c.withAttempts(ctx, holds)
}

// StaffCancelHold cancels a hold for the library (a flagged hold whose
// patron could not be reached); the copy goes to the next in line.
func (c *Circulation) StaffCancelHold(ctx context.Context, staffID, holdID int64) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		h, err := store.HoldByID(ctx, tx, holdID)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(HoldNotFound)
		}
		if err != nil {
			return err
		}
		if err := c.cancel(ctx, tx, h); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "hold.cancel", fmt.Sprintf("hold %d", h.ID), c.clock.Now())
	})
}

// MailSummary is the day's contact figures on the staff home.
type MailSummary struct {
	Sent, Failed int // messages accepted and failed for good today
	Pending      int // messages waiting to go out
	ToCall       int // holds on the call list
	Flagged      int // of those, flagged after unanswered calls
}

// Summary counts today's contact work.
func (c *Circulation) Summary(ctx context.Context) (MailSummary, error) {
	var s MailSummary
	figs, err := c.db.Figures(ctx, c.today().Format(DateLayout))
	if err != nil {
		return s, err
	}
	for _, kinds := range figs {
		s.Sent += kinds[store.CountMailSent]
		s.Failed += kinds[store.CountMailFailed]
	}
	if s.Pending, err = c.db.PendingMail(ctx); err != nil {
		return s, err
	}
	calls, err := c.CallList(ctx)
	if err != nil {
		return s, err
	}
	s.ToCall = len(calls)
	for _, h := range calls {
		if h.Flagged {
			s.Flagged++
		}
	}
	return s, nil
}
