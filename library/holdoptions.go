package library

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"golang.org/x/text/width"

	"hondana/store"
)

// HoldOptions are what a patron chooses when placing a hold: the pickup
// library and contact (R20), an end date after which the hold is not
// wanted ("この日以降は不要", YYYY-MM-DD or ""), and whether it starts
// suspended (休止).
type HoldOptions struct {
	Pickup    string
	Contact   string
	NotAfter  string
	Suspended bool
}

// HoldChange is what a change of a hold sets; empty strings and nil
// pointers leave a field as it is, and a NotAfter of "" removes the end
// date.
type HoldChange struct {
	Pickup    string
	Contact   string
	NotAfter  *string
	Suspended *bool
}

// MaxHoldEndDays is how far ahead an end date may lie: a year, past
// which "not needed after" says nothing a cancellation would not.
const MaxHoldEndDays = 366

// CheckNotAfter reads an end date as typed (full-width digits and
// slashes accepted): "" is none; else a date from today to a year ahead.
func CheckNotAfter(v string, today time.Time) (string, *Refusal) {
	v = strings.TrimSpace(width.Narrow.String(v))
	if v == "" {
		return "", nil
	}
	d, err := time.ParseInLocation(DateLayout, strings.ReplaceAll(v, "/", "-"), today.Location())
	if err != nil || d.Before(today) || d.After(today.AddDate(0, 0, MaxHoldEndDays)) {
		return "", &Refusal{Code: InvalidNotAfter, Field: "not_after"}
	}
	return d.Format(DateLayout), nil
}

// LapseEnded deletes the waiting holds whose end date has passed, with
// no message: the patron said they no longer want the title then. A
// hold that has a copy (in transit or ready) keeps its course.
func (c *Circulation) LapseEnded(ctx context.Context) (int, error) {
	n := 0
	err := c.tx(ctx, func(tx *sql.Tx) error {
		ended, err := store.EndedHolds(ctx, tx, c.today().Format(DateLayout))
		if err != nil {
			return err
		}
		for _, h := range ended {
			if err := c.cancel(ctx, tx, &h); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// SeriesResult is what placing a series-order hold did for one volume:
// the hold placed, or the refusal.
type SeriesResult struct {
	Record *store.Record
	Hold   *store.Hold // nil when refused
	Err    error       // a *Refusal, when refused
}

// PlaceSeries reserves volumes of a set in reading order (巻数順予約):
// the holds form one group, and a later volume waits, keeping its place
// in its own queue, until the patron has borrowed or given up every
// earlier one still held in the group. Volumes are ordered by SortVolumes
// whatever order they come in. A volume refused (on loan to the patron,
// already reserved, a limit) is reported and the others are placed; a
// refusal of the whole request (pickup, contact, end date) places none.
func (c *Circulation) PlaceSeries(ctx context.Context, patronID int64, recordIDs []int64, o HoldOptions) ([]SeriesResult, error) {
	if len(recordIDs) == 0 {
		return nil, refuse(NoVolumes)
	}
	notAfter, r := CheckNotAfter(o.NotAfter, c.today())
	if r != nil {
		return nil, r
	}
	o.NotAfter = notAfter
	recs, err := c.db.RecordsByID(ctx, recordIDs)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, refuse(RecordNotFound)
	}
	SortVolumes(recs)
	var out []SeriesResult
	err = c.tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		var group int64
		seq := 0
		for _, rec := range recs {
			res := SeriesResult{Record: rec}
			h, err := c.placeHold(ctx, tx, patronID, rec.ID, o)
			var ref *Refusal
			switch {
			case errors.As(err, &ref) && wholeRequest(ref.Code):
				return err
			case errors.As(err, &ref):
				res.Err = err
			case err != nil:
				return err
			default:
				seq++
				if group == 0 {
					group = h.ID
				}
				h.SeriesGroup, h.SeriesSeq = group, seq
				if err := store.SetHoldSeries(ctx, tx, h.ID, group, seq); err != nil {
					return err
				}
				res.Hold = h
			}
			out = append(out, res)
		}
		return nil
	})
	return out, err
}

// wholeRequest: a refusal about the form rather than a volume.
func wholeRequest(code string) bool {
	switch code {
	case UnknownBranch, InvalidContact, EmailNotRegistered, InvalidNotAfter:
		return true
	}
	return false
}

// CancelSeries cancels every hold of a patron's series group, as
// CancelHold does each.
func (c *Circulation) CancelSeries(ctx context.Context, patronID, group int64) (int, error) {
	n := 0
	err := c.tx(ctx, func(tx *sql.Tx) error {
		holds, err := store.SeriesGroupHolds(ctx, tx, patronID, group)
		if err != nil {
			return err
		}
		if len(holds) == 0 {
			return refuse(HoldNotFound)
		}
		for i := range holds {
			if err := c.cancel(ctx, tx, &holds[i]); err != nil {
				return err
			}
		}
		n = len(holds)
		return nil
	})
	return n, err
}

// Series lists the volumes of a series or a multi-volume title in
// reading order (at most 200).
func (c *Circulation) Series(ctx context.Context, name string) ([]*store.Record, error) {
	recs, err := c.db.SeriesRecords(ctx, name, 200)
	if err != nil {
		return nil, err
	}
	SortVolumes(recs)
	return recs, nil
}
