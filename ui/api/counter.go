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
	}
	if err := readJSON(c, &req); err != nil {
		return err
	}
	card, ok := library.FoldCard(req.Card)
	if !ok {
		return &library.Refusal{Code: library.PatronNotFound}
	}
	l, err := s.Circulation.Checkout(c.Request.Context(), card, strings.TrimSpace(req.Barcode), req.Branch)
	if err != nil {
		return err
	}
	s.Audit(c, "checkout", "item "+req.Barcode)
	c.JSON(http.StatusCreated, gin.H{"loan_id": l.ID, "due_date": l.DueDate})
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
