package staff

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// scanListLength is how many of the session's scans the counter lists.
const scanListLength = 30

// patronSummary is what the counter shows of the patron at the desk.
type patronSummary struct {
	Patron *store.Patron
	Loans  []library.LoanView
	Ready  []readyHold
	Login  store.PatronLoginState
	Block  string
	Today  string
	// Limits are the patron's numbers (R53); Overdue their loans past
	// due; Override the reason staff gave to lend despite the overdue
	// rule ("" when they did not).
	Limits   library.DeskLimits
	Overdue  int
	Override string
	Category library.Category
	// Card is how the patron's card stands: expired, it lends nothing
	// until renewed here.
	Card library.CardValidity
}

// readyHold is a hold ready for the patron at this desk, with its copy,
// offered for lending (R53).
type readyHold struct {
	store.PatronHold
	Barcode string
}

func (s *Server) summary(c *gin.Context, card, branch string) (*patronSummary, error) {
	p, err := s.DB.PatronByCard(c.Request.Context(), card)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	loans, holds, err := s.MyLists(c, p.ID)
	if err != nil {
		return nil, err
	}
	st, err := s.DB.LoginState(c.Request.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	block, err := s.DB.PatronBlock(c.Request.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	sum := &patronSummary{Patron: p, Loans: loans, Login: st, Block: block, Today: s.Circulation.Today().Format(library.DateLayout),
		Card: s.Accounts.Validity(p.Expiry)}
	for _, l := range loans {
		if l.DueDate < sum.Today {
			sum.Overdue++
		}
	}
	if sum.Limits, err = s.Circulation.Limits(c.Request.Context(), p.ID); err != nil {
		return nil, err
	}
	for _, k := range s.Circulation.Categories() {
		if k.Code == sum.Limits.Category {
			sum.Category = k
		}
	}
	if sum.Override, err = s.Circulation.Override(c.Request.Context(), s.Who(c).TokenHash, card); err != nil {
		return nil, err
	}
	shelf, err := s.Circulation.ReadyHolds(c.Request.Context(), branch)
	if err != nil {
		return nil, err
	}
	for _, h := range holds {
		if h.Status == store.HoldReady && h.PickupBranch == branch {
			r := readyHold{PatronHold: h}
			for _, sh := range shelf {
				if sh.ID == h.ID {
					r.Barcode = sh.Barcode
				}
			}
			sum.Ready = append(sum.Ready, r)
		}
	}
	return sum, nil
}

// counterState is what the counter's address carries from one answer
// to the next (PRG): the patron open at the desk, the box's mode, and
// the scan to answer.
type counterState struct {
	Card string
	Mode string
	Last int64
}

func readState(card, mode, last string) counterState {
	st := counterState{Mode: library.ModeAuto}
	st.Card, _ = library.FoldCard(card)
	for _, m := range library.Modes {
		if m == mode {
			st.Mode = m
		}
	}
	st.Last, _ = strconv.ParseInt(last, 10, 64)
	return st
}

// WithMode is the state with the box in another mode.
func (st counterState) WithMode(mode string) counterState {
	st.Mode, st.Last = mode, 0
	return st
}

// URL is the counter's address for the state.
func (st counterState) URL() string {
	q := url.Values{}
	if st.Card != "" {
		q.Set("card", st.Card)
	}
	if st.Mode != library.ModeAuto {
		q.Set("mode", st.Mode)
	}
	if st.Last != 0 {
		q.Set("last", strconv.FormatInt(st.Last, 10))
	}
	if len(q) == 0 {
		return "/staff/counter"
	}
	return "/staff/counter?" + q.Encode()
}

func (s *Server) counterPage(c *gin.Context) error {
	st := readState(c.Query("card"), c.Query("mode"), c.Query("last"))
	return s.renderCounter(c, http.StatusOK, st, nil)
}

// renderCounter shows the counter: the answer to the last scan (or
// fail, a failure nothing was saved by), the scan box with the focus,
// the patron at the desk and the session's scans.
func (s *Server) renderCounter(c *gin.Context, status int, st counterState, fail *answer) error {
	ctx := c.Request.Context()
	branch, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	l := web.Lang(c)
	names := s.BranchNames(l, bs)
	data := gin.H{"State": st, "Modes": library.Modes, "Names": names, "Answer": fail}
	session := s.Who(c).TokenHash
	if st.Last != 0 && fail == nil {
		line, err := s.Circulation.ScanOf(ctx, session, st.Last)
		switch {
		case err == nil:
			a := s.answerOf(c, line, names)
			data["Answer"] = a
			if a.Slip != "" {
				if data["Slip"], err = s.slipOf(c, line, names); err != nil {
					return err
				}
			}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	if st.Card != "" {
		sum, err := s.summary(c, st.Card, branch)
		if err != nil {
			return err
		}
		if sum == nil {
			data["NoPatron"] = true
		}
		data["Summary"] = sum
	}
	scans, err := s.Circulation.Scans(ctx, session, scanListLength)
	if err != nil {
		return err
	}
	rows := make([]scanRow, len(scans))
	lastLoan := true
	for i := range scans {
		scans[i].At = scans[i].At.In(s.Calendar.Location())
		rows[i] = scanRow{DeskScan: scans[i], Result: s.shortResult(c, &scans[i], names)}
		if scans[i].Outcome == library.OutcomeLent && !scans[i].Undone && lastLoan {
			rows[i].Undoable, lastLoan = scans[i].Undo != "", false
		}
	}
	data["Scans"] = rows
	returnTo(c, "/staff/counter")
	s.Render(c, status, "staff/counter", web.T(l, "counter.title"), data)
	return nil
}

// scanRow is a line of the session's scan list.
type scanRow struct {
	store.DeskScan
	Result   string
	Undoable bool // the session's latest loan, which may be undone
}

// counterScan takes a scan from the box (or the older lend and return
// forms) and answers with the counter's address (PRG): a reload never
// scans again, and the box has the focus. A failure that saved nothing
// (a full disk) is shown at once.
func (s *Server) counterScan(c *gin.Context) error {
	st := readState(c.PostForm("card"), c.PostForm("mode"), "")
	code := c.PostForm("code")
	switch c.FullPath() {
	case "/staff/counter/checkout":
		st.Mode, code = library.ModeLend, c.PostForm("barcode")
	case "/staff/counter/checkin":
		st.Mode, code = library.ModeReturn, c.PostForm("barcode")
		if c.PostForm("receive") != "" {
			st.Mode = library.ModeReceive
		}
	}
	branch, _, err := s.desk(c)
	if err != nil {
		return err
	}
	res, err := s.Circulation.Scan(c.Request.Context(), s.ScanForms, library.ScanRequest{Session: s.Who(c).TokenHash,
		Branch: branch, Mode: st.Mode, Code: code, Card: st.Card})
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		return s.renderCounter(c, status, st, &answer{Class: "err", Head: msg})
	}
	if res.Card != "" {
		// A card opens its patron; the box lends to them next. What
		// staff allowed the previous patron ends with their visit.
		if res.Card != st.Card {
			if err := s.Circulation.EndVisit(c.Request.Context(), s.Who(c).TokenHash); err != nil {
				return err
			}
		}
		st.Card, st.Mode = res.Card, library.ModeAuto
	} else {
		st.Last = res.Line.ID
		s.auditScan(c, res.Line)
	}
	next := st.URL()
	if n := web.SafeNext(c.PostForm("next")); strings.HasPrefix(n, "/staff/") && st.Last != 0 {
		next = n + "?last=" + strconv.FormatInt(st.Last, 10)
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// auditScan logs a scan that changed something: the item, never the
// patron (R40).
func (s *Server) auditScan(c *gin.Context, line *store.DeskScan) {
	switch {
	case line.Outcome == library.OutcomeLent:
		s.Audit(c, "checkout", "item "+line.Code)
	case line.Outcome == library.OutcomeReturned && line.Mode == library.ModeReceive:
		s.Audit(c, "transit.receive", "item "+line.Code)
	case line.Outcome == library.OutcomeReturned:
		s.Audit(c, "checkin", "item "+line.Code)
	}
}

// counterClose closes the patron at the desk: the next patron starts
// afresh.
func (s *Server) counterClose(c *gin.Context) error {
	if err := s.Circulation.EndVisit(c.Request.Context(), s.Who(c).TokenHash); err != nil {
		return err
	}
	st := readState("", c.PostForm("mode"), "")
	c.Redirect(http.StatusSeeOther, st.URL())
	return nil
}

// counterUndo undoes the session's latest loan (R50).
func (s *Server) counterUndo(c *gin.Context) error {
	st := readState(c.PostForm("card"), c.PostForm("mode"), "")
	line, err := s.Circulation.UndoLastLoan(c.Request.Context(), s.Who(c).TokenHash, s.Who(c).StaffID)
	if err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		return s.renderCounter(c, status, st, &answer{Class: "err", Head: msg})
	}
	st.Last = line.ID
	c.Redirect(http.StatusSeeOther, st.URL())
	return nil
}

// counterRenewCard renews the open patron's card, once staff have
// checked the address, and returns to the patron at the desk.
func (s *Server) counterRenewCard(c *gin.Context) error {
	return s.forOpenPatron(c, func(st counterState) error {
		_, err := s.Accounts.RenewCard(c.Request.Context(), s.Who(c).StaffID, st.Card)
		return err
	})
}

// counterOverride lets the desk lend to the patron despite the overdue
// rule, with a reason, for the rest of their visit (R53).
func (s *Server) counterOverride(c *gin.Context) error {
	return s.forOpenPatron(c, func(st counterState) error {
		return s.Circulation.OverrideOverdue(c.Request.Context(), s.Who(c).TokenHash, s.Who(c).StaffID, st.Card, c.PostForm("reason"))
	})
}

// forOpenPatron does something for the patron open at the desk, then
// returns to them (PRG); a refusal is answered in the box's place.
func (s *Server) forOpenPatron(c *gin.Context, do func(st counterState) error) error {
	st := readState(c.PostForm("card"), c.PostForm("mode"), "")
	if err := do(st); err != nil {
		_, msg, status, ok := s.RefusalText(c, err)
		if !ok {
			return err
		}
		return s.renderCounter(c, status, st, &answer{Class: cueErr, Head: msg})
	}
	c.Redirect(http.StatusSeeOther, st.URL())
	return nil
}
