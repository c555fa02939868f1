// Package opac is the public catalogue and the patrons' own pages: search,
// records, new arrivals, rankings, calendar, news and content pages, the
// cart and holds, "my library" (利用照会), the lite mode for phones and the
// kiosk mode of in-branch terminals. Every page works without JavaScript.
package opac

import (
	"embed"
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/assets"
	"hondana/ui/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// Server serves the OPAC's pages.
type Server struct {
	*web.Server
}

// New returns the OPAC on the shared web server, its templates added.
func New(w *web.Server) *Server {
	w.AddTemplates(templateFS, "opac/")
	return &Server{w}
}

// Routes adds the OPAC's pages, the assets and the health check to e.
func (s *Server) Routes(e *gin.Engine) {
	e.Use(s.CSRF(nil), s.KioskIdle)
	e.GET(assets.Prefix+"*file", gin.WrapH(assets.Handler()))
	e.GET("/healthz", s.Healthz)
	// Browsers ask for /favicon.ico by themselves (a feed reader, a page
	// without its <link rel="icon">): the embedded icon.
	e.GET("/favicon.ico", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, assets.URL("favicon.svg")) })
	h := s.Handle

	e.GET("/", h(s.home))
	e.GET("/search", h(s.searchPage))
	e.GET("/search/advanced", h(s.advancedPage))
	e.GET("/records/:id", h(s.recordPage))
	e.GET("/covers/:id/:file", h(s.coverImage))
	e.GET("/isbn/:isbn", h(s.isbnRedirect))
	e.GET("/new", h(s.newArrivalsPage))
	e.GET("/calendar", h(s.calendarPage))
	e.GET("/news", h(s.newsPage))
	e.GET("/news/:id", h(s.newsItemPage))
	e.GET("/branches", h(s.branchesPage))
	e.GET("/pages/:slug", h(s.contentPage))
	e.GET("/ranking/loans", h(s.loanRankingPage))
	e.GET("/ranking/holds", h(s.holdRankingPage))
	e.GET("/login", h(s.loginPage))
	e.POST("/login", h(s.loginPost))
	e.POST("/logout", h(s.Logout))
	e.GET("/kiosk", h(s.kioskPage))
	e.POST("/kiosk", s.RequireStaff(""), h(s.kioskPost))
	e.GET("/m/", h(s.litePage))
	e.GET("/m", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/m/") })
	e.GET("/cart", h(s.cartPage))
	e.POST("/cart/add", h(s.cartAdd))
	e.POST("/cart/remove", h(s.cartRemove))
	e.POST("/cart/clear", h(s.cartClear))

	patron, temporary := s.RequirePatron(false), s.RequirePatron(true)
	e.GET("/reserve", patron, h(s.reservePage))
	e.POST("/reserve", patron, h(s.reservePost))
	acct := e.Group("/account")
	acct.GET("", patron, h(s.accountPage))
	acct.GET("/password", temporary, h(s.passwordPage))
	acct.POST("/password", temporary, h(s.passwordPost))
	acct.GET("/email", patron, h(s.emailPage))
	acct.POST("/email", patron, h(s.emailPost))
	acct.GET("/loans/:id/renew", patron, h(s.renewPage))
	acct.POST("/loans/:id/renew", patron, h(s.renewPost))
	acct.GET("/holds/:id/cancel", patron, h(s.cancelPage))
	acct.POST("/holds/:id/cancel", patron, h(s.cancelPost))
	acct.GET("/holds/:id/change", patron, h(s.changePage))
	acct.POST("/holds/:id/change", patron, h(s.changePost))
	s.extraRoutes(e, acct, patron)

	e.NoRoute(s.NotFoundHandler)
	e.NoMethod(s.MethodNotAllowedHandler)
}
