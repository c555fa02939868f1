package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Healthz answers /healthz: 200 "ok" when the database can be read and
// written and the search index has every change it was given, 503
// "failing" when not, with a line for each saying what fails. The page
// is public: a line gives the cause of a failure, never a path.
func (s *Server) Healthz(c *gin.Context) {
	ctx := c.Request.Context()
	status := http.StatusOK
	var b strings.Builder
	line := func(name, state string, err error) {
		b.WriteString(name + ": ")
		if err == nil {
			b.WriteString("ok\n")
			return
		}
		status = http.StatusServiceUnavailable
		b.WriteString(state + " (" + cause(err) + ")\n")
	}
	if err := s.DB.ReadOnly(); err != nil {
		line("database", "read-only since start", err)
	} else {
		line("database", "failing", s.DB.Health(ctx))
	}
	if s.Catalog != nil {
		line("index", "failing", s.Catalog.Health())
	}
	head := "ok\n"
	if status != http.StatusOK {
		head = "failing\n"
	}
	c.Header("Cache-Control", "no-store")
	c.String(status, head+b.String())
}

// cause is the innermost part of an error's text, the words of the
// system call or of SQLite (paths sit in the parts before it).
func cause(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// StorageNotice words for staff what the storage does not take now: the
// server started read-only, writes fail, or the search index cannot keep
// up; "" when all is well. It writes a little (see store.DB.Health): for
// the staff home and login pages, not every page.
func (s *Server) StorageNotice(c *gin.Context) string {
	l := Lang(c)
	switch {
	case s.DB.ReadOnly() != nil:
		return T(l, "storage.read_only")
	case s.DB.Health(c.Request.Context()) != nil:
		return T(l, "storage.failing")
	case s.Catalog != nil && s.Catalog.Health() != nil:
		return T(l, "storage.index_failing")
	}
	return ""
}
