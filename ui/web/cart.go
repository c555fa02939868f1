package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
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
		s.WriteCartReasons(c, nil)
	}
	http.SetCookie(c.Writer, ck)
}

// cartWhyCookie keeps why the titles still in the cart were not reserved
// at the last 予約を確定する, so that the cart can say it: each entry
// "id~code~limit~material", entries joined by ".". The browser keeps it
// as long as the cart.
const cartWhyCookie = "hondana_cart_why"

// WriteCartReasons keeps the refusals of titles left in the cart; none
// forgets them.
func (s *Server) WriteCartReasons(c *gin.Context, why map[int64]*library.Refusal) {
	var parts []string
	for id, r := range why {
		parts = append(parts, strconv.FormatInt(id, 10)+"~"+r.Code+"~"+strconv.Itoa(r.Limit)+"~"+r.Material)
	}
	slices.Sort(parts)
	ck := &http.Cookie{Name: cartWhyCookie, Value: strings.Join(parts, "."), Path: "/", HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode}
	if len(parts) == 0 {
		ck.MaxAge = -1
	}
	http.SetCookie(c.Writer, ck)
}

// CartReasons is, for the titles in the cart that the last reservation
// refused, the reason in the user's language.
func (s *Server) CartReasons(c *gin.Context) map[int64]string {
	v, err := c.Cookie(cartWhyCookie)
	if err != nil || v == "" {
		return nil
	}
	in := ReadCart(c)
	out := map[int64]string{}
	for _, e := range strings.Split(v, ".") {
		f := strings.Split(e, "~")
		if len(f) != 4 {
			continue
		}
		id, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || !slices.Contains(in, id) || f[1] == "" {
			continue
		}
		limit, _ := strconv.Atoi(f[2])
		r := &library.Refusal{Code: f[1], Limit: limit, Material: f[3]}
		out[id] = s.Message(c, refusalError(r, s.Calendar.Location()))
	}
	return out
}
