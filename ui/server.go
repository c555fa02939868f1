// Package ui is Hondana's HTTP side: the public pages, the JSON API, and
// the one place that turns errors into status codes and messages.
package ui

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/yuin/goldmark"

	"hondana/assets"
	"hondana/library"
	"hondana/store"
)

//go:embed templates/*.html
var templateFS embed.FS

// Site is what the pages say about the library.
type Site struct {
	Name            string
	NameEn          string
	MailDomain      string
	BaseURL         string
	NewArrivalsDays int
}

// Options are the server's dependencies.
type Options struct {
	DB          *store.DB
	Catalog     *library.Catalog
	Calendar    *library.Calendar
	Clock       library.Clock
	Log         *slog.Logger
	Site        Site
	Accounts    *library.Accounts
	Circulation *library.Circulation
	Mailer      *library.Mailer // sends the outbox; nil in tests that send by hand
	MailboxDir  string          // where messages go when there is no SMTP server
	// Background runs work that outlives its request (an import, a
	// reindex) on the process's lifetime: its context ends at shutdown,
	// which waits for it. It fails once shutdown has begun.
	Background    func(func(ctx context.Context)) error
	TestClock     bool
	SecureCookies bool
}

// Server is the HTTP handler of the whole site.
type Server struct {
	Options
	engine *gin.Engine
	pages  map[string]*template.Template
	jobs   jobs
	md     goldmark.Markdown
}

// New builds the server and its routes.
func New(o Options) *Server {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Options: o, md: goldmark.New()} // goldmark drops raw HTML by default
	s.pages = s.parseTemplates()
	e := gin.New()
	e.RedirectTrailingSlash = true
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	e.Use(s.Recoverer, s.SecurityHeaders, s.CSRF)
	_ = e.SetTrustedProxies(nil) // the client address is the peer's: no header can fake it
	s.routes(e)
	s.engine = e
	return s
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.engine.ServeHTTP(w, r)
}

