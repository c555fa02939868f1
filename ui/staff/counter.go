package staff

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// counterLine is the answer to one scan, in words.
type counterLine struct {
	OK      bool
	Barcode string
	Text    string
}

// patronSummary is what the counter shows after a card is scanned.
type patronSummary struct {
	Patron *store.Patron
	Loans  []library.LoanView
	Ready  []store.PatronHold
	Login  store.PatronLoginState
	Today  string
}

func (s *Server) summary(c *gin.Context, card, branch string) (*patronSummary, error) {
	p, err := s.DB.PatronByCard(c.Request.Context(), card)
	if err != nil {
		return nil, nil
	}
	loans, holds, err := s.MyLists(c, p.ID)
	if err != nil {
		return nil, err
	}
	st, err := s.DB.LoginState(c.Request.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	sum := &patronSummary{Patron: p, Loans: loans, Login: st, Today: s.Circulation.Today().Format(library.DateLayout)}
	for _, h := range holds {
		if h.Status == store.HoldReady && h.PickupBranch == branch {
			sum.Ready = append(sum.Ready, h)
		}
	}
	return sum, nil
}

func (s *Server) counterPage(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	card, _ := library.FoldCard(c.Query("card"))
	return s.renderCounter(c, http.StatusOK, branch, bs, card, nil)
}

func (s *Server) renderCounter(c *gin.Context, status int, branch string, bs []store.Branch, card string, line *counterLine) error {
	returnTo(c, "/staff/counter")
	data := gin.H{"Branch": branch, "Branches": bs, "Card": card, "Line": line, "Names": s.BranchNames(web.Lang(c), bs)}
	if card != "" {
		sum, err := s.summary(c, card, branch)
		if err != nil {
			return err
		}
		if sum == nil {
			data["NoPatron"] = true
		}
		data["Summary"] = sum
	}
	s.Render(c, status, "staff/counter", web.T(web.Lang(c), "counter.title"), data)
	return nil
}

func (s *Server) counterCheckout(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	card, _ := library.FoldCard(c.PostForm("card"))
	barcode := strings.TrimSpace(c.PostForm("barcode"))
	line := &counterLine{Barcode: barcode}
	status := http.StatusOK
	l, err := s.Circulation.Checkout(c.Request.Context(), card, barcode, branch)
	if err != nil {
		_, msg, st, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		line.Text = msg
		if st == http.StatusServiceUnavailable {
			status = st // nothing was saved: not a rule's answer
		}
	} else {
		line.OK = true
		line.Text = web.T(web.Lang(c), "counter.lent", web.FmtDate(web.Lang(c), l.DueDate))
		s.Audit(c, "checkout", "item "+barcode)
	}
	return s.renderCounter(c, status, branch, bs, card, line)
}

func (s *Server) counterCheckin(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	barcode := strings.TrimSpace(c.PostForm("barcode"))
	line := &counterLine{Barcode: barcode}
	status := http.StatusOK
	var pl library.Placement
	if c.PostForm("receive") != "" {
		pl, err = s.Circulation.ReceiveTransit(c.Request.Context(), barcode, branch)
	} else {
		pl, err = s.Circulation.Checkin(c.Request.Context(), barcode, branch)
	}
	if err != nil {
		_, msg, st, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		line.Text = msg
		if st == http.StatusServiceUnavailable {
			status = st
		}
	} else {
		line.OK = true
		s.Audit(c, "checkin", "item "+barcode)
		l := web.Lang(c)
		switch pl.Action {
		case library.ActionShelve:
			line.Text = web.T(l, "counter.shelve")
		case library.ActionHoldShelf:
			line.Text = web.T(l, "counter.hold_shelf", pl.HoldID)
		case library.ActionTransit:
			line.Text = web.T(l, "counter.transit", s.BranchNames(l, bs)[pl.ToBranch])
		}
	}
	card, _ := library.FoldCard(c.PostForm("card"))
	return s.renderCounter(c, status, branch, bs, card, line)
}
