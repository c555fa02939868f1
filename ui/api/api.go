// Package api is the JSON API under /api/v1, the contract for kiosk front
// ends, phone apps, neighbouring libraries and tests (see
// ../shared/spec/API.md): public catalogue reads, the patron's own
// account, and the staff's counter. Requests authenticate by bearer
// tokens, never cookies, so no CSRF token is asked; errors are JSON.
package api

import (
	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

// Server serves the JSON API.
type Server struct {
	*web.Server
}

// New returns the API on the shared web server.
func New(w *web.Server) *Server { return &Server{w} }

// Routes adds the API's routes to e.
func (s *Server) Routes(e *gin.Engine) {
	e.Use(web.JSON)
	h := s.Handle
	api := e.Group("/api/v1")
	api.GET("/branches", h(s.apiBranches))
	api.GET("/search", h(s.apiSearch))
	api.GET("/records/:id", h(s.apiRecord))
	api.GET("/records/:id/wait", h(s.apiRecordWait))
	api.GET("/series", h(s.apiSeries))
	api.GET("/new-arrivals", h(s.apiNewArrivals))
	api.GET("/rankings/loans", h(s.apiLoanRanking))
	api.GET("/rankings/holds", h(s.apiHoldRanking))
	api.GET("/calendar", h(s.apiCalendar))
	api.GET("/news", h(s.apiNews))
	if s.TestClock {
		api.POST("/test/clock", h(s.apiTestClock))
	}
	api.POST("/login", h(s.apiLogin))
	api.POST("/logout", h(s.apiLogout))

	patron, temporary := s.RequirePatron(false), s.RequirePatron(true)
	me := api.Group("/me")
	me.GET("", patron, h(s.apiMe))
	me.PUT("/email", patron, h(s.apiSetEmail))
	me.PUT("/notices", patron, h(s.apiSetNotices))
	me.POST("/password", temporary, h(s.apiChangePassword))
	me.GET("/loans", patron, h(s.apiMyLoans))
	me.POST("/loans/:id/renew", patron, h(s.apiRenew))
	me.GET("/holds", patron, h(s.apiMyHolds))
	me.POST("/holds", patron, h(s.apiPlaceHold))
	me.PATCH("/holds/:id", patron, h(s.apiChangeHold))
	me.DELETE("/holds/:id", patron, h(s.apiCancelHold))
	// Beyond the seed (issue 18): series-order holds, the reading
	// history, favourites and the card.
	me.POST("/holds/series", patron, h(s.apiPlaceSeries))
	me.DELETE("/hold-groups/:id", patron, h(s.apiCancelGroup))
	me.GET("/reading-history", patron, h(s.apiReadingHistory))
	me.PUT("/reading-history", patron, h(s.apiSetReadingHistory))
	me.DELETE("/reading-history", patron, h(s.apiClearReadingHistory))
	me.DELETE("/reading-history/:id", patron, h(s.apiDeleteReading))
	me.GET("/favourites", patron, h(s.apiFavourites))
	me.PUT("/favourites/:id", patron, h(s.apiAddFavourite))
	me.DELETE("/favourites/:id", patron, h(s.apiRemoveFavourite))
	me.GET("/card", patron, h(s.apiCard))

	api.POST("/staff/login", h(s.apiStaffLogin))
	staff := api.Group("/staff", s.RequireStaff(""))
	staff.POST("/patrons", h(s.apiRegisterPatron))
	staff.GET("/patrons/:card", h(s.apiStaffPatron))
	staff.POST("/patrons/:card/temporary-password", h(s.apiReissue))
	staff.POST("/patrons/:card/unlock", h(s.apiUnlock))
	staff.POST("/patrons/:card/renew-card", h(s.apiRenewCard))
	// Staff act for a patron (R52): the patron's own rules and refusals.
	staff.GET("/patrons/:card/loans", h(s.forPatron("", s.loansJSON)))
	staff.POST("/patrons/:card/loans/:id/renew", h(s.forPatron("loan.renew", s.renewJSON)))
	staff.GET("/patrons/:card/holds", h(s.forPatron("", s.holdsJSON)))
	staff.POST("/patrons/:card/holds", h(s.forPatron("hold.place", func(c *gin.Context, id int64) error { return s.placeHoldJSON(c, id, true) })))
	staff.PATCH("/patrons/:card/holds/:id", h(s.forPatron("hold.change", s.changeHoldJSON)))
	staff.DELETE("/patrons/:card/holds/:id", h(s.forPatron("hold.cancel", s.cancelHoldJSON)))
	staff.POST("/records", h(s.apiAddRecord))
	staff.POST("/checkout", h(s.apiCheckout))
	staff.POST("/checkin", h(s.apiCheckin))
	staff.POST("/transit/receive", h(s.apiReceive))
	staff.GET("/hold-shelf", h(s.apiHoldShelf))
	staff.GET("/pick-list", h(s.apiPickList))
	staff.GET("/call-list", h(s.apiCallList))
	staff.POST("/holds/:id/contacted", h(s.apiContacted))
	staff.POST("/holds/:id/cancel", h(s.apiStaffCancelHold))
	staff.GET("/outbox", h(s.apiOutbox))

	e.NoRoute(s.NotFoundHandler)
	e.NoMethod(s.MethodNotAllowedHandler)
}
