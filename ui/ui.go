// Package ui is Hondana's web side, cut by audience: the public catalogue
// and the patrons' pages (ui/opac), the staff client (ui/staff) and the
// JSON API (ui/api), each on a gin engine of its own with its own
// middleware, over what they share (ui/web: sessions, templates, messages
// in Japanese and English, and the one place errors become statuses).
// New puts the three behind one handler.
package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/api"
	"hondana/ui/opac"
	"hondana/ui/staff"
	"hondana/ui/web"
)

// Options are the server's dependencies.
type Options = web.Options

// Site is what the pages say about the library.
type Site = web.Site

// Server is the whole site: the API under /api/, the staff client under
// /staff, the OPAC everywhere else.
type Server struct {
	*web.Server
	mux     *http.ServeMux
	engines []*gin.Engine
}

// New builds the site and its routes.
func New(o Options) *Server {
	w := web.New(o)
	s := &Server{Server: w, mux: http.NewServeMux()}
	mount := func(routes func(*gin.Engine), patterns ...string) {
		e := web.Engine(w)
		routes(e)
		for _, p := range patterns {
			s.mux.Handle(p, e)
		}
		s.engines = append(s.engines, e)
	}
	mount(opac.New(w).Routes, "/")
	mount(staff.New(w).Routes, "/staff", "/staff/")
	mount(api.New(w).Routes, "/api/")
	return s
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Routes lists the routes of the whole site.
func (s *Server) Routes() gin.RoutesInfo {
	var out gin.RoutesInfo
	for _, e := range s.engines {
		out = append(out, e.Routes()...)
	}
	return out
}
