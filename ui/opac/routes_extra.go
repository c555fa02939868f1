package opac

import "github.com/gin-gonic/gin"

// extraRoutes adds the patron features beyond the seed (issue 18 items
// 10–14): series pages and series-order holds, hold groups, the reading
// history, favourites and the card on the phone.
func (s *Server) extraRoutes(e *gin.Engine, acct *gin.RouterGroup, patron gin.HandlerFunc) {
	h := s.Handle
	e.GET("/series", h(s.seriesPage))
	e.GET("/reserve/series", patron, h(s.seriesReservePage))
	e.POST("/reserve/series", patron, h(s.seriesReservePost))
	e.POST("/favourites", patron, h(s.favouritesPost))
	acct.GET("/hold-groups/:id/cancel", patron, h(s.groupCancelPage))
	acct.POST("/hold-groups/:id/cancel", patron, h(s.groupCancelPost))
	acct.GET("/favourites", patron, h(s.favouritesPage))
	acct.GET("/card", patron, h(s.cardPage))
	acct.GET("/history", patron, h(s.historyPage))
	acct.GET("/history.csv", patron, h(s.historyCSV))
	acct.POST("/history/on", patron, h(s.historyOn))
	acct.GET("/history/off", patron, h(s.historyConfirm("off")))
	acct.POST("/history/off", patron, h(s.historyOff))
	acct.GET("/history/clear", patron, h(s.historyConfirm("clear")))
	acct.POST("/history/clear", patron, h(s.historyClear))
	acct.POST("/history/:id/delete", patron, h(s.historyDelete))
}
