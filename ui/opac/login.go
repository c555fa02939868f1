package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) loginPage(c *gin.Context) error {
	web.NoStore(c)
	next := web.SafeNext(c.Query("next"))
	if w := s.Who(c); w != nil && w.PatronID != 0 {
		if next == "" {
			next = "/account"
		}
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.Render(c, http.StatusOK, "opac/login", web.T(web.Lang(c), "login.title"), gin.H{"Next": next, "Form": web.FormState{}, "Kiosk": web.IsKiosk(c)})
	return nil
}

func (s *Server) loginPost(c *gin.Context) error {
	web.NoStore(c)
	next := web.SafeNext(c.PostForm("next"))
	card := c.PostForm("card")
	kind := library.SessionWeb
	if web.IsKiosk(c) {
		kind = library.SessionKiosk
	}
	res, err := s.Accounts.Login(c.Request.Context(), card, c.PostForm("password"), c.ClientIP(), kind)
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		s.Render(c, status, "opac/login", web.T(web.Lang(c), "login.title"), gin.H{"Next": next, "Kiosk": web.IsKiosk(c),
			"Form": web.FormState{Values: map[string]string{"card": card}, Message: msg}})
		return nil
	}
	// A new id at every login; the old session, if any, ends.
	if old := s.Token(c); old != "" {
		s.Accounts.Logout(c.Request.Context(), old)
	}
	s.SetSession(c, res.Token)
	switch {
	case res.MustChange:
		next = "/account/password"
	case next == "":
		next = "/account"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}
