package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

// kioskPage says whether this browser is a kiosk (an in-branch terminal:
// larger text, a 2-minute idle logout, nothing of a patron kept) and, to
// a staff member logged in on it, offers to switch.
func (s *Server) kioskPage(c *gin.Context) error {
	web.NoStore(c)
	w := s.Who(c)
	s.Render(c, http.StatusOK, "opac/kiosk", web.T(web.Lang(c), "kiosk.title"),
		gin.H{"On": web.IsKiosk(c), "Staff": w != nil && w.StaffID != 0})
	return nil
}

// kioskPost turns kiosk mode on or off for this browser: staff only (a
// patron must not be able to turn off what protects the next patron),
// with the form's CSRF token. It ends the session of the staff member
// who switched, so the terminal is nobody's when the public gets it.
func (s *Server) kioskPost(c *gin.Context) error {
	on := c.PostForm("on") == "1"
	v, age, action := "1", 10*365*24*3600, "kiosk.on"
	if !on {
		v, age, action = "", -1, "kiosk.off"
	}
	s.Audit(c, action, c.ClientIP())
	http.SetCookie(c.Writer, &http.Cookie{Name: web.KioskCookie, Value: v, Path: "/", MaxAge: age, HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
	return s.Logout(c)
}
