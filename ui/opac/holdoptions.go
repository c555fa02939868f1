package opac

import (
	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// titled is a title with its estimated wait, for the confirmation pages.
type titled struct {
	ID    int64
	Title string
	Wait  wait
}

func hitRecords(hits []library.Hit) []*store.Record {
	out := make([]*store.Record, len(hits))
	for i := range hits {
		out[i] = hits[i].Record
	}
	return out
}

// addHoldOptions adds to a reserve page's data what its hold options
// need (the end date's bounds) and each title's estimated wait for
// pickup at the first library offered.
func (s *Server) addHoldOptions(c *gin.Context, data gin.H, bs []store.Branch, recs []*store.Record) error {
	today := s.Circulation.Today()
	data["Today"] = today.Format(library.DateLayout)
	data["MaxDate"] = today.AddDate(0, 0, library.MaxHoldEndDays).Format(library.DateLayout)
	if len(bs) == 0 {
		return nil
	}
	names := s.BranchNames(web.Lang(c), bs)
	var waits []titled
	for _, r := range recs {
		w, err := s.newHoldWait(c.Request.Context(), c, r.ID, bs[0].Code, names)
		if err != nil {
			return err
		}
		if w.Text != "" {
			waits = append(waits, titled{ID: r.ID, Title: r.Title, Wait: w})
		}
	}
	data["Waits"] = waits
	return nil
}

// holdOptionsPosted reads the pickup, contact, end date and suspension
// of a reserve form. A bad end date, a refusal of the whole form, has
// the form shown again by again (with the data the options need) and
// ok false.
func (s *Server) holdOptionsPosted(c *gin.Context, again func(gin.H) error, recs []*store.Record) (library.HoldOptions, bool, error) {
	o := library.HoldOptions{Pickup: c.PostForm("pickup_branch"), Contact: c.PostForm("contact"),
		NotAfter: c.PostForm("not_after"), Suspended: c.PostForm("suspended") != ""}
	if _, r := library.CheckNotAfter(o.NotAfter, s.Circulation.Today()); r != nil {
		_, msg, _, _ := s.RefusalText(c, r)
		bs, err := s.DB.Branches(c.Request.Context())
		if err != nil {
			return o, false, err
		}
		data := gin.H{"Branches": bs, "NotAfter": o.NotAfter, "Suspended": o.Suspended, "NotAfterError": msg}
		if err := s.addHoldOptions(c, data, bs, recs); err != nil {
			return o, false, err
		}
		return o, false, again(data)
	}
	return o, true, nil
}
