package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hondana/store"
)

// LapsedView is a copy left on a hold shelf by a hold that lapsed or was
// cancelled, with where a scan at that library will send it (R55).
type LapsedView struct {
	store.LapsedCopy
	Next Placement
}

// LapsedCopies lists the copies staff are to take off branch's hold
// shelf, each with its next destination: the next hold in line (here,
// or in transit), the shelf here, or home.
func (c *Circulation) LapsedCopies(ctx context.Context, branch string) ([]LapsedView, error) {
	copies, err := c.db.LapsedCopies(ctx, branch)
	if err != nil {
		return nil, err
	}
	out := make([]LapsedView, len(copies))
	for i, lc := range copies {
		next, err := nextPlace(ctx, c.db.Reader(), &lc.Copy, branch, false, c.today().Format(DateLayout))
		if err != nil {
			return nil, err
		}
		out[i] = LapsedView{LapsedCopy: lc, Next: next}
	}
	return out, nil
}

// Transit lists what a library sends (copies that left from it, not yet
// received) and what is on its way to it, with titles and the hold each
// travels for (R55).
func (c *Circulation) Transit(ctx context.Context, branch string) (out, in []store.TransitCopy, err error) {
	return c.db.InTransit(ctx, branch)
}

// HoursText describes a library's regular hours and closing days, for a
// loan receipt (R56).
func (c *Calendar) HoursText(branch string) string { return c.rules.HoursText(branch) }

// HoldSlip is what a hold slip says besides the hold's number (R56): the
// pickup library, the pickup deadline once the patron was told, and the
// last four digits of the card, never the patron's name.
type HoldSlip struct {
	HoldID   int64
	Pickup   string
	Deadline string
	CardTail string
}

// HoldSlipOf reads what a hold's slip says; ErrNotFound when the hold is
// gone (collected, cancelled, lapsed).
func (c *Circulation) HoldSlipOf(ctx context.Context, holdID int64) (*HoldSlip, error) {
	s := HoldSlip{HoldID: holdID}
	var card string
	err := c.db.Reader().QueryRowContext(ctx, `SELECT h.pickup_branch, COALESCE(h.pickup_deadline, ''), p.card
		FROM holds h JOIN patrons p ON p.id = h.patron_id WHERE h.id = ?`, holdID).Scan(&s.Pickup, &s.Deadline, &card)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("library: hold %d: %w", holdID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("library: hold slip: %w", err)
	}
	if len(card) >= 4 {
		s.CardTail = card[len(card)-4:]
	}
	return &s, nil
}

// PickupDays is how many days after contact a ready hold waits (R24), as
// a hold slip says before the patron was told.
func (c *Circulation) PickupDays() int { return c.p.PickupDays }
