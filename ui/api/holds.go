package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// apiHold is a hold as API.md fixes it.
type apiHold struct {
	ID             int64   `json:"id"`
	RecordID       int64   `json:"record_id"`
	Title          string  `json:"title"`
	PickupBranch   string  `json:"pickup_branch"`
	Contact        string  `json:"contact"`
	Status         string  `json:"status"`
	Position       *int    `json:"position"`
	PlacedAt       string  `json:"placed_at"`
	PickupDeadline *string `json:"pickup_deadline"`
	// Beyond the contract's fields: the hold's options and its group
	// (issue 18), and the estimated wait of a waiting hold.
	NotAfter    *string      `json:"not_after"`
	Suspended   bool         `json:"suspended"`
	SeriesGroup *int64       `json:"series_group"`
	Estimate    *apiEstimate `json:"estimate"`
}

func (s *Server) toAPIHold(h store.Hold, title string, position int) apiHold {
	out := apiHold{ID: h.ID, RecordID: h.RecordID, Title: title, PickupBranch: h.PickupBranch, Contact: h.Contact,
		Status: h.Status, PlacedAt: h.PlacedAt.In(s.Calendar.Location()).Format(time.RFC3339)}
	if h.Status == store.HoldWaiting && position > 0 {
		p := position
		out.Position = &p
	}
	out.PickupDeadline = nullable(h.PickupDeadline)
	out.NotAfter = nullable(h.NotAfter)
	out.Suspended = h.Suspended
	if h.SeriesGroup != 0 {
		g := h.SeriesGroup
		out.SeriesGroup = &g
	}
	return out
}

// holdJSON reloads a hold as its patron sees it, with its position.
func (s *Server) holdJSON(c *gin.Context, patronID, holdID int64) (apiHold, error) {
	holds, err := s.Circulation.Holds(c.Request.Context(), patronID)
	if err != nil {
		return apiHold{}, err
	}
	for _, h := range holds {
		if h.ID == holdID {
			return s.toAPIHold(h.Hold, h.Title, h.Position), nil
		}
	}
	return apiHold{}, web.NotFound(library.HoldNotFound)
}

func (s *Server) apiMyHolds(c *gin.Context) error { return s.holdsJSON(c, s.Who(c).PatronID) }

// holdsJSON answers a patron's holds, for the patron or for staff (R52).
func (s *Server) holdsJSON(c *gin.Context, patronID int64) error {
	holds, err := s.Circulation.Holds(c.Request.Context(), patronID)
	if err != nil {
		return err
	}
	out := make([]apiHold, len(holds))
	for i, h := range holds {
		out[i] = s.toAPIHold(h.Hold, h.Title, h.Position)
		if out[i].Estimate, err = s.holdEstimate(c, h); err != nil {
			return err
		}
	}
	c.JSON(http.StatusOK, gin.H{"holds": out})
	return nil
}

func (s *Server) apiPlaceHold(c *gin.Context) error {
	return s.placeHoldJSON(c, s.Who(c).PatronID, false)
}

// placeHoldJSON places a hold, for the patron or for staff (R52), who may
// name the title by a copy's barcode or an ISBN instead of its id.
func (s *Server) placeHoldJSON(c *gin.Context, patronID int64, staff bool) error {
	var req struct {
		RecordID     json64 `json:"record_id"`
		Barcode      string `json:"barcode"`
		ISBN         string `json:"isbn"`
		PickupBranch string `json:"pickup_branch"`
		Contact      string `json:"contact"`
		NotAfter     string `json:"not_after"`
		Suspended    bool   `json:"suspended"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	if item := req.Barcode + req.ISBN; staff && req.RecordID == 0 && item != "" {
		id, err := s.Circulation.RecordFor(c.Request.Context(), item)
		if err != nil {
			return err
		}
		req.RecordID = json64(id)
	}
	h, err := s.Circulation.PlaceHoldWith(c.Request.Context(), patronID, int64(req.RecordID),
		library.HoldOptions{Pickup: req.PickupBranch, Contact: req.Contact, NotAfter: req.NotAfter, Suspended: req.Suspended})
	if err != nil {
		return err
	}
	pos, err := s.Circulation.Position(c.Request.Context(), h)
	if err != nil {
		return err
	}
	r, err := s.DB.Record(c.Request.Context(), h.RecordID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, s.toAPIHold(*h, r.Title, pos))
	return nil
}

// json64 accepts a record id as a JSON number or a string of digits.
type json64 int64

func (j *json64) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		*j = 0 // an id that no record has
		return nil
	}
	*j = json64(n)
	return nil
}

func (s *Server) apiChangeHold(c *gin.Context) error { return s.changeHoldJSON(c, s.Who(c).PatronID) }

// changeHoldJSON changes a hold, for the patron or for staff (R52).
func (s *Server) changeHoldJSON(c *gin.Context, patronID int64) error {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	var req struct {
		PickupBranch string  `json:"pickup_branch"`
		Contact      string  `json:"contact"`
		NotAfter     *string `json:"not_after"` // "" or null removes the end date; absent leaves it
		Suspended    *bool   `json:"suspended"`
	}
	var raw map[string]any
	if err := readJSON(c, &req, &raw); err != nil {
		return err
	}
	ch := library.HoldChange{Pickup: req.PickupBranch, Contact: req.Contact, NotAfter: req.NotAfter, Suspended: req.Suspended}
	if _, present := raw["not_after"]; present && req.NotAfter == nil {
		none := ""
		ch.NotAfter = &none
	}
	if _, err := s.Circulation.ChangeHoldWith(c.Request.Context(), patronID, id, ch); err != nil {
		return err
	}
	out, err := s.holdJSON(c, patronID, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) apiCancelHold(c *gin.Context) error { return s.cancelHoldJSON(c, s.Who(c).PatronID) }

// cancelHoldJSON cancels a hold, for the patron or for staff (R52).
func (s *Server) cancelHoldJSON(c *gin.Context, patronID int64) error {
	id, err := web.PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	if err := s.Circulation.CancelHold(c.Request.Context(), patronID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
