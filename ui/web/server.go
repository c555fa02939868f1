package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/yuin/goldmark"

	"hondana/importer"
	"hondana/library"
	"hondana/store"
)

// Site is what the pages say about the library.
type Site struct {
	Name            string
	NameEn          string
	MailDomain      string
	BaseURL         string // the public URL for absolute links, never taken from a request
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
	Content     *library.Content  // news and content pages
	StaffLog    *library.StaffLog // what staff did
	// MoveIn brings patrons, loans and holds over from a vendor system;
	// Exporter takes the data out (admins, R60, R61).
	MoveIn   *library.MoveIn
	Exporter *library.Exporter
	// ImportLimits bound the catalogue files staff import from the web.
	ImportLimits importer.Limits
	// UploadDir keeps the files staff upload while their import runs, and
	// the jobs' records ("": the system's temporary directory, no records).
	UploadDir  string
	Mailer     *library.Mailer // sends the outbox; nil in tests that send by hand
	MailboxDir string          // where messages go when there is no SMTP server
	// Background runs work that outlives its request (an import, a
	// reindex) on the process's lifetime: its context ends at shutdown,
	// which waits for it. It fails once shutdown has begun.
	Background func(func(ctx context.Context)) error
	// Backups is the state of the scheduled backups, times in the
	// library's time zone (nil: none are kept, as in tests).
	Backups func() store.BackupStatus
	// BackupNow starts a backup into the backup directory at once (an
	// admin's button on the staff home): false when one is being
	// written; an error once shutdown has begun (nil: none, as in tests).
	BackupNow func() (started bool, err error)
	// Observe, if set, is told of every request answered: its route
	// pattern ("/records/:id"; "unmatched" for none), status and time.
	Observe func(route string, status int, took time.Duration)
	// ScanForms tell a card from an item barcode at the counter.
	ScanForms     library.ScanForms
	TestClock     bool
	SecureCookies bool
	// CardBarcode is the symbology of the card on the patron's phone
	// (barcode.Codabar or barcode.Code39; "": Codabar).
	CardBarcode string
	// TrustedProxies are the addresses and CIDR blocks of the reverse
	// proxies whose X-Forwarded-For (or Forwarded) header names the
	// client; from anyone else the header is ignored.
	TrustedProxies []string
}

// Server is what the OPAC, the staff client and the JSON API share: the
// services, the templates, and the one place errors become statuses
// (Fail). Each audience's package embeds it in a Server of its own.
type Server struct {
	Options
	pages map[string]*template.Template
	md    goldmark.Markdown
}

// New returns the shared part of the web server, with the templates of
// the layout and the error page; each audience adds its own (AddTemplates).
func New(o Options) *Server {
	s := &Server{Options: o, md: goldmark.New()} // goldmark drops raw HTML by default
	s.pages = map[string]*template.Template{}
	s.AddTemplates(templateFS, "")
	return s
}

// Engine returns a gin engine with what every audience's requests go
// through: panics recovered, the security headers, and the client
// address (ClientIP) taken from the connection, or from X-Forwarded-For
// or Forwarded when the connection comes from a trusted proxy: the
// login limits count by it, so no client can fake it.
func Engine(s *Server) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.RedirectTrailingSlash = true
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	_ = e.SetTrustedProxies(s.TrustedProxies) // checked when the config was read
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if s.Observe != nil {
		e.Use(s.observe)
	}
	e.Use(s.recoverer, forwardedFor, s.securityHeaders)
	return e
}

// observe tells Observe of each request once answered, by its route
// pattern: a metric per pattern, never per address asked for.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.Observe(route, c.Writer.Status(), time.Since(start))
}

// forwardedFor gives a request that names its client only in a
// Forwarded header (RFC 7239) the X-Forwarded-For that ClientIP reads,
// which it believes only from a trusted proxy. When a request carries
// both, X-Forwarded-For wins: a proxy must set the one it uses.
func forwardedFor(c *gin.Context) {
	h := c.Request.Header
	if h.Get("X-Forwarded-For") != "" {
		return
	}
	var ips []string
	for _, v := range h.Values("Forwarded") {
		for _, elem := range strings.Split(v, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok || !strings.EqualFold(k, "for") {
					continue
				}
				val = strings.Trim(val, `"`)
				if ap, err := netip.ParseAddrPort(val); err == nil {
					val = ap.Addr().String()
				}
				ips = append(ips, strings.Trim(val, "[]"))
			}
		}
	}
	if len(ips) > 0 {
		h.Set("X-Forwarded-For", strings.Join(ips, ", "))
	}
}

// Handle turns a handler that returns an error into a gin handler; the
// error, if any, goes to Fail.
func (s *Server) Handle(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.Fail(c, err)
		}
	}
}

// NotFoundHandler and MethodNotAllowedHandler answer what no route of an
// engine takes, in the engine's kind (a page, or JSON after JSON).
func (s *Server) NotFoundHandler(c *gin.Context) { s.Fail(c, NotFound(CodeNotFound)) }

// MethodNotAllowedHandler: see NotFoundHandler.
func (s *Server) MethodNotAllowedHandler(c *gin.Context) {
	s.Fail(c, &Error{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed, Msg: "err.method_not_allowed"})
}

// recoverer turns a panic into a logged 500, never a dropped connection.
func (s *Server) recoverer(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Error("panic", "path", library.Redact(c.Request.URL.Path), "panic", r, "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.Fail(c, fmt.Errorf("panic: %v", r))
			}
		}
	}()
	c.Next()
}

// securityHeaders sets the headers every answer carries: no sniffing, no
// framing, scripts and styles from the site only, HSTS over HTTPS.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	if s.Secure(c) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
		c.Set(secureKey, true) // for cookies set without the server (Lang)
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
	// Lite is the lite mode (no stylesheet): pages fold what CSS would
	// have placed (the search filters).
	Lite bool
	// KioskTimeout is the seconds after which a kiosk page goes back to
	// the start (0: not on a kiosk).
	KioskTimeout int
	// Chrome is what an audience's own layout shows on every page (the
	// staff client's desk), as its middleware put it under ChromeKey.
	Chrome any
}

// ChromeKey is where, in a request's context, an audience's middleware
// puts what its own layout shows on every page (view.Chrome).
const ChromeKey = "hondana.chrome"

// errorPageKey is where, in a request's context, an audience names the
// template its failures are shown with (see UseErrorPage).
const errorPageKey = "hondana.errorpage"

// UseErrorPage makes Fail show the request's failures with the page
// template name (registered by AddTemplates) instead of the public
// "error": the staff client's errors keep the staff layout.
func UseErrorPage(c *gin.Context, name string) { c.Set(errorPageKey, name) }

// Render writes the page template name (see AddTemplates) inside the
// layout (the lite layout in lite mode).
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
	if s.Calendar != nil {
		v.Now = v.Now.In(s.Calendar.Location()) // the library's day, whatever the server's zone
	}
	v.Kiosk = IsKiosk(c)
	v.Lite = isLite(c)
	v.Chrome, _ = c.Get(ChromeKey)
	// On a kiosk every page goes back to the start after the idle time:
	// a patron's pages (the server has ended the login by then), and a
	// stranger's search and cart too (R42).
	if v.Kiosk && s.Accounts != nil {
		v.KioskTimeout = int(s.Accounts.Policy().KioskIdle / time.Second)
	}
	t, ok := s.pages[name]
	if !ok {
		panic("ui: no template " + name)
	}
	var buf bytes.Buffer
	layout := "layout"
	if v.Lite {
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
