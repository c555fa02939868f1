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
		st := s.Backups()
		data["Backup"], data["BackupFlash"] = st, c.Query("backup")
		if st.Running {
			// Without a script the page looks again until it is written.
			c.Header("Refresh", "3")
		}
	}
	if s.Who(c).Role == library.RoleAdmin {
		data["CanBackup"] = s.BackupNow != nil
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

// backupNowPost starts a backup at once (admins): before an upgrade, or
// after the schedule's last one failed. The staff home shows it being
// written, then its result beside the scheduled ones'.
func (s *Server) backupNowPost(c *gin.Context) error {
	if s.BackupNow == nil {
		return web.NotFound(web.CodeNotFound)
	}
	started, err := s.BackupNow()
	if err != nil {
		return web.ErrShuttingDown
	}
	flash := "running" // one was being written already
	if started {
		flash = "started"
		s.Audit(c, "backup.now", "")
	}
	c.Redirect(http.StatusSeeOther, "/staff?backup="+flash+"#backup")
	return nil
}
