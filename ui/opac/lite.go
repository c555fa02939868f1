package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

// litePage turns lite mode on (/m/) or off (/m/?off=1) and shows the home page.
func (s *Server) litePage(c *gin.Context) error {
	on := c.Query("off") == ""
	v, age := "1", 365*24*3600
	if !on {
		v, age = "", -1
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: web.LiteCookie, Value: v, Path: "/", MaxAge: age, HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
	c.Set("lite", on)
	if !on {
		c.Redirect(http.StatusSeeOther, "/")
		return nil
	}
	return s.home(c)
}
