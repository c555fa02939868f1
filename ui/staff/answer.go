package staff

import (
	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// answer is the counter's answer to a scan, in words (R51): a colour and
// a sound cue by its class, the title, what happened in large type, what
// was found in smaller, and the slip it needs.
type answer struct {
	Class string // ok, hold, transit, warn, err
	Title string
	Code  string
	Head  string
	Notes []string
	Slip  string // "hold" or "transit" when a slip goes with the copy
	ID    int64  // the scan's line
}

// Answer classes: the colour and sound of each kind of answer.
const (
	cueOK      = "ok"      // lent, back on the shelf here
	cueHold    = "hold"    // to a hold: hold shelf or transit, with a slip
	cueTransit = "transit" // going home to another library, with a slip
	cueWarn    = "warn"    // nothing wrong, but look: not on loan, already in transit
	cueErr     = "err"     // refused
)

// answerOf words a scan of the session's list.
func (s *Server) answerOf(c *gin.Context, d *store.DeskScan, names map[string]string) *answer {
	l := web.Lang(c)
	a := &answer{Title: d.Title, Code: d.Code, ID: d.ID}
	switch d.Outcome {
	case library.OutcomeUnreadable:
		a.Class, a.Head = cueErr, web.T(l, "answer.unreadable")
	case library.OutcomeRefused:
		a.Class = cueErr
		_, a.Head, _, _ = s.RefusalText(c, &library.Refusal{Code: d.Reason, Limit: d.Limit, Material: d.Material})
	case library.OutcomeLent:
		a.Class, a.Head = cueOK, web.T(l, "counter.lent", web.FmtDate(l, d.DueDate))
		if d.Undone {
			a.Class, a.Head = cueWarn, web.T(l, "answer.undone")
		}
	case library.OutcomeReturned:
		a.Class, a.Head, a.Slip = s.placementWords(l, d, names)
		if n := foundNote(l, d, names); n != "" {
			a.Notes = append(a.Notes, n)
		}
		switch d.Reason {
		case library.FoundNotOnLoan, library.FoundOnHoldShelf, library.FoundAlreadyTransit, library.FoundMissing:
			if a.Class == cueOK {
				a.Class = cueWarn
			}
		}
		if d.Reason == library.FoundOnHoldShelf || d.Reason == library.FoundAlreadyTransit {
			a.Class, a.Slip = cueWarn, "" // nothing changed: the slip is there already
		}
	}
	return a
}

// placementWords say where a returned copy goes: the four outcomes of
// R51, and the slip each needs (R56).
func (s *Server) placementWords(l string, d *store.DeskScan, names map[string]string) (class, head, slip string) {
	switch {
	case d.Action == library.ActionShelve:
		return cueOK, web.T(l, "counter.shelve") + web.T(l, "answer.shelve_here"), ""
	case d.Action == library.ActionHoldShelf:
		return cueHold, web.T(l, "counter.hold_shelf", d.HoldID), "hold"
	case d.HoldID != 0:
		return cueHold, web.T(l, "counter.transit", names[d.ToBranch]) + web.T(l, "answer.for_hold", d.HoldID), "transit"
	}
	return cueTransit, web.T(l, "counter.transit", names[d.ToBranch]) + web.T(l, "answer.home"), "transit"
}

// foundNote says what a return found, when it is worth saying.
func foundNote(l string, d *store.DeskScan, names map[string]string) string {
	switch d.Reason {
	case library.FoundLoan:
		if d.DaysLate > 0 {
			return web.T(l, "answer.returned_late", d.DaysLate)
		}
		return web.T(l, "answer.returned")
	case library.FoundNotOnLoan:
		return web.T(l, "answer.not_on_loan")
	case library.FoundLapsed:
		return web.T(l, "answer.lapsed")
	case library.FoundOnHoldShelf:
		return web.T(l, "answer.on_hold_shelf", d.HoldID)
	case library.FoundTransit:
		return web.T(l, "answer.received")
	case library.FoundAlreadyTransit:
		return web.T(l, "answer.already_in_transit", names[d.ToBranch])
	case library.FoundMissing:
		return web.T(l, "answer.found")
	}
	return ""
}

// shortResult is a scan's result as the list shows it.
func (s *Server) shortResult(c *gin.Context, d *store.DeskScan, names map[string]string) string {
	if d.Outcome == library.OutcomeLent && !d.Undone {
		return web.T(web.Lang(c), "outcome.lent") // the due date has a column
	}
	a := s.answerOf(c, d, names)
	if len(a.Notes) > 0 {
		return a.Head + " — " + a.Notes[0]
	}
	return a.Head
}
