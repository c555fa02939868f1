package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// KioskCookie marks a browser as an in-branch kiosk (R42): logins there
// end after two idle minutes, and pages of a logged-in patron go back to
// the start by themselves.
const KioskCookie = "hondana_kiosk"

// IsKiosk reports whether the browser is an in-branch terminal (a
// cookie staff set once with /kiosk?on=1).
func IsKiosk(c *gin.Context) bool {
	v, err := c.Cookie(KioskCookie)
	return err == nil && v == "1"
}

// LiteCookie switches the site to its lite mode: minimal HTML, no
// stylesheet, no scripts, for low-end phones and slow connections (R7).
const LiteCookie = "hondana_lite"

// isLite reports whether the page is wanted in lite mode (/m/): no
// stylesheet, no scripts, little to download.
func isLite(c *gin.Context) bool {
	if v, ok := c.Get("lite"); ok {
		return v.(bool)
	}
	v, err := c.Cookie(LiteCookie)
	return err == nil && v == "1"
}

// kioskSeenCookie holds when a kiosk last served a page, in Unix seconds
// by the server's clock (which tests may move).
const kioskSeenCookie = "hondana_kiosk_seen"

// KioskIdle forgets, on a kiosk left idle longer than the kiosk timeout,
// what a stranger left in the browser without logging in: the cart (and
// the site's storage). A login ends on the server by itself; this is
// for the anonymous cart, which otherwise waits for the next person and
// is carried into their login (R42). The browser goes back to the start
// by itself at the same time (app.js, or the page's refresh without
// JavaScript), which also drops a typed search.
func (s *Server) KioskIdle(c *gin.Context) {
	if !IsKiosk(c) || s.Accounts == nil || strings.HasPrefix(c.Request.URL.Path, "/assets/") {
		c.Next()
		return
	}
	now := s.Clock.Now()
	if v, err := c.Cookie(kioskSeenCookie); err == nil {
		last, err := strconv.ParseInt(v, 10, 64)
		if err != nil || now.Sub(time.Unix(last, 0)) > s.Accounts.Policy().KioskIdle {
			s.forgetPatron(c)
			dropRequestCookie(c.Request, cartCookie)
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: kioskSeenCookie, Value: strconv.FormatInt(now.Unix(), 10), Path: "/",
		HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
	c.Next()
}

// dropRequestCookie removes a cookie from a request, so that the handler
// after a middleware that forgot it does not read it either.
func dropRequestCookie(r *http.Request, name string) {
	var keep []string
	for _, ck := range r.Cookies() {
		if ck.Name != name {
			keep = append(keep, ck.String())
		}
	}
	r.Header.Set("Cookie", strings.Join(keep, "; "))
}
