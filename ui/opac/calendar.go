package opac

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// calDay is a cell of the month grid.
type calDay struct {
	library.Day
	Num     int
	Weekday int
	Today   bool
}

func (s *Server) calendarPage(c *gin.Context) error {
	b, month, days, err := s.CalendarMonth(c)
	if err != nil {
		return err
	}
	branches, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return err
	}
	today := s.Clock.Now().In(s.Calendar.Location()).Format(library.DateLayout)
	var weeks [][]*calDay
	week := make([]*calDay, 7)
	for i, d := range days {
		wd := int(month.AddDate(0, 0, i).Weekday())
		week[wd] = &calDay{Day: d, Num: i + 1, Weekday: wd, Today: d.Date == today}
		if wd == 6 || i == len(days)-1 {
			weeks = append(weeks, week)
			week = make([]*calDay, 7)
		}
	}
	link := func(m time.Time) string {
		return "/calendar?branch=" + url.QueryEscape(b.Code) + "&month=" + m.Format("2006-01")
	}
	l := web.Lang(c)
	s.Render(c, http.StatusOK, "opac/calendar", web.T(l, "menu.calendar"), gin.H{
		"Branch": b, "BranchName": web.BranchName(l, b), "Branches": branches, "Month": month, "Weeks": weeks, "Days": days,
		"Prev": link(month.AddDate(0, -1, 0)), "Next": link(month.AddDate(0, 1, 0)), "MonthValue": month.Format("2006-01"),
	})
	return nil
}
