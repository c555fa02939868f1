package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
)

// Cookie names.
const (
	SessionCookie = "hondana_session"
	CSRFCookie    = "hondana_csrf"
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
		if w == nil && !isJSON(c) {
			// The session ended (timeout, logout elsewhere): forget its
			// cookie, and on a kiosk everything of the patron.
			s.clearSession(c)
			if IsKiosk(c) {
				s.forgetPatron(c)
			}
		}
	}
	c.Set("who", w)
	return w
}

// Token is the bearer Token of an API request or the session cookie of
// a browser.
func (s *Server) Token(c *gin.Context) string {
	if isJSON(c) {
		// The scheme's name is case-insensitive (RFC 7235): "bearer" too.
		scheme, tok, ok := strings.Cut(strings.TrimSpace(c.GetHeader("Authorization")), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return ""
		}
		return strings.TrimSpace(tok)
	}
	v, _ := c.Cookie(SessionCookie)
	return v
}

// SetSession gives the browser a new session cookie (a new id at every
// login: a planted id is worthless).
func (s *Server) SetSession(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
}

// clearSession forgets the browser's session cookie.
func (s *Server) clearSession(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
}

// Secure reports whether cookies must be Secure: configured so (behind
// an HTTPS proxy) or the request came over TLS.
func (s *Server) Secure(c *gin.Context) bool { return s.SecureCookies || c.Request.TLS != nil }

// csrfToken returns the browser's form token, setting the cookie when
// there is none yet. Forms carry it back; a page on another site cannot
// read it.
func (s *Server) csrfToken(c *gin.Context) string {
	if v, ok := c.Get("csrf"); ok {
		return v.(string)
	}
	tok, err := c.Cookie(CSRFCookie)
	if err != nil || len(tok) != 43 {
		b := make([]byte, 32)
		rand.Read(b)
		tok = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(c.Writer, &http.Cookie{Name: CSRFCookie, Value: tok, Path: "/", HttpOnly: true,
			Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
	}
	c.Set("csrf", tok)
	return tok
}

var crossOrigin = http.NewCrossOriginProtection()

// CSRF returns the middleware of the pages' engines: it refuses a
// state-changing browser request that comes from another site (Origin /
// Sec-Fetch-Site) or lacks the form token, and bounds what a form may
// send before anything reads it: 1 MiB, or the limit given for its path
// (an upload). The JSON API has no such middleware: it authenticates by
// bearer tokens, which browsers never send by themselves.
func (s *Server) CSRF(limits map[string]int64) gin.HandlerFunc {
	forbidden := &Error{Status: http.StatusForbidden, Code: codeCSRF, Msg: "err.csrf"}
	return func(c *gin.Context) {
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead || c.Request.Method == http.MethodOptions {
			c.Next()
			return
		}
		limit, ok := limits[c.Request.URL.Path]
		if !ok {
			limit = 1 << 20
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		if err := crossOrigin.Check(c.Request); err != nil {
			s.Fail(c, forbidden)
			return
		}
		// A form over the limit cannot be read for its token: say it is
		// too large, not that it expired.
		var tooLarge *http.MaxBytesError
		if err := parseForm(c.Request); errors.As(err, &tooLarge) {
			s.Fail(c, &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Msg: "err.too_large"})
			return
		}
		cookie, err := c.Cookie(CSRFCookie)
		form := c.PostForm(csrfField)
		if err != nil || cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) != 1 {
			s.Fail(c, forbidden)
			return
		}
		c.Next()
	}
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
			if w != nil && w.StaffID != 0 && isJSON(c) {
				s.Fail(c, &Error{Status: http.StatusForbidden, Code: library.Forbidden, Msg: "err.forbidden"})
				return
			}
			if isJSON(c) {
				s.Fail(c, &Error{Status: http.StatusUnauthorized, Code: library.Unauthorized, Msg: "err.unauthorized"})
				return
			}
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if w.MustChange && !allowTemporary {
			if isJSON(c) {
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
			if isJSON(c) {
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

// NoStore keeps a page out of every cache: it shows a patron's data.
func NoStore(c *gin.Context) { c.Header("Cache-Control", "no-store") }

// forgetPatron clears what a shared browser may hold of a patron: the
// cart, and caches and storage (Clear-Site-Data). The kiosk and language
// cookies stay, so the terminal remains a kiosk.
func (s *Server) forgetPatron(c *gin.Context) {
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
	if err := s.StaffLog.Write(c.Request.Context(), w.StaffID, action, detail); err != nil {
		s.Log.Error("audit", "action", action, "err", err)
	}
}

// Logout ends the session of a patron or a staff member; on a kiosk it
// also forgets what the browser kept of the patron.
func (s *Server) Logout(c *gin.Context) error {
	if err := s.EndSession(c); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

// EndSession is Logout without the way back to the start: the caller
// answers.
func (s *Server) EndSession(c *gin.Context) error {
	if tok := s.Token(c); tok != "" {
		if err := s.Accounts.Logout(c.Request.Context(), tok); err != nil {
			return err
		}
	}
	s.clearSession(c)
	if IsKiosk(c) {
		s.forgetPatron(c)
	}
	return nil
}

// parseForm reads a posted form, a multipart one (an upload) too.
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(32 << 20)
	}
	return r.ParseForm()
}
