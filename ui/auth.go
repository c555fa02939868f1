package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

// Cookie names.
const (
	sessionCookie = "hondana_session"
	csrfCookie    = "hondana_csrf"
	csrfField     = "csrf"
)

// Who returns the holder of the request's session, or nil.
func (s *Server) Who(c *gin.Context) *library.Who {
	if v, ok := c.Get("who"); ok {
		w, _ := v.(*library.Who)
		return w
	}
	var w *library.Who
	if tok := s.Token(c); tok != "" && s.Accounts != nil {
		w, _ = s.Accounts.Session(c.Request.Context(), tok)
		if w == nil && !isAPI(c) {
			// The session ended (timeout, logout elsewhere): forget its
			// cookie, and on a kiosk everything of the patron.
			s.ClearSession(c)
			if IsKiosk(c) {
				s.ForgetPatron(c)
			}
		}
	}
	c.Set("who", w)
	return w
}

// Token is the bearer Token of an API request or the session cookie of
// a browser.
func (s *Server) Token(c *gin.Context) string {
	if isAPI(c) {
		h := c.GetHeader("Authorization")
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	v, _ := c.Cookie(sessionCookie)
	return v
}

// SetSession gives the browser a new session cookie (a new id at every
// login: a planted id is worthless).
func (s *Server) SetSession(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
}

func (s *Server) ClearSession(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
}

func (s *Server) Secure(c *gin.Context) bool { return s.SecureCookies || c.Request.TLS != nil }

// csrfToken returns the browser's form token, setting the cookie when
// there is none yet. Forms carry it back; a page on another site cannot
// read it.
func (s *Server) csrfToken(c *gin.Context) string {
	if v, ok := c.Get("csrf"); ok {
		return v.(string)
	}
	tok, err := c.Cookie(csrfCookie)
	if err != nil || len(tok) != 43 {
		b := make([]byte, 32)
		rand.Read(b)
		tok = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
			Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
	}
	c.Set("csrf", tok)
	return tok
}

var crossOrigin = http.NewCrossOriginProtection()

// CSRF refuses a state-changing browser request that comes from
// another site (Origin / Sec-Fetch-Site) or lacks the form token. The JSON
// API is exempt: it authenticates by bearer tokens, which browsers never
// send by themselves.
func (s *Server) CSRF(c *gin.Context) {
	if isAPI(c) || c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead || c.Request.Method == http.MethodOptions {
		c.Next()
		return
	}
	// Bound what a form may send before anything reads it: uploads go to
	// the import page only.
	limit := int64(1 << 20)
	if c.Request.URL.Path == "/staff/import" {
		limit = MaxImportBytes
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	forbidden := &Error{Status: http.StatusForbidden, Code: codeCSRF, Msg: "err.csrf"}
	if err := crossOrigin.Check(c.Request); err != nil {
		s.Fail(c, forbidden)
		return
	}
	cookie, err := c.Cookie(csrfCookie)
	form := c.PostForm(csrfField)
	if err != nil || cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) != 1 {
		s.Fail(c, forbidden)
		return
	}
	c.Next()
}

// SafeNext keeps a post-login redirect inside the site: a path, never
// another host however it is spelt ("//evil", "/\evil", "https:evil",
// encoded forms).
func SafeNext(raw string) string {
	if raw == "" || len(raw) > 1024 || !strings.HasPrefix(raw, "/") {
		return ""
	}
	if strings.ContainsAny(raw, "\\\r\n\t\x00") || strings.HasPrefix(raw, "//") {
		return ""
	}
	dec, err := url.PathUnescape(raw)
	if err != nil || strings.HasPrefix(dec, "//") || strings.ContainsAny(dec, "\\\r\n\t\x00") {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return raw
}

// RequirePatron is for pages and API routes of a logged-in patron. A
// temporary password allows only the change page (R13).
func (s *Server) RequirePatron(allowTemporary bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		w := s.Who(c)
		NoStore(c)
		if w == nil || w.PatronID == 0 {
			if w != nil && w.StaffID != 0 && isAPI(c) {
				s.Fail(c, &Error{Status: http.StatusForbidden, Code: library.Forbidden, Msg: "err.forbidden"})
				return
			}
			if isAPI(c) {
				s.Fail(c, &Error{Status: http.StatusUnauthorized, Code: library.Unauthorized, Msg: "err.unauthorized"})
				return
			}
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if w.MustChange && !allowTemporary {
			if isAPI(c) {
				s.Fail(c, &Error{Status: http.StatusForbidden, Code: library.PasswordChangeRequired, Msg: "err." + library.PasswordChangeRequired})
				return
			}
			c.Redirect(http.StatusSeeOther, "/account/password")
			c.Abort()
			return
		}
		c.Next()
	}
}

// RequireStaff is for staff pages and routes; role "" allows any role.
func (s *Server) RequireStaff(role string) gin.HandlerFunc {
	return func(c *gin.Context) {
		w := s.Who(c)
		NoStore(c)
		if w == nil || w.StaffID == 0 {
			if w != nil && w.PatronID != 0 {
				s.Fail(c, &Error{Status: http.StatusForbidden, Code: library.Forbidden, Msg: "err.forbidden"})
				return
			}
			if isAPI(c) {
				s.Fail(c, &Error{Status: http.StatusUnauthorized, Code: library.Unauthorized, Msg: "err.unauthorized"})
				return
			}
			c.Redirect(http.StatusSeeOther, "/staff/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if role != "" && w.Role != role {
			s.Fail(c, &Error{Status: http.StatusForbidden, Code: library.Forbidden, Msg: "err.forbidden"})
			return
		}
		c.Next()
	}
}

func NoStore(c *gin.Context) { c.Header("Cache-Control", "no-store") }

var nineDigits = regexp.MustCompile(`\d{9,}`)

// redact hides card numbers in what is logged.
func redact(s string) string {
	return nineDigits.ReplaceAllStringFunc(s, func(d string) string {
		return strings.Repeat("*", len(d)-3) + d[len(d)-3:]
	})
}

// ForgetPatron clears what a shared browser may hold of a patron: the
// cart, and caches and storage (Clear-Site-Data). The kiosk and language
// cookies stay, so the terminal remains a kiosk.
func (s *Server) ForgetPatron(c *gin.Context) {
	s.WriteCart(c, nil)
	c.Header("Clear-Site-Data", `"cache", "storage"`)
}

// Audit writes a staff action to the staff log. What identifies a patron
// is masked, and no line ties a patron to a title (R40).
func (s *Server) Audit(c *gin.Context, action, detail string) {
	w := s.Who(c)
	if w == nil || w.StaffID == 0 {
		return
	}
	err := s.DB.Tx(c.Request.Context(), func(tx *sql.Tx) error {
		return store.Audit(c.Request.Context(), tx, w.StaffID, action, redact(detail), s.Clock.Now())
	})
	if err != nil {
		s.Log.Error("audit", "action", action, "err", err)
	}
}
