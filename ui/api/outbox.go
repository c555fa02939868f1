package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) apiOutbox(c *gin.Context) error {
	status := c.Query("status")
	if !web.MailStatus(status) {
		return &web.Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "status", Args: []any{"status"}}
	}
	mails, err := s.DB.Outbox(c.Request.Context(), status, 500)
	if err != nil {
		return err
	}
	loc := s.Calendar.Location()
	out := make([]gin.H, len(mails))
	for i, m := range mails {
		var sent any
		if !m.SentAt.IsZero() {
			sent = m.SentAt.In(loc).Format(time.RFC3339)
		}
		var hold any
		if m.HoldID != 0 {
			hold = m.HoldID
		}
		out[i] = gin.H{"id": m.ID, "kind": m.Kind, "hold_id": hold, "to": m.To, "subject": m.Subject, "body": m.Body,
			"status": m.Status, "attempts": m.Attempts, "last_error": m.LastError,
			"created_at": m.CreatedAt.In(loc).Format(time.RFC3339), "sent_at": sent}
	}
	c.JSON(http.StatusOK, gin.H{"mails": out})
	return nil
}
