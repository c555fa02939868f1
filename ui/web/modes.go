package web

import "github.com/gin-gonic/gin"

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
