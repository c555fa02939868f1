package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

// kioskPage turns kiosk mode on or off for this browser (staff set up a
// terminal once by opening /kiosk?on=1).
func (s *Server) kioskPage(c *gin.Context) error {
	on := c.Query("on") != "0"
	v, age := "1", 10*365*24*3600
	if !on {
		v, age = "", -1
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: web.KioskCookie, Value: v, Path: "/", MaxAge: age, HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}
