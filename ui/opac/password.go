package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) passwordPage(c *gin.Context) error {
	s.Render(c, http.StatusOK, "opac/password", web.T(web.Lang(c), "password.title"), gin.H{"MustChange": s.Who(c).MustChange, "Form": web.FormState{}})
	return nil
}

func (s *Server) passwordPost(c *gin.Context) error {
	w := s.Who(c)
	err := s.Accounts.ChangePassword(c.Request.Context(), w, c.PostForm("old_password"), c.PostForm("new_password"), c.PostForm("new_password_confirm"))
	if err != nil {
		field, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		var f web.FormState
		f.Refused(field, msg)
		s.Render(c, status, "opac/password", web.T(web.Lang(c), "password.title"), gin.H{"MustChange": w.MustChange, "Form": f})
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/account?done=password")
	return nil
}
