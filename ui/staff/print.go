package staff

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// slipView is a printed slip (R56): a hold slip (hold number, pickup
// library, deadline, the card's last four digits: never a name, nor the
// title beside them), a transit slip (where to, from, why, the item), or
// a loan receipt (titles and due dates, the library's hours; no name).
type slipView struct {
	Kind    string // hold, transit, receipt
	Library string // the desk's library
	Phone   string
	Day     string
	// A hold slip.
	HoldID     int64
	Pickup     string
	Deadline   string
	PickupDays int
	CardTail   string
	// A transit slip.
	To, From string
	// The item of a slip.
	Barcode, Title string
	// A receipt: today's loans, how many others the patron has, hours.
	Loans  []library.LoanView
	Others int
	Hours  string
}

// slipOf is the slip a scan of the session's list needs, or nil.
func (s *Server) slipOf(c *gin.Context, d *store.DeskScan, names map[string]string) (*slipView, error) {
	if d.Outcome != library.OutcomeReturned || (d.Action != library.ActionHoldShelf && d.Action != library.ActionTransit) {
		return nil, nil
	}
	v := s.slipBase(c)
	v.Barcode, v.HoldID, v.Day = d.Code, d.HoldID, web.FmtDate(web.Lang(c), d.At.In(s.Calendar.Location()))
	if d.Action == library.ActionTransit {
		v.Kind, v.Title, v.To, v.From = "transit", d.Title, names[d.ToBranch], names[d.Branch]
		return v, nil
	}
	v.Kind = "hold"
	slip, err := s.Circulation.HoldSlipOf(c.Request.Context(), d.HoldID)
	switch {
	case err == nil:
		v.Pickup, v.CardTail, v.PickupDays = names[slip.Pickup], slip.CardTail, s.Circulation.PickupDays()
		if slip.Deadline != "" {
			v.Deadline = web.FmtDate(web.Lang(c), slip.Deadline)
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return v, nil
}

// slipBase is what every slip says of the desk's library.
func (s *Server) slipBase(c *gin.Context) *slipView {
	d := deskOf(c)
	v := &slipView{Library: d.Name}
	for _, b := range d.Branches {
		if b.Code == d.Branch {
			v.Phone = b.Phone
		}
	}
	return v
}

// printing marks the request a print page: the staff layout gives way
// to the desk's paper (58 mm, 80 mm or A4).
func printing(c *gin.Context) {
	if v, ok := c.Get(deskKey); ok {
		v.(*deskView).Printing = true
	}
}

// printScanPage prints (or reprints) the slip of a scan of the session.
func (s *Server) printScanPage(c *gin.Context) error {
	id, err := web.PathID(c, web.CodeNotFound)
	if err != nil {
		return err
	}
	d, err := s.Circulation.ScanOf(c.Request.Context(), s.Who(c).TokenHash, id)
	if errors.Is(err, store.ErrNotFound) {
		return web.NotFound(web.CodeNotFound)
	}
	if err != nil {
		return err
	}
	_, bs, err := s.desk(c)
	if err != nil {
		return err
	}
	slip, err := s.slipOf(c, d, s.BranchNames(web.Lang(c), bs))
	if err != nil {
		return err
	}
	if slip == nil {
		return web.NotFound(web.CodeNotFound)
	}
	printing(c)
	s.Render(c, http.StatusOK, "staff/print", web.T(web.Lang(c), "print."+slip.Kind), gin.H{"Slip": slip, "Back": "/staff/counter"})
	return nil
}

// printReceiptPage prints a patron's loan receipt: what they borrowed
// today, with due dates, and the library's hours; no name (R56).
func (s *Server) printReceiptPage(c *gin.Context) error {
	card, _ := library.FoldCard(c.Query("card"))
	p, err := s.DB.PatronByCard(c.Request.Context(), card)
	if errors.Is(err, store.ErrNotFound) {
		return web.NotFound(library.PatronNotFound)
	}
	if err != nil {
		return err
	}
	loans, err := s.Circulation.Loans(c.Request.Context(), p.ID)
	if err != nil {
		return err
	}
	branch, _, err := s.desk(c)
	if err != nil {
		return err
	}
	v := s.slipBase(c)
	today := s.Circulation.Today()
	v.Kind, v.Day, v.Hours = "receipt", web.FmtDate(web.Lang(c), today), s.Calendar.HoursText(branch)
	for _, l := range loans {
		if l.LoanedOn == today.Format(library.DateLayout) {
			v.Loans = append(v.Loans, l)
		} else {
			v.Others++
		}
	}
	printing(c)
	s.Render(c, http.StatusOK, "staff/print", web.T(web.Lang(c), "print.receipt"), gin.H{"Slip": v,
		"Back": counterState{Card: card, Mode: library.ModeAuto}.URL()})
	return nil
}
