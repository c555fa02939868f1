package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// apiTestClock moves the test clock: {"advance":"30m"} or {"set":RFC3339}.
func (s *Server) apiTestClock(c *gin.Context) error {
	tc, ok := s.Clock.(*library.TestClock)
	if !ok {
		return web.NotFound(web.CodeNotFound)
	}
	var req struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	bad := func(why string) error {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: web.CodeInvalidClock, Msg: "err.test_clock", Args: []any{why}}
	}
	var now time.Time
	switch {
	case req.Advance != "" && req.Set != "":
		return bad("advance or set, not both")
	case req.Advance != "":
		d, err := parseDuration(req.Advance)
		if err != nil || d < 0 {
			return bad("advance: a positive duration such as 30m, 2h or 7d")
		}
		now = tc.Advance(d)
	case req.Set != "":
		t, err := time.Parse(time.RFC3339, req.Set)
		if err != nil {
			return bad("set: an RFC 3339 time such as 2026-12-01T10:00:00+09:00")
		}
		now = tc.Set(t)
	default:
		now = tc.Now()
	}
	s.Log.Info("test clock moved", "now", now)
	// Rules that run by themselves see the new time at once.
	if s.Circulation != nil {
		if err := s.Circulation.Tick(c.Request.Context()); err != nil {
			return err
		}
		s.pokeMailer()
	}
	c.JSON(http.StatusOK, gin.H{"now": now.In(s.Calendar.Location()).Format(time.RFC3339)})
	return nil
}

// parseDuration reads Go durations plus whole days ("7d").
func parseDuration(v string) (time.Duration, error) {
	if strings.HasSuffix(v, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		if err != nil || n > 36500 {
			return 0, errors.New("bad days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d > 100*365*24*time.Hour {
		return 0, errors.New("bad duration")
	}
	return d, nil
}

// pokeMailer asks the sender to look at the outbox now.
func (s *Server) pokeMailer() {
	if s.Mailer != nil {
		s.Mailer.Poke()
	}
}
