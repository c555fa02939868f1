package staff

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

// staffAccountsPage lists staff accounts for admins to manage.
func (s *Server) staffAccountsPage(c *gin.Context) error {
	list, err := s.DB.StaffList(c.Request.Context())
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff/accounts", web.T(web.Lang(c), "accounts.title"), gin.H{"Staff": list, "Done": c.Query("done") != ""})
	return nil
}

func (s *Server) staffAccountsPost(c *gin.Context) error {
	w := s.Who(c)
	var err error
	if user := c.PostForm("totp_reset"); user != "" {
		err = s.Accounts.ResetTOTP(c.Request.Context(), w.StaffID, user)
	} else if user := c.PostForm("update"); user != "" {
		err = s.Accounts.UpdateStaff(c.Request.Context(), w.StaffID, user, c.PostForm("role"), c.PostForm("disabled") == "1", c.PostForm("password"))
	} else {
		err = s.Accounts.AddStaff(c.Request.Context(), w.StaffID, c.PostForm("username"), c.PostForm("role"), c.PostForm("password"))
	}
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		list, _ := s.DB.StaffList(c.Request.Context())
		s.Render(c, status, "staff/accounts", web.T(web.Lang(c), "accounts.title"), gin.H{"Staff": list, "Error": msg})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/staff/accounts?done=1")
	return nil
}
