package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// The cart (R20) lives in a cookie: it works before login and survives it,
// and the server keeps nothing of it.
const (
	cartCookie = "hondana_cart"
	CartMax    = 20
)

// ReadCart is the cart of titles kept in the browser's cookie (before a
// login too), at most CartMax record ids.
func ReadCart(c *gin.Context) []int64 {
	v, err := c.Cookie(cartCookie)
	if err != nil {
		return nil
	}
	var out []int64
	for _, f := range strings.Split(v, ".") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil && id > 0 && !slices.Contains(out, id) && len(out) < CartMax {
			out = append(out, id)
		}
	}
	return out
}

// WriteCart keeps ids as the browser's cart; none clears it.
func (s *Server) WriteCart(c *gin.Context, ids []int64) {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	ck := &http.Cookie{Name: cartCookie, Value: strings.Join(parts, "."), Path: "/", HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode}
	if len(ids) == 0 {
		ck.MaxAge = -1
	}
	http.SetCookie(c.Writer, ck)
}
