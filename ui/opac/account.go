package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) accountPage(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	notice := ""
	switch c.Query("done") {
	case "password":
		notice = web.T(web.Lang(c), "account.password_changed")
	case "email":
		notice = web.T(web.Lang(c), "account.email_saved")
	}
	loans, holds, err := s.MyLists(c, p.ID)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	names := s.BranchNames(web.Lang(c), bs)
	views, err := s.holdViews(c, holds, names)
	if err != nil {
		return err
	}
	single, groups := splitGroups(views)
	s.Render(c, http.StatusOK, "opac/account", web.T(web.Lang(c), "menu.account"), gin.H{"Patron": p, "Notice": notice, "Loans": loans,
		"Holds": single, "Groups": groups, "Names": names, "Card": s.Accounts.Validity(p.Expiry)})
	return nil
}