func (s *Server) routes(e *gin.Engine) {
	e.GET(assets.Prefix+"*file", gin.WrapH(assets.Handler()))

	// Public pages.
	e.GET("/", s.page(s.home))
	e.GET("/search", s.page(s.searchPage))
	e.GET("/records/:id", s.page(s.recordPage))
	e.GET("/isbn/:isbn", s.page(s.isbnRedirect))
	e.GET("/new", s.page(s.newArrivalsPage))
	e.GET("/calendar", s.page(s.calendarPage))
	e.GET("/news", s.page(s.newsPage))
	e.GET("/news/:id", s.page(s.newsItemPage))
	e.GET("/branches", s.page(s.branchesPage))
	e.GET("/pages/:slug", s.page(s.contentPage))
	e.GET("/ranking/loans", s.page(s.loanRankingPage))
	e.GET("/ranking/holds", s.page(s.holdRankingPage))
	e.GET("/login", s.page(s.loginPage))
	e.POST("/login", s.page(s.loginPost))
	e.POST("/logout", s.page(s.logoutPost))
	e.GET("/kiosk", s.page(s.kioskPage))
	e.GET("/m/", s.page(s.litePage))
	e.GET("/m", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/m/") })
	e.GET("/cart", s.page(s.cartPage))
	e.POST("/cart/add", s.page(s.cartAdd))
	e.POST("/cart/remove", s.page(s.cartRemove))
	e.POST("/cart/clear", s.page(s.cartClear))
	e.GET("/reserve", s.RequirePatron(false), s.page(s.reservePage))
	e.POST("/reserve", s.RequirePatron(false), s.page(s.reservePost))
	acct := e.Group("/account")
	acct.GET("", s.RequirePatron(false), s.page(s.accountPage))
	acct.GET("/password", s.RequirePatron(true), s.page(s.passwordPage))
	acct.POST("/password", s.RequirePatron(true), s.page(s.passwordPost))
	acct.GET("/email", s.RequirePatron(false), s.page(s.emailPage))
	acct.POST("/email", s.RequirePatron(false), s.page(s.emailPost))
	acct.GET("/loans/:id/renew", s.RequirePatron(false), s.page(s.renewPage))
	acct.POST("/loans/:id/renew", s.RequirePatron(false), s.page(s.renewPost))
	acct.GET("/holds/:id/cancel", s.RequirePatron(false), s.page(s.cancelPage))
	acct.POST("/holds/:id/cancel", s.RequirePatron(false), s.page(s.cancelPost))
	acct.GET("/holds/:id/change", s.RequirePatron(false), s.page(s.changePage))
	acct.POST("/holds/:id/change", s.RequirePatron(false), s.page(s.changePost))

	e.GET("/staff/login", s.page(s.staffLoginPage))
	e.POST("/staff/login", s.page(s.staffLoginPost))
	staff := e.Group("/staff", s.RequireStaff(""))
	staff.GET("", s.page(s.staffHome))
	staff.POST("/logout", s.page(s.logoutPost))
	staff.GET("/patrons", s.page(s.staffPatrons))
	staff.GET("/patrons/new", s.page(s.staffRegisterPage))
	staff.POST("/patrons/new", s.page(s.staffRegisterPost))
	staff.GET("/patrons/:card", s.page(s.staffPatronPage))
	staff.POST("/patrons/:card/temporary-password", s.page(s.staffReissuePost))
	staff.POST("/patrons/:card/unlock", s.page(s.staffUnlockPost))
	staff.POST("/patrons/:card/edit", s.page(s.patronEditPost))
	staff.POST("/patrons/:card/block", s.page(s.patronBlockPost))
	staff.GET("/log", s.RequireStaff(library.RoleAdmin), s.page(s.staffLogPage))
	staff.GET("/news", s.page(s.newsEditPage))
	staff.POST("/news", s.page(s.newsSavePost))
	staff.GET("/news/:id", s.page(s.newsEditPage))
	staff.POST("/news/:id", s.page(s.newsSavePost))
	staff.POST("/news/:id/delete", s.page(s.newsDeletePost))
	staff.GET("/pages", s.page(s.pageEditPage))
	staff.GET("/pages/:slug", s.page(s.pageEditPage))
	staff.POST("/pages/:slug", s.page(s.pageSavePost))
	staff.GET("/accounts", s.RequireStaff(library.RoleAdmin), s.page(s.staffAccountsPage))
	staff.POST("/accounts", s.RequireStaff(library.RoleAdmin), s.page(s.staffAccountsPost))
	staff.GET("/records/new", s.page(s.catalogueNewPage))
	staff.POST("/records/new", s.page(s.catalogueSavePost))
	staff.GET("/records/:id", s.page(s.catalogueEditPage))
	staff.POST("/records/:id", s.page(s.catalogueSavePost))
	staff.POST("/records/:id/copies", s.page(s.copyAddPost))
	staff.POST("/records/:id/withdraw", s.page(s.copyWithdrawPost))
	staff.GET("/import", s.page(s.importPage))
	staff.POST("/import", s.page(s.importPost))
	staff.POST("/reindex", s.page(s.reindexPost))
	staff.GET("/jobs/:id", s.page(s.jobPage))
	staff.GET("/transit", s.page(s.transitPage))
	staff.GET("/calendar", s.page(s.staffCalendarPage))
	staff.POST("/calendar/close", s.page(s.staffClosePost))
	staff.POST("/calendar/day", s.page(s.staffDayPost))
	staff.GET("/counter", s.page(s.counterPage))
	staff.POST("/counter/checkout", s.page(s.counterCheckout))
	staff.POST("/counter/checkin", s.page(s.counterCheckin))
	staff.GET("/hold-shelf", s.page(s.holdShelfPage))
	staff.GET("/calls", s.page(s.callListPage))
	staff.POST("/holds/:id/contacted", s.page(s.contactedPost))
	staff.POST("/holds/:id/cancel", s.page(s.staffCancelHoldPost))
	staff.GET("/outbox", s.page(s.outboxPage))
	staff.POST("/outbox/:id/retry", s.page(s.outboxRetryPost))
	e.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })

	// Public JSON API.
	api := e.Group("/api/v1")
	api.GET("/branches", s.Handle(s.apiBranches))
	api.GET("/search", s.Handle(s.apiSearch))
	api.GET("/records/:id", s.Handle(s.apiRecord))
	api.GET("/new-arrivals", s.Handle(s.apiNewArrivals))
	api.GET("/rankings/loans", s.Handle(s.apiLoanRanking))
	api.GET("/rankings/holds", s.Handle(s.apiHoldRanking))
	api.GET("/calendar", s.Handle(s.apiCalendar))
	api.GET("/news", s.Handle(s.apiNews))
	if s.TestClock {
		api.POST("/test/clock", s.Handle(s.apiTestClock))
	}
	api.POST("/login", s.Handle(s.apiLogin))
	api.POST("/logout", s.Handle(s.apiLogout))
	me := api.Group("/me")
	me.GET("", s.RequirePatron(false), s.Handle(s.apiMe))
	me.PUT("/email", s.RequirePatron(false), s.Handle(s.apiSetEmail))
	me.PUT("/notices", s.RequirePatron(false), s.Handle(s.apiSetNotices))
	me.POST("/password", s.RequirePatron(true), s.Handle(s.apiChangePassword))
	me.GET("/loans", s.RequirePatron(false), s.Handle(s.apiMyLoans))
	me.POST("/loans/:id/renew", s.RequirePatron(false), s.Handle(s.apiRenew))
	me.GET("/holds", s.RequirePatron(false), s.Handle(s.apiMyHolds))
	me.POST("/holds", s.RequirePatron(false), s.Handle(s.apiPlaceHold))
	me.PATCH("/holds/:id", s.RequirePatron(false), s.Handle(s.apiChangeHold))
	me.DELETE("/holds/:id", s.RequirePatron(false), s.Handle(s.apiCancelHold))
	api.POST("/staff/login", s.Handle(s.apiStaffLogin))
	sapi := api.Group("/staff", s.RequireStaff(""))
	sapi.POST("/patrons", s.Handle(s.apiRegisterPatron))
	sapi.GET("/patrons/:card", s.Handle(s.apiStaffPatron))
	sapi.POST("/patrons/:card/temporary-password", s.Handle(s.apiReissue))
	sapi.POST("/patrons/:card/unlock", s.Handle(s.apiUnlock))
	sapi.POST("/records", s.Handle(s.apiAddRecord))
	sapi.POST("/checkout", s.Handle(s.apiCheckout))
	sapi.POST("/checkin", s.Handle(s.apiCheckin))
	sapi.POST("/transit/receive", s.Handle(s.apiReceive))
	sapi.GET("/hold-shelf", s.Handle(s.apiHoldShelf))
	sapi.GET("/pick-list", s.Handle(s.apiPickList))
	sapi.GET("/call-list", s.Handle(s.apiCallList))
	sapi.POST("/holds/:id/contacted", s.Handle(s.apiContacted))
	sapi.POST("/holds/:id/cancel", s.Handle(s.apiStaffCancelHold))
	sapi.GET("/outbox", s.Handle(s.apiOutbox))

	e.NoRoute(func(c *gin.Context) {
		s.Fail(c, NotFound(CodeNotFound))
	})
	e.NoMethod(func(c *gin.Context) {
		s.Fail(c, &Error{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed, Msg: "err.method_not_allowed"})
	})
}

