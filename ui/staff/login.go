package staff

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) staffLoginPage(c *gin.Context) error {
	web.NoStore(c)
	next := web.SafeNext(c.Query("next"))
	if w := s.Who(c); w != nil && w.StaffID != 0 {
		if next == "" {
			next = "/staff"
		}
		c.Redirect(http.StatusSeeOther, next)
		return nil
	}
	s.Render(c, http.StatusOK, "staff/login", web.T(web.Lang(c), "staff.login"), gin.H{"Next": next, "Form": web.FormState{},
		"Storage": s.StorageNotice(c)})
	return nil
}

func (s *Server) staffLoginPost(c *gin.Context) error {
	web.NoStore(c)
	next := web.SafeNext(c.PostForm("next"))
	user := c.PostForm("username")
	res, err := s.Accounts.StaffLogin(c.Request.Context(), user, c.PostForm("password"), c.ClientIP(), library.SessionWeb)
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		s.Render(c, status, "staff/login", web.T(web.Lang(c), "staff.login"), gin.H{"Next": next,
			"Form": web.FormState{Values: map[string]string{"username": user}, Message: msg}})
		return nil
	}
	if old := s.Token(c); old != "" {
		s.Accounts.Logout(c.Request.Context(), old)
	}
	s.SetSession(c, res.Token)
	// Back to the staff client, or to the one public page that is
	// staff's to use (switching a terminal to kiosk mode).
	if next == "" || !strings.HasPrefix(next, "/staff") && next != "/kiosk" {
		next = "/staff"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}
