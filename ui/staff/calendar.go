package staff

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// staffCalendarPage lets staff close a branch for a range of days.
func (s *Server) staffCalendarPage(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff/calendar", web.T(web.Lang(c), "closure.title"), gin.H{"Branch": branch, "Branches": bs})
	return nil
}

func (s *Server) staffClosePost(c *gin.Context) error {
	data, note, err := s.calendarForm(c)
	if err != nil {
		return err
	}
	loc := s.Calendar.Location()
	from, err1 := time.ParseInLocation(library.DateLayout, c.PostForm("from"), loc)
	to, err2 := time.ParseInLocation(library.DateLayout, c.PostForm("to"), loc)
	if err1 != nil || err2 != nil {
		return s.calendarDone(c, data, &library.Refusal{Code: library.InvalidRange}, nil)
	}
	cl, err := s.Calendar.CloseRange(c.Request.Context(), s.Who(c).StaffID, c.PostForm("branch"), from, to, note, s.Clock.Now())
	return s.calendarDone(c, data, err, func(l string) string {
		return web.T(l, "closure.done", cl.Days, cl.Loans, cl.Holds, web.FmtDate(l, cl.ReopensOn))
	})
}

// staffDayPost sets one day apart: a special opening with hours, or a
// closed day (which moves what falls due on it).
func (s *Server) staffDayPost(c *gin.Context) error {
	data, note, err := s.calendarForm(c)
	if err != nil {
		return err
	}
	day, err := time.ParseInLocation(library.DateLayout, c.PostForm("day"), s.Calendar.Location())
	if err != nil {
		return s.calendarDone(c, data, &library.Refusal{Code: library.InvalidRange}, nil)
	}
	open := c.PostForm("open") == "1"
	cl, err := s.Calendar.SetDay(c.Request.Context(), s.Who(c).StaffID, c.PostForm("branch"), day, open, c.PostForm("opens_at"), c.PostForm("closes_at"), note, s.Clock.Now())
	return s.calendarDone(c, data, err, func(l string) string {
		if open {
			return web.T(l, "day.opened", web.FmtDate(l, day), c.PostForm("opens_at"), c.PostForm("closes_at"))
		}
		return web.T(l, "closure.done", cl.Days, cl.Loans, cl.Holds, web.FmtDate(l, cl.ReopensOn))
	})
}

// calendarForm reads what the two calendar forms share: the page's data
// and the note (at most 50 characters).
func (s *Server) calendarForm(c *gin.Context) (gin.H, string, error) {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return nil, "", err
	}
	note := []rune(strings.TrimSpace(c.PostForm("note")))
	if len(note) > 50 {
		note = note[:50]
	}
	return gin.H{"Branch": c.PostForm("branch"), "Branches": bs}, string(note), nil
}

// calendarDone shows the calendar page with a refusal in words, or with
// what done says.
func (s *Server) calendarDone(c *gin.Context, data gin.H, err error, done func(l string) string) error {
	l := web.Lang(c)
	status := http.StatusOK
	if err != nil {
		_, msg, st, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		data["Error"], status = msg, st
	} else {
		data["Done"] = done(l)
	}
	s.Render(c, status, "staff/calendar", web.T(l, "closure.title"), data)
	return nil
}
