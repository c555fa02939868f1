package opac

import (
	"context"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// wait is an estimated wait as a page shows it: "目安：約3〜5週間", and
// a library where pickup would likely be sooner.
type wait struct {
	Text   string
	Faster string
}

// waitText words an estimate in the reader's language ("" when there is
// none to give).
func (s *Server) waitText(c *gin.Context, e library.Estimate, names map[string]string) wait {
	l := web.Lang(c)
	var w wait
	switch {
	case !e.Known:
		return w
	case e.WithinWeek:
		w.Text = web.T(l, "wait.within_week")
	case e.MinWeeks == e.MaxWeeks:
		w.Text = web.T(l, "wait.weeks", e.MinWeeks)
	default:
		w.Text = web.T(l, "wait.range", e.MinWeeks, e.MaxWeeks)
	}
	if e.Faster != "" {
		w.Faster = web.T(l, "wait.faster", names[e.Faster])
	}
	return w
}

// holdView is a hold on 利用照会 with its estimated wait.
type holdView struct {
	store.PatronHold
	Wait wait
}

// holdViews adds to a patron's holds their estimated waits: for waiting
// holds a copy would go to (not suspended, not behind an earlier volume).
func (s *Server) holdViews(c *gin.Context, holds []store.PatronHold, names map[string]string) ([]holdView, error) {
	out := make([]holdView, len(holds))
	for i, h := range holds {
		out[i].PatronHold = h
		if h.Status != store.HoldWaiting || h.CopyID != 0 || h.Suspended || h.Behind {
			continue
		}
		e, err := s.Circulation.EstimateHold(c.Request.Context(), h.RecordID, h.Ahead, h.PickupBranch)
		if err != nil {
			return nil, err
		}
		out[i].Wait = s.waitText(c, e, names)
	}
	return out, nil
}

// newHoldWait is the estimated wait of a hold placed now on a record.
func (s *Server) newHoldWait(ctx context.Context, c *gin.Context, recordID int64, pickup string, names map[string]string) (wait, error) {
	e, err := s.Circulation.EstimateNewHold(ctx, recordID, pickup)
	if err != nil {
		return wait{}, err
	}
	return s.waitText(c, e, names), nil
}

// splitGroups parts holds into those shown one by one and the series
// groups (巻数順予約), each shown as one.
func splitGroups(holds []holdView) (single []holdView, groups [][]holdView) {
	at := map[int64]int{}
	for _, h := range holds {
		if h.SeriesGroup == 0 {
			single = append(single, h)
			continue
		}
		i, ok := at[h.SeriesGroup]
		if !ok {
			i = len(groups)
			at[h.SeriesGroup] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], h)
	}
	return single, groups
}
