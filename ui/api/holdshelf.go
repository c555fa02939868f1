package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
)

func (s *Server) apiHoldShelf(c *gin.Context) error {
	branch, err := s.staffBranch(c)
	if err != nil {
		return err
	}
	holds, err := s.Circulation.ReadyHolds(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	today := s.Circulation.Today().Format(library.DateLayout)
	type item struct {
		ID             int64   `json:"id"`
		RecordID       int64   `json:"record_id"`
		Title          string  `json:"title"`
		Barcode        string  `json:"barcode"`
		CallNumber     string  `json:"call_number"`
		Contact        string  `json:"contact"`
		ReadyAt        string  `json:"ready_at"`
		PickupDeadline *string `json:"pickup_deadline"`
		EndsToday      bool    `json:"ends_today"`
		Attempts       []gin.H `json:"attempts"`
	}
	ready, expired := []item{}, []item{}
	for _, h := range holds {
		it := item{ID: h.ID, RecordID: h.RecordID, Title: h.Title, Barcode: h.Barcode, CallNumber: h.CallNumber, Contact: h.Contact,
			ReadyAt: h.ReadyAt.In(s.Calendar.Location()).Format(time.RFC3339), Attempts: s.attemptsJSON(h.Attempts)}
		it.PickupDeadline = nullable(h.PickupDeadline)
		it.EndsToday = h.PickupDeadline == today
		if h.PickupDeadline != "" && h.PickupDeadline < today {
			expired = append(expired, it)
		} else {
			ready = append(ready, it)
		}
	}
	copies, err := s.Circulation.LapsedCopies(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	lapsed := make([]gin.H, len(copies))
	for i, lc := range copies {
		lapsed[i] = gin.H{"barcode": lc.Barcode, "record_id": lc.RecordID, "title": lc.Title, "call_number": lc.CallNumber,
			"next": placementJSON(lc.Next)}
	}
	c.JSON(http.StatusOK, gin.H{"branch": branch, "ready": ready, "expired": expired, "lapsed": lapsed})
	return nil
}

func (s *Server) apiPickList(c *gin.Context) error {
	branch, err := s.staffBranch(c)
	if err != nil {
		return err
	}
	items, err := s.Circulation.PickList(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	out := make([]gin.H, len(items))
	for i, p := range items {
		out[i] = gin.H{"hold_id": p.HoldID, "record_id": p.RecordID, "title": p.Title, "pickup_branch": p.PickupBranch,
			"placed_at": p.PlacedAt.In(s.Calendar.Location()).Format(time.RFC3339), "barcode": p.Barcode, "location": p.Location, "call_number": p.CallNumber}
	}
	c.JSON(http.StatusOK, gin.H{"branch": branch, "holds": out})
	return nil
}
