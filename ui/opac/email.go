package opac

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/ui/web"
)

func (s *Server) emailPage(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	on, err := s.DB.DueRemindersOn(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "opac/email", web.T(web.Lang(c), "email.title"), gin.H{"Form": web.FormState{Values: map[string]string{"email": p.Email}},
		"DueReminders": on, "DueDays": s.Circulation.MailPolicy().DueReminderDays})
	return nil
}

func (s *Server) emailPost(c *gin.Context) error {
	email := c.PostForm("email")
	on := c.PostForm("due_reminders") == "1"
	if err := s.Accounts.SetEmail(c.Request.Context(), s.Who(c).PatronID, email); err != nil {
		field, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		f := web.FormState{Values: map[string]string{"email": email}}
		f.Refused(field, msg)
		s.Render(c, status, "opac/email", web.T(web.Lang(c), "email.title"), gin.H{"Form": f,
			"DueReminders": on, "DueDays": s.Circulation.MailPolicy().DueReminderDays})
		return nil
	}
	if err := s.Accounts.SetDueReminders(c.Request.Context(), s.Who(c).PatronID, on); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/account?done=email")
	return nil
}
