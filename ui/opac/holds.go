package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

func (s *Server) myHold(c *gin.Context) (*store.PatronHold, error) {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return nil, err
	}
	holds, err := s.Circulation.Holds(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return nil, err
	}
	for i := range holds {
		if holds[i].ID == id {
			return &holds[i], nil
		}
	}
	return nil, web.NotFound(library.HoldNotFound)
}

func (s *Server) cancelPage(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/cancel", web.T(web.Lang(c), "cancel.title"), gin.H{"Hold": h})
	return nil
}

func (s *Server) cancelPost(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	if err := s.Circulation.CancelHold(c.Request.Context(), s.Who(c).PatronID, h.ID); err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/done", web.T(web.Lang(c), "cancel.done"), gin.H{"Message": web.T(web.Lang(c), "cancel.done_msg", h.Title)})
	return nil
}

func (s *Server) changePage(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/change", web.T(web.Lang(c), "change.title"), s.changeData(h, p, bs, nil))
	return nil
}

// changeData is what the change page shows: the hold, the choices, the
// end date's bounds, and what a refusal kept of the form.
func (s *Server) changeData(h *store.PatronHold, p *store.Patron, bs []store.Branch, extra gin.H) gin.H {
	today := s.Circulation.Today()
	data := gin.H{"Hold": h, "Patron": p, "Branches": bs, "Today": today.Format(library.DateLayout),
		"MaxDate": today.AddDate(0, 0, library.MaxHoldEndDays).Format(library.DateLayout)}
	for k, v := range extra {
		data[k] = v
	}
	return data
}

func (s *Server) changePost(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	notAfter, suspended := c.PostForm("not_after"), c.PostForm("suspended") != ""
	ch := library.HoldChange{Pickup: c.PostForm("pickup_branch"), Contact: c.PostForm("contact"), NotAfter: &notAfter, Suspended: &suspended}
	if _, err := s.Circulation.ChangeHoldWith(c.Request.Context(), s.Who(c).PatronID, h.ID, ch); err != nil {
		field, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		p, _ := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
		bs, _ := s.DB.Branches(c.Request.Context())
		extra := gin.H{"Refusal": msg}
		if field == "not_after" {
			extra = gin.H{"NotAfterError": msg, "NotAfter": notAfter}
		}
		s.Render(c, status, "opac/change", web.T(web.Lang(c), "change.title"), s.changeData(h, p, bs, extra))
		return nil
	}
	s.Render(c, http.StatusOK, "opac/done", web.T(web.Lang(c), "change.done"), gin.H{"Message": web.T(web.Lang(c), "change.done_msg", h.Title)})
	return nil
}

// myGroup is the patron's series group named in the path, in reading
// order.
func (s *Server) myGroup(c *gin.Context) (int64, []store.PatronHold, error) {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return 0, nil, err
	}
	holds, err := s.Circulation.Holds(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return 0, nil, err
	}
	var group []store.PatronHold
	for _, h := range holds {
		if h.SeriesGroup == id {
			group = append(group, h)
		}
	}
	if len(group) == 0 {
		return 0, nil, web.NotFound(library.HoldNotFound)
	}
	return id, group, nil
}

func (s *Server) groupCancelPage(c *gin.Context) error {
	_, group, err := s.myGroup(c)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/groupcancel", web.T(web.Lang(c), "series.cancel_group"), gin.H{"Holds": group})
	return nil
}

func (s *Server) groupCancelPost(c *gin.Context) error {
	id, group, err := s.myGroup(c)
	if err != nil {
		return err
	}
	if _, err := s.Circulation.CancelSeries(c.Request.Context(), s.Who(c).PatronID, id); err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/done", web.T(web.Lang(c), "cancel.done"),
		gin.H{"Message": web.T(web.Lang(c), "series.cancelled", group[0].Title, len(group))})
	return nil
}