func (s *Server) Handle(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.Fail(c, err)
		}
	}
}

func (s *Server) page(h func(*gin.Context) error) gin.HandlerFunc { return s.Handle(h) }

// Recoverer turns a panic into a logged 500, never a dropped connection.
func (s *Server) Recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Error("panic", "path", redact(c.Request.URL.Path), "panic", r, "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.Fail(c, fmt.Errorf("panic: %v", r))
			}
		}
	}()
	c.Next()
}

func (s *Server) SecurityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	if s.Secure(c) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// view is what every page template gets.
type view struct {
	Lang    string
	Site    Site
	Title   string
	Path    string
	Query   string
	Menu    []store.Page
	Now     time.Time
	Data    any
	LangURL string // this page in the other language
	CSRF    string // the form token every POST form carries
	Who     *library.Who
	// Kiosk marks an in-branch terminal: larger text.
	Kiosk bool
	// KioskTimeout is the seconds after which a kiosk page showing a
	// patron's account goes back to the start (0: not on a kiosk).
	KioskTimeout int
}

func (s *Server) Render(c *gin.Context, status int, name, title string, data any) {
	l := Lang(c)
	menu, err := s.DB.Pages(c.Request.Context())
	if err != nil {
		s.Log.Error("menu", "err", err)
	}
	other := LangEN
	if l == LangEN {
		other = LangJA
	}
	q := c.Request.URL.Query()
	q.Set("lang", other)
	v := view{Lang: l, Site: s.Site, Title: title, Path: c.Request.URL.Path, Query: c.Query("q"), Menu: menu,
		Now: s.Clock.Now(), Data: data, LangURL: c.Request.URL.Path + "?" + q.Encode(), CSRF: s.csrfToken(c), Who: s.Who(c)}
	v.Kiosk = IsKiosk(c)
	if v.Who != nil && v.Who.Kind == library.SessionKiosk && s.Accounts != nil {
		v.KioskTimeout = int(s.Accounts.Policy().KioskIdle / time.Second)
	}
	t, ok := s.pages[name]
	if !ok {
		panic("ui: no template " + name)
	}
	var buf bytes.Buffer
	layout := "layout"
	if IsLite(c) {
		layout = "layout_lite"
	}
	if err := t.ExecuteTemplate(&buf, layout, v); err != nil {
		s.Log.Error("template", "name", name, "err", err)
		c.String(http.StatusInternalServerError, T(l, "err.internal"))
		return
	}
	c.Header("Vary", "Accept-Language, Cookie")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
