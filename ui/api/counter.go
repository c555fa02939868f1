package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/ui/web"
)

func (s *Server) apiCheckout(c *gin.Context) error {
	var req struct {
		Card    string `json:"card"`
		Barcode string `json:"barcode"`
		Branch  string `json:"branch"`
		// OverrideReason lends despite the overdue rule (R53), logged.
		OverrideReason string `json:"override_reason"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	card, ok := library.FoldCard(req.Card)
	if !ok {
		return &library.Refusal{Code: library.PatronNotFound}
	}
	ctx := c.Request.Context()
	override := strings.TrimSpace(req.OverrideReason) != ""
	if override {
		w := s.Who(c)
		if err := s.Circulation.OverrideOverdue(ctx, w.TokenHash, w.StaffID, card, req.OverrideReason); err != nil {
			return err
		}
	}
	l, err := s.Circulation.Lend(ctx, library.CheckoutRequest{Card: card, Barcode: strings.TrimSpace(req.Barcode), Branch: req.Branch, Override: override})
	if err != nil {
		return err
	}
	s.Audit(c, "checkout", "item "+req.Barcode)
	c.JSON(http.StatusCreated, gin.H{"loan_id": l.ID, "due_date": l.DueDate, "title": l.Title})
	return nil
}

func placementJSON(p library.Placement) gin.H {
	out := gin.H{"action": p.Action, "hold_id": nil, "to_branch": nil}
	if p.HoldID != 0 {
		out["hold_id"] = p.HoldID
	}
	if p.ToBranch != "" {
		out["to_branch"] = p.ToBranch
	}
	return out
}

func (s *Server) apiCheckin(c *gin.Context) error {
	var req struct {
		Barcode string `json:"barcode"`
		Branch  string `json:"branch"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Circulation.Checkin(c.Request.Context(), strings.TrimSpace(req.Barcode), req.Branch)
	if err != nil {
		return err
	}
	s.Audit(c, "checkin", "item "+req.Barcode)
	c.JSON(http.StatusOK, placementJSON(p))
	return nil
}

func (s *Server) apiReceive(c *gin.Context) error {
	var req struct {
		Barcode string `json:"barcode"`
		Branch  string `json:"branch"`
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	p, err := s.Circulation.ReceiveTransit(c.Request.Context(), strings.TrimSpace(req.Barcode), req.Branch)
	if err != nil {
		return err
	}
	s.Audit(c, "transit.receive", "item "+req.Barcode)
	c.JSON(http.StatusOK, placementJSON(p))
	return nil
}

// staffBranch reads ?branch= and checks it.
func (s *Server) staffBranch(c *gin.Context) (string, error) {
	b := c.Query("branch")
	ok, err := s.BranchExists(c.Request.Context(), b)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", &web.Error{Status: http.StatusUnprocessableEntity, Code: library.UnknownBranch, Msg: "err.unknown_branch", Field: "branch"}
	}
	return b, nil
}
