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

// staffLoginPost takes the name and password, or, for an account with a
// second factor, then its code (the form carries the login waiting for
// it, never the password).
func (s *Server) staffLoginPost(c *gin.Context) error {
	web.NoStore(c)
	ctx := c.Request.Context()
	next := web.SafeNext(c.PostForm("next"))
	user := c.PostForm("username")
	pending := c.PostForm("pending")
	var res *library.LoginResult
	var err error
	if pending != "" {
		res, err = s.Accounts.StaffLoginCode(ctx, pending, c.PostForm("code"), c.ClientIP(), library.SessionWeb)
	} else {
		res, err = s.Accounts.StaffLogin(ctx, user, c.PostForm("password"), c.ClientIP(), library.SessionWeb)
	}
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		if code := web.RefusalCode(err); code == library.Unauthorized || code == library.TooManyAttempts {
			pending = "" // start again with the password
		}
		s.Render(c, status, "staff/login", web.T(web.Lang(c), "staff.login"), gin.H{"Next": next, "Pending": pending,
			"Form": web.FormState{Values: map[string]string{"username": user}, Message: msg}})
		return nil
	}
	if res.SecondFactor != "" {
		s.Render(c, http.StatusOK, "staff/login", web.T(web.Lang(c), "staff.login"), gin.H{"Next": next, "Pending": res.SecondFactor,
			"Form": web.FormState{Values: map[string]string{"username": user}}})
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
