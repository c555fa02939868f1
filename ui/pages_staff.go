package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
)

// deskCookie remembers which branch a staff browser works at.
const deskCookie = "hondana_desk"

// desk returns the branch this desk works at (?branch= changes it).
func (s *Server) desk(c *gin.Context) (string, []store.Branch, error) {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil || len(bs) == 0 {
		return "", nil, err
	}
	want := c.Query("branch")
	if want == "" {
		want, _ = c.Cookie(deskCookie)
	}
	for _, b := range bs {
		if b.Code == want {
			if c.Query("branch") != "" {
				http.SetCookie(c.Writer, &http.Cookie{Name: deskCookie, Value: b.Code, Path: "/staff", HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode})
			}
			return b.Code, bs, nil
		}
	}
	return bs[0].Code, bs, nil
}

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
	data := gin.H{"Branch": branch, "Branches": bs, "Card": card, "Line": line, "Names": s.BranchNames(Lang(c), bs)}
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
	s.Render(c, status, "staff_counter", T(Lang(c), "counter.title"), data)
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
	l, err := s.Circulation.Checkout(c.Request.Context(), card, barcode, branch)
	if err != nil {
		_, msg, _, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		line.Text = msg
	} else {
		line.OK = true
		line.Text = T(Lang(c), "counter.lent", FmtDate(Lang(c), l.DueDate))
		s.Audit(c, "checkout", "item "+barcode)
	}
	return s.renderCounter(c, http.StatusOK, branch, bs, card, line)
}

func (s *Server) counterCheckin(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	barcode := strings.TrimSpace(c.PostForm("barcode"))
	line := &counterLine{Barcode: barcode}
	var pl library.Placement
	if c.PostForm("receive") != "" {
		pl, err = s.Circulation.ReceiveTransit(c.Request.Context(), barcode, branch)
	} else {
		pl, err = s.Circulation.Checkin(c.Request.Context(), barcode, branch)
	}
	if err != nil {
		_, msg, _, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		line.Text = msg
	} else {
		line.OK = true
		s.Audit(c, "checkin", "item "+barcode)
		l := Lang(c)
		switch pl.Action {
		case library.ActionShelve:
			line.Text = T(l, "counter.shelve")
		case library.ActionHoldShelf:
			line.Text = T(l, "counter.hold_shelf", pl.HoldID)
		case library.ActionTransit:
			line.Text = T(l, "counter.transit", s.BranchNames(l, bs)[pl.ToBranch])
		}
	}
	card, _ := library.FoldCard(c.PostForm("card"))
	return s.renderCounter(c, http.StatusOK, branch, bs, card, line)
}

func (s *Server) holdShelfPage(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	holds, err := s.Circulation.ReadyHolds(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	today := s.Circulation.Today().Format(library.DateLayout)
	var ready, expired []library.ContactView
	for _, h := range holds {
		if h.PickupDeadline != "" && h.PickupDeadline < today {
			expired = append(expired, h)
		} else {
			ready = append(ready, h)
		}
	}
	picks, err := s.Circulation.PickList(c.Request.Context(), branch)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff_holdshelf", T(Lang(c), "shelf.title"), gin.H{"Branch": branch, "Branches": bs,
		"Ready": ready, "Expired": expired, "Picks": picks, "Today": today, "Names": s.BranchNames(Lang(c), bs)})
	return nil
}

func (s *Server) contactedPost(c *gin.Context) error {
	id, err := PathID(c, library.HoldNotFound)
	if err != nil {
		return err
	}
	result := c.PostForm("result")
	if _, err := s.Circulation.Contacted(c.Request.Context(), id, s.Who(c).StaffID, result); err != nil {
		return err
	}
	s.Audit(c, "hold.contacted", fmt.Sprintf("hold %d: %s", id, result))
	c.Redirect(http.StatusSeeOther, "/staff/calls?done="+url.QueryEscape(result))
	return nil
}

// patronEditPost saves a patron's details from the staff patron page.
func (s *Server) patronEditPost(c *gin.Context) error {
	var f PatronForm
	if err := c.ShouldBind(&f); err != nil {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Msg: "err.bad_request"}
	}
	card := c.Param("card")
	if err := s.Accounts.UpdatePatron(c.Request.Context(), s.Who(c).StaffID, card, f.Patron()); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?done=saved")
	return nil
}

