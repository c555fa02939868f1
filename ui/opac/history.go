package opac

import (
	"encoding/csv"
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// historyPage is the reading history (読書通帳): off until the patron
// turns it on; theirs alone to read, download and delete.
func (s *Server) historyPage(c *gin.Context) error {
	on, rs, err := s.Circulation.ReadingHistory(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	notice := ""
	if d := c.Query("done"); d == "on" || d == "off" || d == "cleared" || d == "deleted" {
		notice = web.T(web.Lang(c), "history.done_"+d)
	}
	s.Render(c, http.StatusOK, "opac/history", web.T(web.Lang(c), "history.title"),
		gin.H{"On": on, "Readings": rs, "Notice": notice, "Kiosk": web.IsKiosk(c)})
	return nil
}

// historyConfirm asks before turning the history off or deleting it all:
// both delete every entry.
func (s *Server) historyConfirm(action string) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		s.Render(c, http.StatusOK, "opac/historyconfirm", web.T(web.Lang(c), "history."+action+"_title"), gin.H{"Action": action})
		return nil
	}
}

func (s *Server) historyOn(c *gin.Context) error  { return s.historySwitch(c, true, "on") }
func (s *Server) historyOff(c *gin.Context) error { return s.historySwitch(c, false, "off") }

func (s *Server) historySwitch(c *gin.Context, on bool, done string) error {
	if err := s.Circulation.SetReadingHistory(c.Request.Context(), s.Who(c).PatronID, on); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account/history?done="+done)
	return nil
}

func (s *Server) historyClear(c *gin.Context) error {
	if err := s.Circulation.ClearReadingHistory(c.Request.Context(), s.Who(c).PatronID); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account/history?done=cleared")
	return nil
}

func (s *Server) historyDelete(c *gin.Context) error {
	id, err := web.PathID(c, library.ReadingNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.DeleteReading(c.Request.Context(), s.Who(c).PatronID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account/history?done=deleted")
	return nil
}

// historyCSV downloads the reading history as CSV (UTF-8 with a BOM, so
// spreadsheet programs in Japan read it as such). Not on a kiosk: the
// file would stay on the shared terminal for the next person (R42).
func (s *Server) historyCSV(c *gin.Context) error {
	if web.IsKiosk(c) {
		return &web.Error{Status: http.StatusForbidden, Code: library.Forbidden, Msg: "err.kiosk_download"}
	}
	_, rs, err := s.Circulation.ReadingHistory(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	l := web.Lang(c)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="reading-history.csv"`)
	c.Status(http.StatusOK)
	_, _ = c.Writer.WriteString("\ufeff")
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{web.T(l, "history.returned"), web.T(l, "history.loaned"), web.T(l, "title"), web.T(l, "rec.author"), "record_id"})
	for _, r := range rs {
		id := ""
		if r.RecordID != 0 {
			id = itoa(r.RecordID)
		}
		_ = w.Write([]string{r.ReturnedOn, r.LoanedOn, web.CSVCell(r.Title), web.CSVCell(r.Author), id})
	}
	w.Flush()
	return w.Error()
}
