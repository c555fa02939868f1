package ui

import "github.com/gin-gonic/gin"

// What the tests of package ui_test (which build the server through
// internal/app, and so cannot be inside package ui) need of its insides.

const (
	SessionCookie = sessionCookie
	CSRFCookie    = csrfCookie
)

// FmtDateTime is how pages write a moment.
var FmtDateTime = fmtDateTime

// Handle wraps h as the server wraps every handler, failures included.
func Handle(s *Server, h func(*gin.Context) error) gin.HandlerFunc { return s.api(h) }

// Routes lists the server's routes.
func Routes(s *Server) gin.RoutesInfo { return s.engine.Routes() }
