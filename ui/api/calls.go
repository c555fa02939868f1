package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

func (s *Server) apiContacted(c *gin.Context) error {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	var req struct {
		Result string `json:"result"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	h, err := s.Circulation.Contacted(c.Request.Context(), id, s.Who(c).StaffID, req.Result)
	if err != nil {
		return err
	}
	s.Audit(c, "hold.contacted", fmt.Sprintf("hold %d: %s", id, req.Result))
	r, err := s.DB.Record(c.Request.Context(), h.RecordID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.toAPIHold(*h, r.Title, 0))
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
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.StaffCancelHold(c.Request.Context(), s.Who(c).StaffID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
