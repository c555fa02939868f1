package staff

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

// outboxPage lists the messages to patrons: waiting, sent, failed, with
// their text (the demo's mailbox, and the place to see what went wrong).
func (s *Server) outboxPage(c *gin.Context) error {
	status := c.Query("status")
	if !web.MailStatus(status) {
		status = "" // an odd filter shows everything
	}
	mails, err := s.DB.Outbox(c.Request.Context(), status, 200)
	if err != nil {
		return err
	}
	loc := s.Calendar.Location()
	for i := range mails {
		mails[i].CreatedAt = mails[i].CreatedAt.In(loc)
		mails[i].NextTryAt = mails[i].NextTryAt.In(loc)
		if !mails[i].SentAt.IsZero() {
			mails[i].SentAt = mails[i].SentAt.In(loc)
		}
	}
	keep := int(s.Circulation.MailPolicy().Keep / (24 * time.Hour))
	s.Render(c, http.StatusOK, "staff/outbox", web.T(web.Lang(c), "outbox.title"), gin.H{"Mails": mails, "Status": status,
		"Keep": keep, "Mailbox": s.MailboxDir, "Done": c.Query("done")})
	return nil
}

func (s *Server) outboxRetryPost(c *gin.Context) error {
	id, err := web.PathID(c, library.MailNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.RetryMail(c.Request.Context(), s.Who(c).StaffID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/outbox?done=retried")
	return nil
}
