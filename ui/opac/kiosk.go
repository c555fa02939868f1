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
	on := web.IsKiosk(c)
	// After the switch (kioskPost) the page says what it did, when the
	// cookie says it is so.
	notice := ""
	switch q := c.Query("on"); {
	case q == "1" && on:
		notice = "kiosk.switched_on"
	case q == "0" && !on:
		notice = "kiosk.switched_off"
	}
	s.Render(c, http.StatusOK, "opac/kiosk", web.T(web.Lang(c), "kiosk.title"),
		gin.H{"On": on, "Staff": w != nil && w.StaffID != 0, "Notice": notice})
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
	if err := s.EndSession(c); err != nil {
		return err
	}
	back := "/kiosk?on=0"
	if on {
		back = "/kiosk?on=1"
	}
	c.Redirect(http.StatusSeeOther, back)
	return nil
}
