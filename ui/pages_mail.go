package ui

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

// outboxPage lists the messages to patrons: waiting, sent, failed, with
// their text (the demo's mailbox, and the place to see what went wrong).
func (s *Server) outboxPage(c *gin.Context) error {
	status := c.Query("status")
	if !MailStatus(status) {
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
	s.Render(c, http.StatusOK, "staff_outbox", T(Lang(c), "outbox.title"), gin.H{"Mails": mails, "Status": status,
		"Keep": keep, "Mailbox": s.MailboxDir, "Done": c.Query("done")})
	return nil
}

// MailStatus reports whether s filters the outbox ("" for all).
func MailStatus(s string) bool {
	switch s {
	case "", store.MailPending, store.MailSent, store.MailFailed:
		return true
	}
	return false
}

func (s *Server) outboxRetryPost(c *gin.Context) error {
	id, err := PathID(c, library.MailNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.RetryMail(c.Request.Context(), s.Who(c).StaffID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/outbox?done=retried")
	return nil
}

// callItem is a call-list row with what to tell the patron.
type callItem struct {
	library.ContactView
	Say string
}

func (s *Server) callListPage(c *gin.Context) error {
	ctx := c.Request.Context()
	holds, err := s.Circulation.CallList(ctx)
	if err != nil {
		return err
	}
	bs, err := s.DB.Branches(ctx)
	if err != nil {
		return err
	}
	names := s.BranchNames(Lang(c), bs)
	items := make([]callItem, len(holds))
	for i, h := range holds {
		items[i] = callItem{ContactView: h}
		// What to say: the deadline a 連絡済み now would give.
		d, err := s.Circulation.PickupDeadline(ctx, h.PickupBranch, s.Clock.Now())
		if err != nil {
			return err
		}
		items[i].Say = T(Lang(c), "calls.say", s.Site.Name, h.Title, names[h.PickupBranch], FmtDate(Lang(c), d))
	}
	s.Render(c, http.StatusOK, "staff_calls", T(Lang(c), "calls.title"), gin.H{"Holds": items, "Names": names, "Done": c.Query("done")})
	return nil
}

// staffCancelHoldPost cancels a hold for the library (a flagged hold).
func (s *Server) staffCancelHoldPost(c *gin.Context) error {
	id, err := PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.StaffCancelHold(c.Request.Context(), s.Who(c).StaffID, id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/calls?done=cancelled")
	return nil
}

// attemptsJSON is a hold's contact attempts for the API.
func (s *Server) attemptsJSON(as []store.ContactAttempt) []gin.H {
	out := make([]gin.H, len(as))
	for i, a := range as {
		out[i] = gin.H{"channel": a.Channel, "result": a.Result, "at": a.At.In(s.Calendar.Location()).Format(time.RFC3339)}
	}
	return out
}

func (s *Server) apiCallList(c *gin.Context) error {
	holds, err := s.Circulation.CallList(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]gin.H, len(holds))
	for i, h := range holds {
		out[i] = gin.H{"id": h.ID, "record_id": h.RecordID, "title": h.Title, "patron_name": h.PatronName, "phone": h.Phone,
			"mobile": h.Mobile, "contact": h.Contact, "pickup_branch": h.PickupBranch, "ready_at": h.ReadyAt.In(s.Calendar.Location()).Format(time.RFC3339),
			"attempts": s.attemptsJSON(h.Attempts), "flagged": h.Flagged, "email_failed": h.EmailFailed}
	}
	c.JSON(http.StatusOK, gin.H{"holds": out})
	return nil
}

func (s *Server) apiStaffCancelHold(c *gin.Context) error {
	id, err := PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.StaffCancelHold(c.Request.Context(), s.Who(c).StaffID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) apiOutbox(c *gin.Context) error {
	status := c.Query("status")
	if !MailStatus(status) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "status", Args: []any{"status"}}
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

func (s *Server) apiSetNotices(c *gin.Context) error {
	var req struct {
		DueReminders *bool `json:"due_reminders"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if req.DueReminders == nil {
		return &Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "due_reminders", Args: []any{"due_reminders"}}
	}
	if err := s.Accounts.SetDueReminders(c.Request.Context(), s.Who(c).PatronID, *req.DueReminders); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"due_reminders": *req.DueReminders})
	return nil
}

// pokeMailer asks the sender to look at the outbox now.
func (s *Server) pokeMailer() {
	if s.Mailer != nil {
		s.Mailer.Poke()
	}
}
