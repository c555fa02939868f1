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
	s.Render(c, http.StatusOK, "opac/change", web.T(web.Lang(c), "change.title"), gin.H{"Hold": h, "Patron": p, "Branches": bs})
	return nil
}

func (s *Server) changePost(c *gin.Context) error {
	h, err := s.myHold(c)
	if err != nil {
		return err
	}
	if _, err := s.Circulation.ChangeHold(c.Request.Context(), s.Who(c).PatronID, h.ID, c.PostForm("pickup_branch"), c.PostForm("contact")); err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		p, _ := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
		bs, _ := s.DB.Branches(c.Request.Context())
		s.Render(c, status, "opac/change", web.T(web.Lang(c), "change.title"), gin.H{"Hold": h, "Patron": p, "Branches": bs, "Refusal": msg})
		return nil
	}
	s.Render(c, http.StatusOK, "opac/done", web.T(web.Lang(c), "change.done"), gin.H{"Message": web.T(web.Lang(c), "change.done_msg", h.Title)})
	return nil
}
