package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) apiMe(c *gin.Context) error {
	p, err := s.DB.PatronByID(c.Request.Context(), s.Who(c).PatronID)
	if err != nil {
		return err
	}
	on, err := s.DB.DueRemindersOn(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	// card_expiry: the card's last valid day, null when it does not
	// expire; card_expired: it has, and borrows and reserves nothing
	// until renewed at the counter.
	c.JSON(http.StatusOK, gin.H{"card": p.Card, "name": p.Name, "email": p.Email, "phone": p.Phone, "mobile": p.Mobile, "due_reminders": on,
		"card_expiry": nullable(p.Expiry), "card_expired": s.Accounts.Validity(p.Expiry).Expired})
	return nil
}

func (s *Server) apiSetEmail(c *gin.Context) error {
	var req struct {
		Email string `json:"email"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	w := s.Who(c)
	if err := s.Accounts.SetEmail(c.Request.Context(), w.PatronID, req.Email); err != nil {
		return err
	}
	p, err := s.DB.PatronByID(c.Request.Context(), w.PatronID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"email": p.Email, "sender_domain": s.Site.MailDomain})
	return nil
}

func (s *Server) apiChangePassword(c *gin.Context) error {
	var req struct {
		Old     string `json:"old_password"`
		New     string `json:"new_password"`
		Confirm string `json:"new_password_confirm"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if err := s.Accounts.ChangePassword(c.Request.Context(), s.Who(c), req.Old, req.New, req.Confirm); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiSetNotices(c *gin.Context) error {
	var req struct {
		DueReminders *bool `json:"due_reminders"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if req.DueReminders == nil {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "due_reminders", Args: []any{"due_reminders"}}
	}
	if err := s.Accounts.SetDueReminders(c.Request.Context(), s.Who(c).PatronID, *req.DueReminders); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"due_reminders": *req.DueReminders})
	return nil
}
