package library

import (
	"context"

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
		next, err := nextPlace(ctx, c.db.Reader(), &lc.Copy, branch, false)
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
