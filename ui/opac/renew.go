package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) renewPage(c *gin.Context) error {
	id, err := web.PathID(c, library.LoanNotFound)
	if err != nil {
		return err
	}
	l, due, err := s.Circulation.RenewalPreview(c.Request.Context(), s.Who(c).PatronID, id)
	if l == nil {
		return err
	}
	msg := ""
	if err != nil {
		_, msg, _, _ = s.RefusalText(c, err)
	}
	s.Render(c, http.StatusOK, "opac/renew", web.T(web.Lang(c), "renew.title"), gin.H{"Loan": l, "NewDue": due, "Refusal": msg})
	return nil
}

func (s *Server) renewPost(c *gin.Context) error {
	id, err := web.PathID(c, library.LoanNotFound)
	if err != nil {
		return err
	}
	due, err := s.Circulation.Renew(c.Request.Context(), s.Who(c).PatronID, id)
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		s.Render(c, status, "opac/renew", web.T(web.Lang(c), "renew.title"), gin.H{"Refusal": msg})
		return nil
	}
	s.Render(c, http.StatusOK, "opac/done", web.T(web.Lang(c), "renew.done"), gin.H{"Message": web.T(web.Lang(c), "renew.done_msg", web.FmtDate(web.Lang(c), due))})
	return nil
}