// patronBlockPost stops or resumes loans to a patron, with a reason.
func (s *Server) patronBlockPost(c *gin.Context) error {
	card := c.Param("card")
	reason := c.PostForm("reason")
	if c.PostForm("unblock") != "" {
		reason = ""
	} else if strings.TrimSpace(reason) == "" {
		return &Error{Status: http.StatusUnprocessableEntity, Code: library.InvalidField, Msg: "err.invalid_field", Field: "reason", Args: []any{Why{ID: "field.reason"}}}
	}
	if err := s.Accounts.Block(c.Request.Context(), s.Who(c).StaffID, card, reason); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/staff/patrons/"+url.PathEscape(card)+"?done=block")
	return nil
}

// staffLogPage shows the latest staff actions (admins only).
func (s *Server) staffLogPage(c *gin.Context) error {
	entries, err := s.DB.AuditLog(c.Request.Context(), 200)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff_log", T(Lang(c), "log.title"), gin.H{"Entries": entries})
	return nil
}

// staffCalendarPage lets staff close a branch for a range of days.
func (s *Server) staffCalendarPage(c *gin.Context) error {
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	s.Render(c, http.StatusOK, "staff_calendar", T(Lang(c), "closure.title"), gin.H{"Branch": branch, "Branches": bs})
	return nil
}

func (s *Server) staffClosePost(c *gin.Context) error {
	data, note, err := s.calendarForm(c)
	if err != nil {
		return err
	}
	loc := s.Calendar.Location()
	from, err1 := time.ParseInLocation(library.DateLayout, c.PostForm("from"), loc)
	to, err2 := time.ParseInLocation(library.DateLayout, c.PostForm("to"), loc)
	if err1 != nil || err2 != nil {
		return s.calendarDone(c, data, &library.Refusal{Code: library.InvalidRange}, nil)
	}
	cl, err := s.Calendar.CloseRange(c.Request.Context(), s.Who(c).StaffID, c.PostForm("branch"), from, to, note, s.Clock.Now())
	return s.calendarDone(c, data, err, func(l string) string {
		return T(l, "closure.done", cl.Days, cl.Loans, cl.Holds, FmtDate(l, cl.ReopensOn))
	})
}

// staffDayPost sets one day apart: a special opening with hours, or a
// closed day (which moves what falls due on it).
func (s *Server) staffDayPost(c *gin.Context) error {
	data, note, err := s.calendarForm(c)
	if err != nil {
		return err
	}
	day, err := time.ParseInLocation(library.DateLayout, c.PostForm("day"), s.Calendar.Location())
	if err != nil {
		return s.calendarDone(c, data, &library.Refusal{Code: library.InvalidRange}, nil)
	}
	open := c.PostForm("open") == "1"
	cl, err := s.Calendar.SetDay(c.Request.Context(), s.Who(c).StaffID, c.PostForm("branch"), day, open, c.PostForm("opens_at"), c.PostForm("closes_at"), note, s.Clock.Now())
	return s.calendarDone(c, data, err, func(l string) string {
		if open {
			return T(l, "day.opened", FmtDate(l, day), c.PostForm("opens_at"), c.PostForm("closes_at"))
		}
		return T(l, "closure.done", cl.Days, cl.Loans, cl.Holds, FmtDate(l, cl.ReopensOn))
	})
}

// calendarForm reads what the two calendar forms share: the page's data
// and the note (at most 50 characters).
func (s *Server) calendarForm(c *gin.Context) (gin.H, string, error) {
	bs, err := s.DB.Branches(c.Request.Context())
	if err != nil {
		return nil, "", err
	}
	note := []rune(strings.TrimSpace(c.PostForm("note")))
	if len(note) > 50 {
		note = note[:50]
	}
	return gin.H{"Branch": c.PostForm("branch"), "Branches": bs}, string(note), nil
}

// calendarDone shows the calendar page with a refusal in words, or with
// what done says.
func (s *Server) calendarDone(c *gin.Context, data gin.H, err error, done func(l string) string) error {
	l := Lang(c)
	status := http.StatusOK
	if err != nil {
		_, msg, st, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		data["Error"], status = msg, st
	} else {
		data["Done"] = done(l)
	}
	s.Render(c, status, "staff_calendar", T(l, "closure.title"), data)
	return nil
}
