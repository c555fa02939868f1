package ui

import "github.com/gin-gonic/gin"

// What the tests of package ui_test (which build the server through
// internal/app, and so cannot be inside package ui) need of its insides.

const (
	SessionCookie = sessionCookie
	CSRFCookie    = csrfCookie
)

// Routes lists the server's routes.
func Routes(s *Server) gin.RoutesInfo { return s.engine.Routes() }
