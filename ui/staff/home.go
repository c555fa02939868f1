package staff

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// figureRow is one branch's daily figures on the staff home.
type figureRow struct {
	Branch       string
	Today, Month map[string]int
}

func (s *Server) staffHome(c *gin.Context) error {
	today := s.Circulation.Today()
	day, err := s.DB.Figures(c.Request.Context(), today.Format(library.DateLayout))
	if err != nil {
		return err
	}
	month, err := s.DB.Figures(c.Request.Context(), time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location()).Format(library.DateLayout))
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	var rows []figureRow
	for _, b := range bs {
		rows = append(rows, figureRow{Branch: web.BranchName(web.Lang(c), b), Today: day[b.Code], Month: month[b.Code]})
	}
	sum, err := s.Circulation.Summary(c.Request.Context())
	if err != nil {
		return err
	}
	data := gin.H{"Figures": rows, "Kinds": figureKinds, "Mail": sum, "Storage": s.StorageNotice(c)}
	if s.Backups != nil {
		data["Backup"] = s.Backups()
	}
	if s.Who(c).Role == library.RoleAdmin {
		// Failed logins: staff accounts someone may be guessing, and
		// addresses spraying a password over patrons' cards.
		if data["Alerts"], err = s.Accounts.LoginAlerts(c.Request.Context()); err != nil {
			return err
		}
	}
	s.Render(c, http.StatusOK, "staff/home", web.T(web.Lang(c), "staff.home"), data)
	return nil
}

var figureKinds = []string{store.CountLoan, store.CountReturn, store.CountHoldPlaced, store.CountHoldFilled, store.CountHoldExpired,
	store.CountMailSent, store.CountMailFailed}
