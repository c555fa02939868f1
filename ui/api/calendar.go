package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) apiCalendar(c *gin.Context) error {
	b, month, days, err := s.CalendarMonth(c)
	if err != nil {
		return err
	}
	type day struct {
		Date     string  `json:"date"`
		Open     bool    `json:"open"`
		OpensAt  *string `json:"opens_at"`
		ClosesAt *string `json:"closes_at"`
		Note     string  `json:"note"`
	}
	out := make([]day, len(days))
	for i, d := range days {
		out[i] = day{Date: d.Date, Open: d.Open, Note: d.Note}
		if d.Open {
			o, cl := d.OpensAt, d.ClosesAt
			out[i].OpensAt, out[i].ClosesAt = &o, &cl
		}
	}
	c.JSON(http.StatusOK, gin.H{"branch": b.Code, "month": month.Format("2006-01"), "days": out})
	return nil
}
