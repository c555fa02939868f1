package library

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/width"

	"hondana/isbn"
	"hondana/store"
)

// LoanPolicy holds the configurable numbers of loans and holds. The
// first three are the loan rules' default row (see RuleTable).
type LoanPolicy struct {
	LoanDays   int // loan period (R33)
	LoanLimit  int // loans a patron may have at once
	HoldLimit  int // holds a patron may have at once (R28)
	PickupDays int // days to collect a ready hold after contact (R24)
	// OverdueBlockDays: no new loans while any loan is more than this
	// many days overdue, unless staff override it (R53); 0: no such rule.
	OverdueBlockDays int
}

// DefaultLoanPolicy is the seed's rules with our defaults.
func DefaultLoanPolicy() LoanPolicy {
	return LoanPolicy{LoanDays: 14, LoanLimit: 10, HoldLimit: 10, PickupDays: 7}
}

// Contact methods of a hold (R20).
const (
	ContactPhone  = "phone"
	ContactMobile = "mobile"
	ContactEmail  = "email"
)

// Circulation is holds, loans, renewals and the counter's use cases, each
// one immediate transaction that re-reads what it decides on.
type Circulation struct {
	db      *store.DB
	cal     *Calendar
	clock   Clock
	p       LoanPolicy
	rules   []LoanRule // the configuration's rows of the rule table
	cats    []Category
	changed func()
	mailed  func()
	letters *Letters
	mail    MailPolicy
	est     EstimatePolicy
	// classCache keeps NDC classes' loan lengths for a while (estimates).
	classMu    sync.Mutex
	classCache map[string]classLengths
}

// CirculationOptions are the circulation service's rules, who its
// messages are from, and whom it tells of its changes. Zero values take
// the defaults.
type CirculationOptions struct {
	Policy LoanPolicy // zero: DefaultLoanPolicy
	// Rules are the rows of the loan rule table besides its default row
	// (the policy's numbers); staff may replace them on the rules page.
	Rules []LoanRule
	// Categories are the patron categories (nil: DefaultCategories);
	// the first is that of a patron given none.
	Categories []Category
	Mail       MailPolicy // zero: DefaultMailPolicy
	Letters    *Letters   // nil: a bare letterhead
	// Estimate are the numbers of holds' estimated waits (zero:
	// DefaultEstimatePolicy).
	Estimate EstimatePolicy
	// Changed is called after a change that moves copies, so the search
	// index can follow (it reads the change queue).
	Changed func()
	// Mailed is called after a change that may have written to the
	// outbox, so the sender can look.
	Mailed func()
}

// NewCirculation returns the circulation service.
func NewCirculation(db *store.DB, cal *Calendar, clock Clock, o CirculationOptions) *Circulation {
	c := &Circulation{db: db, cal: cal, clock: clock, p: o.Policy, mail: o.Mail, letters: o.Letters,
		changed: o.Changed, mailed: o.Mailed, rules: o.Rules, cats: o.Categories}
	if len(c.cats) == 0 {
		c.cats = DefaultCategories()
	}
	if c.p == (LoanPolicy{}) {
		c.p = DefaultLoanPolicy()
	}
	if c.mail == (MailPolicy{}) {
		c.mail = DefaultMailPolicy()
	}
	if c.est = o.Estimate; c.est == (EstimatePolicy{}) {
		c.est = DefaultEstimatePolicy()
	}
	if c.letters == nil {
		c.letters = NewLetters(db, Letterhead{Library: "図書館"}, cal.rules)
	}
	if c.changed == nil {
		c.changed = func() {}
	}
	if c.mailed == nil {
		c.mailed = func() {}
	}
	return c
}

// MailPolicy returns the notice rules in force.
func (c *Circulation) MailPolicy() MailPolicy { return c.mail }

// Policy returns the policy in force.
func (c *Circulation) Policy() LoanPolicy { return c.p }

func (c *Circulation) today() time.Time { return dayStart(c.clock.Now(), c.cal.Location()) }

// DueDate is the due date of a loan made today at branch under the
// default rule: the loan period on, moved to the next open day however
// many closed days follow (R33).
func (c *Circulation) DueDate(ctx context.Context, branch string, today time.Time) (time.Time, error) {
	return c.dueAfter(ctx, branch, today, c.p.LoanDays)
}

// dueAfter is the due date of a loan of days made today at branch.
func (c *Circulation) dueAfter(ctx context.Context, branch string, today time.Time, days int) (time.Time, error) {
	return c.cal.NextOpenDay(ctx, branch, today.AddDate(0, 0, days))
}

// RenewedDue is a renewal's due date under the default rule: the later
// of the old due date and today plus the loan period, so renewing early
// never shortens a loan (R33), moved to an open day.
func (c *Circulation) RenewedDue(ctx context.Context, branch string, oldDue, today time.Time) (time.Time, error) {
	return c.renewedDue(ctx, branch, oldDue, today, c.p.LoanDays)
}

func (c *Circulation) renewedDue(ctx context.Context, branch string, oldDue, today time.Time, days int) (time.Time, error) {
	due := today.AddDate(0, 0, days)
	if oldDue.After(due) {
		due = oldDue
	}
	return c.cal.NextOpenDay(ctx, branch, due)
}

// PickupDeadline is the last day to collect a hold: the PickupDays-th day
// after the patron was contacted, moved to the next open day of the pickup
// branch, so a hold never lapses on a closed day (R24).
func (c *Circulation) PickupDeadline(ctx context.Context, branch string, contacted time.Time) (time.Time, error) {
	return c.cal.NextOpenDay(ctx, branch, dayStart(contacted, c.cal.Location()).AddDate(0, 0, c.p.PickupDays))
}

// RenewalNotes are the reasons a loan cannot be renewed, in the order the
// seed lists them (R31, R32); none means renewable.
func RenewalNotes(due, today time.Time, renewals int, reservedByOthers bool) []string {
	var notes []string
	if reservedByOthers {
		notes = append(notes, ReservedByOthers)
	}
	if today.After(due) {
		notes = append(notes, Overdue)
	}
	if renewals >= 1 {
		notes = append(notes, AlreadyRenewed)
	}
	return notes
}

func parseDay(s string, loc *time.Location) time.Time {
	t, _ := time.ParseInLocation(DateLayout, s, loc)
	return t
}

// tx runs fn in one write transaction and tells the index afterwards.
func (c *Circulation) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	err := c.db.Tx(ctx, fn)
	if err == nil {
		c.changed()
		c.mailed()
	}
	return err
}

// HoldRequest is what the rules of placing a hold look at: the request,
// and what the store says of the title, the pickup branch and the patron.
type HoldRequest struct {
	RecordExists bool
	BranchExists bool   // the pickup branch
	Contact      string // how the patron wants to hear the hold is ready
	PatronEmail  string // "" when the patron registered none
	CardExpired  bool   // the patron's card is past its expiry
	OnLoan       bool   // the patron has a copy of the title out
	Reserved     bool   // the patron holds the title already
	Holds        int    // the patron's holds now
	HoldLimit    int    // the most holds the patron's category may have at once
	// Material is the title's material type, Terms the rules for it and
	// the patron's category (R54), TypeHolds the patron's holds on
	// titles of that type.
	Material  string
	Terms     Terms
	TypeHolds int
	// Lendable: the title has a copy that could ever be lent (not 禁帯出,
	// lost or withdrawn), or none yet (on order), so a hold on it can
	// be filled.
	Lendable bool
}

// CheckHold applies the rules of placing a hold (R20–R22, R28, R54) to
// what was read, first refusal first; nil means the hold may be placed.
func CheckHold(q HoldRequest) *Refusal {
	switch {
	case !q.RecordExists:
		return refuse(RecordNotFound)
	case !q.BranchExists:
		return &Refusal{Code: UnknownBranch, Field: "pickup_branch"}
	}
	if q.CardExpired {
		return refuse(CardExpired)
	}
	if r := checkContact(q.Contact, q.PatronEmail); r != nil {
		return r
	}
	switch {
	case q.Terms.ReferenceOnly:
		return &Refusal{Code: ReferenceOnly, Material: q.Material}
	case !q.Terms.Holdable:
		return &Refusal{Code: NotHoldable, Material: q.Material}
	case !q.Lendable:
		// Every copy is 禁帯出, lost or withdrawn: the hold would wait
		// for ever.
		return refuse(NoCopyToLend)
	case q.OnLoan:
		// A patron holding the copy in hand has no use for a hold on it.
		return refuse(AlreadyOnLoan)
	case q.Reserved:
		return refuse(AlreadyReserved)
	case q.Holds >= q.HoldLimit:
		return &Refusal{Code: HoldLimitReached, Limit: q.HoldLimit}
	case q.TypeHolds >= q.Terms.MaxHolds:
		return &Refusal{Code: TypeHoldLimitReached, Limit: q.Terms.MaxHolds, Material: q.Material}
	}
	return nil
}

// checkContact: a hold is told by phone, mobile or e-mail, and by e-mail
// only to a patron who registered an address (R20, R21).
func checkContact(contact, email string) *Refusal {
	switch contact {
	case ContactPhone, ContactMobile:
		return nil
	case ContactEmail:
		if email == "" {
			return &Refusal{Code: EmailNotRegistered, Field: "contact"}
		}
		return nil
	}
	return &Refusal{Code: InvalidContact, Field: "contact"}
}

// PlaceHold reserves a title for a patron (R20–R22, R28). It never takes a
// copy off the shelf: walk-in patrons come first (R23).
func (c *Circulation) PlaceHold(ctx context.Context, patronID, recordID int64, pickup, contact string) (*store.Hold, error) {
	return c.PlaceHoldWith(ctx, patronID, recordID, HoldOptions{Pickup: pickup, Contact: contact})
}

// PlaceHoldWith is PlaceHold with the hold's options: an end date and
// suspension from the start.
func (c *Circulation) PlaceHoldWith(ctx context.Context, patronID, recordID int64, o HoldOptions) (*store.Hold, error) {
	notAfter, r := CheckNotAfter(o.NotAfter, c.today())
	if r != nil {
		return nil, r
	}
	o.NotAfter = notAfter
	var h *store.Hold
	err := c.tx(ctx, func(tx *sql.Tx) (err error) {
		h, err = c.placeHold(ctx, tx, patronID, recordID, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// placeHold places one hold inside tx: every rule is checked before
// anything is written, so a refusal leaves tx as it was.
func (c *Circulation) placeHold(ctx context.Context, tx *sql.Tx, patronID, recordID int64, o HoldOptions) (*store.Hold, error) {
	q, err := c.readHoldRequest(ctx, tx, patronID, recordID, o.Pickup, o.Contact)
	if err != nil {
		return nil, err
	}
	if r := CheckHold(q); r != nil {
		return nil, r
	}
	h := store.Hold{RecordID: recordID, PatronID: patronID, PickupBranch: o.Pickup, Contact: o.Contact,
		Status: store.HoldWaiting, PlacedAt: c.clock.Now(), NotAfter: o.NotAfter, Suspended: o.Suspended}
	err = store.AddHold(ctx, tx, &h)
	if errors.Is(err, store.ErrConflict) {
		return nil, refuse(AlreadyReserved) // the unique index, last line of defence
	}
	if err != nil {
		return nil, err
	}
	return &h, store.CountEvent(ctx, tx, o.Pickup, c.today().Format(DateLayout), store.CountHoldPlaced)
}

// readHoldRequest reads what CheckHold decides on, inside tx.
func (c *Circulation) readHoldRequest(ctx context.Context, tx *sql.Tx, patronID, recordID int64, pickup, contact string) (HoldRequest, error) {
	q := HoldRequest{Contact: contact}
	var err error
	if q.RecordExists, err = store.RecordExists(ctx, tx, recordID); err != nil {
		return q, err
	}
	if q.BranchExists, err = store.BranchExists(ctx, tx, pickup); err != nil {
		return q, err
	}
	p, err := store.PatronAtDeskByID(ctx, tx, patronID)
	if err != nil {
		return q, err
	}
	q.PatronEmail = p.Email
	q.CardExpired = CardPastExpiry(p.Expiry, c.today().Format(DateLayout))
	table, err := c.Rules(ctx)
	if err != nil {
		return q, err
	}
	if q.Material, err = store.RecordMaterial(ctx, tx, recordID); err != nil {
		return q, err
	}
	category := c.categoryOf(p.Category)
	q.Terms, q.HoldLimit = table.For(category, q.Material), table.For(category, Any).MaxHolds
	lendable, all, err := store.LendableCopies(ctx, tx, recordID)
	if err != nil {
		return q, err
	}
	// A title with no copy yet (on order) may be reserved.
	q.Lendable = lendable > 0 || all == 0
	if q.OnLoan, err = store.HasLoanOfRecord(ctx, tx, patronID, recordID); err != nil {
		return q, err
	}
	if q.Reserved, err = found(store.HoldOn(ctx, tx, patronID, recordID)); err != nil {
		return q, err
	}
	if q.TypeHolds, err = store.CountHoldsOfType(ctx, tx, patronID, q.Material); err != nil {
		return q, err
	}
	q.Holds, err = store.CountHolds(ctx, tx, patronID)
	return q, err
}

// RecordFor finds the title staff mean by what they typed or scanned to
// place a hold for a patron (R52): a copy's barcode, an ISBN, or a
// record's id. ErrNotFound (RecordNotFound) when none matches.
func (c *Circulation) RecordFor(ctx context.Context, item string) (int64, error) {
	item = strings.TrimSpace(width.Narrow.String(item))
	if id, err := c.db.RecordOfBarcode(ctx, item); err == nil {
		return id, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	if n, ok := isbn.Normalize(item); ok {
		var id int64
		err := c.db.Reader().QueryRowContext(ctx, `SELECT id FROM records WHERE isbn = ? ORDER BY id LIMIT 1`, n).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	if id, err := strconv.ParseInt(item, 10, 64); err == nil && id > 0 {
		if _, err := c.db.Record(ctx, id); err == nil {
			return id, nil
		}
	}
	return 0, refuse(RecordNotFound)
}

// ChangeHold changes the pickup branch or contact of a hold not yet ready
// (R27). Empty values are left as they are.
func (c *Circulation) ChangeHold(ctx context.Context, patronID, holdID int64, pickup, contact string) (*store.Hold, error) {
	return c.ChangeHoldWith(ctx, patronID, holdID, HoldChange{Pickup: pickup, Contact: contact})
}

// ChangeHoldWith changes what ch sets of a hold not yet ready: pickup
// branch, contact (R27), end date and suspension.
func (c *Circulation) ChangeHoldWith(ctx context.Context, patronID, holdID int64, ch HoldChange) (*store.Hold, error) {
	var notAfter string
	if ch.NotAfter != nil {
		var r *Refusal
		if notAfter, r = CheckNotAfter(*ch.NotAfter, c.today()); r != nil {
			return nil, r
		}
	}
	var h *store.Hold
	err := c.tx(ctx, func(tx *sql.Tx) (err error) {
		h, err = store.HoldByID(ctx, tx, holdID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && h.PatronID != patronID) {
			return refuse(HoldNotFound)
		}
		if err != nil {
			return err
		}
		if h.Status != store.HoldWaiting || h.CopyID != 0 {
			return refuse(HoldNotChangeable)
		}
		if ch.Pickup != "" {
			if ok, err := store.BranchExists(ctx, tx, ch.Pickup); err != nil {
				return err
			} else if !ok {
				return &Refusal{Code: UnknownBranch, Field: "pickup_branch"}
			}
			h.PickupBranch = ch.Pickup
		}
		if ch.Contact != "" {
			email := ""
			if ch.Contact == ContactEmail {
				p, err := store.PatronAtDeskByID(ctx, tx, patronID)
				if err != nil {
					return err
				}
				email = p.Email
			}
			if r := checkContact(ch.Contact, email); r != nil {
				return r
			}
			h.Contact = ch.Contact
		}
		if ch.NotAfter != nil {
			h.NotAfter = notAfter
		}
		if ch.Suspended != nil {
			h.Suspended = *ch.Suspended
		}
		return store.UpdateHold(ctx, tx, h)
	})
	return h, err
}

// CancelHold cancels a patron's hold (R26). A copy waiting for it goes to
// the next hold in line, or back to the shelf.
func (c *Circulation) CancelHold(ctx context.Context, patronID, holdID int64) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		h, err := store.HoldByID(ctx, tx, holdID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && h.PatronID != patronID) {
			return refuse(HoldNotFound)
		}
		if err != nil {
			return err
		}
		return c.cancel(ctx, tx, h)
	})
}

// cancel deletes a hold and passes its copy on.
func (c *Circulation) cancel(ctx context.Context, tx *sql.Tx, h *store.Hold) error {
	if err := store.DeleteHold(ctx, tx, h.ID); err != nil {
		return err
	}
	if h.CopyID == 0 {
		return nil
	}
	cp, err := copyByID(ctx, tx, h.CopyID)
	if err != nil {
		return err
	}
	if h.Status == store.HoldReady {
		// The copy stays on the pickup library's hold shelf, listed
		// for staff to take off and scan: handed on by the rules alone,
		// it would sit there while the catalogue said otherwise (R55).
		return store.MoveCopy(ctx, tx, cp.ID, store.CopyOnHoldShelf, h.PickupBranch, "")
	}
	// On its way to the pickup library: it keeps travelling, to the next
	// hold in line or home.
	_, err = c.place(ctx, tx, cp, h.PickupBranch, true)
	return err
}

func copyByID(ctx context.Context, tx *sql.Tx, id int64) (*store.Copy, error) {
	return store.CopyByID(ctx, tx, id)
}

// Placement says what to do with a copy that came back or was freed.
type Placement struct {
	Action   string // "shelve", "hold_shelf" or "transit"
	HoldID   int64
	ToBranch string
}

// Actions of a placement.
const (
	ActionShelve    = "shelve"
	ActionHoldShelf = "hold_shelf"
	ActionTransit   = "transit"
)

// place decides where a copy at branch goes now: to the first hold in
// line on its title (ready here, or in transit to the pickup branch), or
// home to its shelf; the copy is recorded at branch, which a copy in
// transit leaves from (R55). A copy still travelling (inTransit) to a
// hold that went away keeps travelling from where it left.
func (c *Circulation) place(ctx context.Context, tx *sql.Tx, cp *store.Copy, branch string, inTransit bool) (Placement, error) {
	pl, err := nextPlace(ctx, tx, cp, branch, inTransit, c.today().Format(DateLayout))
	if err != nil {
		return pl, err
	}
	at := branch
	if inTransit {
		at = "" // where it left from
	}
	switch {
	case pl.Action == ActionShelve:
		return pl, store.MoveCopy(ctx, tx, cp.ID, store.CopyOnShelf, at, "")
	case pl.HoldID == 0:
		return pl, store.MoveCopy(ctx, tx, cp.ID, store.CopyInTransit, at, pl.ToBranch)
	}
	next, err := store.HoldByID(ctx, tx, pl.HoldID)
	if err != nil {
		return pl, err
	}
	next.CopyID = cp.ID
	if pl.Action == ActionHoldShelf {
		if err := c.makeReady(ctx, tx, next, c.clock.Now()); err != nil {
			return pl, err
		}
		return pl, store.MoveCopy(ctx, tx, cp.ID, store.CopyOnHoldShelf, at, "")
	}
	next.Status = store.HoldInTransit
	if err := store.UpdateHold(ctx, tx, next); err != nil {
		return pl, err
	}
	return pl, store.MoveCopy(ctx, tx, cp.ID, store.CopyInTransit, at, next.PickupBranch)
}

// nextPlace says, without changing anything, where place would send a
// copy at branch: the hold shelf here or transit for the first hold in
// line, else the shelf here or transit home.
func nextPlace(ctx context.Context, q store.Querier, cp *store.Copy, branch string, inTransit bool, today string) (Placement, error) {
	if cp.NotForLoan {
		// 禁帯出: no hold can take it home (R54).
		return homeward(cp, branch, inTransit), nil
	}
	next, err := store.NextInLine(ctx, q, cp.RecordID, today)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Placement{}, err
	}
	if err == nil {
		if next.PickupBranch == branch && !inTransit {
			return Placement{Action: ActionHoldShelf, HoldID: next.ID}, nil
		}
		return Placement{Action: ActionTransit, HoldID: next.ID, ToBranch: next.PickupBranch}, nil
	}
	return homeward(cp, branch, inTransit), nil
}

// homeward: the shelf, when the copy is at home, else transit home.
func homeward(cp *store.Copy, branch string, inTransit bool) Placement {
	if cp.Branch == branch && !inTransit {
		return Placement{Action: ActionShelve}
	}
	return Placement{Action: ActionTransit, ToBranch: cp.Branch}
}

// makeReady puts a hold on the hold shelf. An e-mail contact gets its
// message in the outbox; the pickup deadline starts when the SMTP server
// accepts it (Delivered). Phone contacts wait on the call list for staff.
func (c *Circulation) makeReady(ctx context.Context, tx *sql.Tx, h *store.Hold, now time.Time) error {
	h.Status = store.HoldReady
	h.ReadyAt = now
	h.ContactedAt = time.Time{}
	h.PickupDeadline = ""
	if err := store.UpdateHold(ctx, tx, h); err != nil {
		return err
	}
	if h.Contact == ContactEmail {
		return c.enqueueHoldReady(ctx, tx, h, now)
	}
	return nil
}

// CheckoutState is what the rules of lending look at, as read at the desk.
type CheckoutState struct {
	BranchExists bool   // the desk's branch
	PatronFound  bool   // a patron has the card
	PatronID     int64  // that patron
	Blocked      string // why loans to the patron are stopped; "" when they are not
	CardExpired  bool   // the patron's card is past its expiry
	CopyFound    bool   // a copy has the barcode
	CopyStatus   string
	NotForLoan   bool  // the copy's flag 禁帯出
	HeldFor      int64 // the patron whose hold the copy serves; 0 for none
	Loans        int   // the patron's loans now
	LoanLimit    int   // the most loans the patron's category may have at once
	// Material is the copy's material type, Terms the rules for it and
	// the patron's category (R54), TypeLoans the patron's loans of that
	// type.
	Material  string
	Terms     Terms
	TypeLoans int
	// Overdue is how many days the patron's most overdue loan is past
	// its due date (0: none); OverdueBlockDays the policy's most (0: no
	// such rule); Override that staff lend anyway, with a reason (R53).
	Overdue          int
	OverdueBlockDays int
	Override         bool
}

// CheckCheckout applies the rules of lending (R37, R53, R54) to what the
// desk read, first refusal first; nil means the copy may go out.
func CheckCheckout(s CheckoutState) *Refusal {
	switch {
	case !s.BranchExists:
		return &Refusal{Code: UnknownBranch, Field: "branch"}
	case !s.PatronFound:
		return refuse(PatronNotFound)
	case !s.CopyFound:
		return refuse(ItemNotFound)
	case s.CopyStatus == store.CopyWithdrawn:
		return refuse(CopyWithdrawn)
	case s.Blocked != "":
		return refuse(PatronBlocked)
	case s.CardExpired:
		return refuse(CardExpired)
	case s.OverdueBlockDays > 0 && s.Overdue > s.OverdueBlockDays && !s.Override:
		return &Refusal{Code: OverdueBlocked, Limit: s.OverdueBlockDays}
	case s.CopyStatus == store.CopyOnLoan:
		return refuse(ItemOnLoan)
	case s.HeldFor != 0 && s.HeldFor != s.PatronID:
		// A copy on the hold shelf is kept for its patron alone.
		return refuse(HeldForAnother)
	case s.CopyStatus == store.CopyOnHoldShelf && s.HeldFor == 0:
		// Its hold lapsed: the next in line may be waiting for it, so
		// it is scanned back first (R55).
		return refuse(LapsedHoldCopy)
	case s.CopyStatus == store.CopyRepair:
		return refuse(CopyInRepair)
	case s.CopyStatus == store.CopyLost:
		return refuse(CopyLost)
	case s.CopyStatus == store.CopyMissing:
		return refuse(CopyMissing)
	case s.NotForLoan:
		return refuse(NotForLoan)
	case s.Terms.ReferenceOnly:
		return &Refusal{Code: ReferenceOnly, Material: s.Material}
	case s.Loans >= s.LoanLimit:
		return &Refusal{Code: LoanLimitReached, Limit: s.LoanLimit}
	case s.TypeLoans >= s.Terms.MaxLoans:
		return &Refusal{Code: TypeLoanLimitReached, Limit: s.Terms.MaxLoans, Material: s.Material}
	}
	return nil
}

// deskRead is what a checkout reads before deciding: the rules' view,
// and the rows the loan is made of (nil when not found).
type deskRead struct {
	CheckoutState
	patron *store.PatronForDesk
	copy   *store.Copy
	hold   *store.Hold // the hold the copy serves
}

// readCheckout reads what CheckCheckout decides on, inside tx.
func (c *Circulation) readCheckout(ctx context.Context, tx *sql.Tx, r CheckoutRequest) (deskRead, error) {
	d := deskRead{CheckoutState: CheckoutState{OverdueBlockDays: c.p.OverdueBlockDays, Override: r.Override}}
	var err error
	if d.BranchExists, err = store.BranchExists(ctx, tx, r.Branch); err != nil {
		return d, err
	}
	table, err := c.Rules(ctx)
	if err != nil {
		return d, err
	}
	p, err := store.PatronAtDesk(ctx, tx, r.Card)
	switch {
	case err == nil:
		d.patron, d.PatronFound, d.PatronID, d.Blocked = p, true, p.ID, p.Blocked
		d.CardExpired = CardPastExpiry(p.Expiry, c.today().Format(DateLayout))
		d.LoanLimit = table.For(c.categoryOf(p.Category), Any).MaxLoans
		if d.Loans, err = store.CountLoans(ctx, tx, p.ID); err != nil {
			return d, err
		}
		if d.Overdue, err = c.overdueDays(ctx, tx, p.ID); err != nil {
			return d, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return d, err
	}
	cp, err := store.CopyByBarcode(ctx, tx, r.Barcode)
	switch {
	case err == nil:
		d.copy, d.CopyFound, d.CopyStatus, d.NotForLoan = cp, true, cp.Status, cp.NotForLoan
		h, err := store.HoldOfCopy(ctx, tx, cp.ID)
		switch {
		case err == nil:
			d.hold, d.HeldFor = h, h.PatronID
		case !errors.Is(err, store.ErrNotFound):
			return d, err
		}
		if d.Material, err = store.RecordMaterial(ctx, tx, cp.RecordID); err != nil {
			return d, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return d, err
	}
	if d.patron != nil {
		d.Terms = table.For(c.categoryOf(d.patron.Category), d.Material)
		if d.TypeLoans, err = store.CountLoansOfType(ctx, tx, d.patron.ID, d.Material); err != nil {
			return d, err
		}
	}
	return d, nil
}

// overdueDays is how many days the patron's most overdue loan is past
// its due date; 0 when none is.
func (c *Circulation) overdueDays(ctx context.Context, q store.Querier, patronID int64) (int, error) {
	due, err := store.EarliestDue(ctx, q, patronID)
	if err != nil || due == "" {
		return 0, err
	}
	days := daysBetween(parseDay(due, c.cal.Location()), c.today())
	return max(days, 0), nil
}

// CheckoutRequest is a loan asked for at a desk: the patron's card, the
// copy's barcode, the desk's branch, and whether staff override the
// overdue rule (R53: they have given their reason, see OverrideOverdue).
type CheckoutRequest struct {
	Card, Barcode, Branch string
	Override              bool
}

// Checkout lends a copy to a patron at a branch (R37). A copy waiting on
// the hold shelf for this patron fulfils their hold.
func (c *Circulation) Checkout(ctx context.Context, card, barcode, branch string) (*store.Loan, error) {
	l, err := c.Lend(ctx, CheckoutRequest{Card: card, Barcode: barcode, Branch: branch})
	if err != nil {
		return nil, err
	}
	return &l.Loan, nil
}

// Lent is a loan made, with what the counter says of it and needs to
// undo it: the title, the hold it fulfilled, the copy as it was.
type Lent struct {
	store.Loan
	Title      string
	FilledHold int64 // the hold the loan fulfilled (and forgot); 0 for none
	Before     store.Copy
}

// Lend lends a copy as Checkout does, under the rules for the patron's
// category and the copy's material type (R54), and the overdue rule
// unless staff override it (R53).
func (c *Circulation) Lend(ctx context.Context, r CheckoutRequest) (*Lent, error) {
	branch := r.Branch
	var lent Lent
	loan := &lent.Loan
	err := c.tx(ctx, func(tx *sql.Tx) error {
		d, err := c.readCheckout(ctx, tx, r)
		if err != nil {
			return err
		}
		if r := CheckCheckout(d.CheckoutState); r != nil {
			return r
		}
		lent.Before = *d.copy
		if lent.Title, err = store.RecordTitle(ctx, tx, d.copy.RecordID); err != nil {
			return err
		}
		today := c.today()
		filled := d.hold
		if filled == nil {
			// Borrowing a title one has reserved fulfils the hold too.
			mine, err := store.HoldOn(ctx, tx, d.patron.ID, d.copy.RecordID)
			switch {
			case err == nil && mine.CopyID == 0:
				filled = mine
			case err != nil && !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		if filled != nil {
			lent.FilledHold = filled.ID
			if err := store.DeleteHold(ctx, tx, filled.ID); err != nil {
				return err
			}
			if err := store.CountEvent(ctx, tx, branch, today.Format(DateLayout), store.CountHoldFilled); err != nil {
				return err
			}
		}
		due, err := c.dueAfter(ctx, branch, today, d.Terms.LoanDays)
		if err != nil {
			return err
		}
		*loan = store.Loan{CopyID: d.copy.ID, PatronID: d.patron.ID, Branch: branch, LoanedOn: today.Format(DateLayout), DueDate: due.Format(DateLayout)}
		err = store.AddLoan(ctx, tx, loan)
		if errors.Is(err, store.ErrConflict) {
			return refuse(ItemOnLoan)
		}
		if err != nil {
			return err
		}
		return store.CountEvent(ctx, tx, branch, loan.LoanedOn, store.CountLoan)
	})
	if err != nil {
		return nil, err
	}
	return &lent, nil
}

// Checkin takes a copy back at a branch (R37): see Return.
func (c *Circulation) Checkin(ctx context.Context, barcode, branch string) (Placement, error) {
	r, err := c.Return(ctx, barcode, branch)
	return r.Placement, err
}

// What a scan at the return desk found, besides where the copy goes
// (R51): each is said in words at the counter.
const (
	FoundLoan           = "loan"               // on loan: returned
	FoundNotOnLoan      = "not_on_loan"        // on the shelf: it was not on loan
	FoundLapsed         = "lapsed"             // on a hold shelf, its hold lapsed or cancelled
	FoundOnHoldShelf    = "on_hold_shelf"      // already waiting for its hold: nothing changes
	FoundTransit        = "in_transit"         // in transit, received here
	FoundAlreadyTransit = "already_in_transit" // in transit from here: nothing changes
	FoundMissing        = "found"              // was 修理中, 紛失 or 調査中: back in circulation
)

// Returned is what a scan at the return desk did: where the copy goes,
// what was found (Found, and the copy's status before), and for a loan
// its due date and how many days late it came back.
type Returned struct {
	Placement
	Found     string
	WasStatus string
	Barcode   string
	RecordID  int64
	Title     string
	DueDate   string // of the loan returned
	DaysLate  int
}

// Return takes a copy back at a branch, whatever state it is found in
// (R37, R51). Returns are always accepted, even overdue; the loan's link
// to the patron goes in the same transaction (R40). The copy then goes
// to the first hold in line or home to its shelf. A copy in transit here
// is received; one in transit from here stays so; one waiting for its
// hold on the shelf stays; a lapsed hold's copy is handed on (R55); one
// marked 修理中, 紛失 or 調査中 is back. A withdrawn copy is refused.
func (c *Circulation) Return(ctx context.Context, barcode, branch string) (Returned, error) {
	return c.scanBack(ctx, barcode, branch, false)
}

// Receive takes in a copy that arrived at a branch in transit: ready for
// its hold at the pickup branch, back on its shelf at home, or sent on.
// A copy not in transit is refused (NotInTransit).
func (c *Circulation) Receive(ctx context.Context, barcode, branch string) (Returned, error) {
	return c.scanBack(ctx, barcode, branch, true)
}

func (c *Circulation) scanBack(ctx context.Context, barcode, branch string, transitOnly bool) (Returned, error) {
	var r Returned
	err := c.tx(ctx, func(tx *sql.Tx) error {
		cp, err := deskCopy(ctx, tx, barcode, branch)
		if err != nil {
			return err
		}
		r = Returned{Barcode: cp.Barcode, RecordID: cp.RecordID, WasStatus: cp.Status}
		if r.Title, err = store.RecordTitle(ctx, tx, cp.RecordID); err != nil {
			return err
		}
		if transitOnly && cp.Status != store.CopyInTransit {
			return refuse(NotInTransit)
		}
		switch cp.Status {
		case store.CopyWithdrawn:
			return refuse(CopyWithdrawn)
		case store.CopyOnHoldShelf:
			h, err := store.HoldOfCopy(ctx, tx, cp.ID)
			if err == nil {
				r.Found, r.Placement = FoundOnHoldShelf, Placement{Action: ActionHoldShelf, HoldID: h.ID}
				return nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			r.Found = FoundLapsed
			r.Placement, err = c.place(ctx, tx, cp, branch, false)
			return err
		case store.CopyInTransit:
			if cp.AtBranch == branch && cp.TransitTo != branch {
				// Scanned again where it left from: it still goes.
				r.Found, r.Placement = FoundAlreadyTransit, Placement{Action: ActionTransit, ToBranch: cp.TransitTo}
				if h, err := store.HoldOfCopy(ctx, tx, cp.ID); err == nil {
					r.HoldID = h.ID
				}
				return nil
			}
			r.Found = FoundTransit
			r.Placement, err = c.receive(ctx, tx, cp, branch)
			return err
		case store.CopyRepair, store.CopyLost, store.CopyMissing:
			r.Found = FoundMissing
			r.Placement, err = c.place(ctx, tx, cp, branch, false)
			return err
		}
		loan, err := store.LoanByCopy(ctx, tx, cp.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		r.Found = FoundNotOnLoan
		if err == nil {
			r.Found, r.DueDate = FoundLoan, loan.DueDate
			r.DaysLate = max(0, daysBetween(parseDay(loan.DueDate, c.cal.Location()), c.today()))
			if err := store.DeleteLoan(ctx, tx, loan.ID); err != nil {
				return err
			}
			if err := c.rememberReturn(ctx, tx, loan, cp.RecordID); err != nil {
				return err
			}
			// R40: the patron's notices not yet sent forget the title too.
			if err := c.refreshLoanNotices(ctx, tx, loan.PatronID); err != nil {
				return err
			}
			if err := store.CountEvent(ctx, tx, branch, c.today().Format(DateLayout), store.CountReturn); err != nil {
				return err
			}
		}
		r.Placement, err = c.place(ctx, tx, cp, branch, false)
		return err
	})
	return r, err
}

// deskCopy reads the copy a desk at branch scanned.
func deskCopy(ctx context.Context, tx *sql.Tx, barcode, branch string) (*store.Copy, error) {
	if ok, err := store.BranchExists(ctx, tx, branch); err != nil {
		return nil, err
	} else if !ok {
		return nil, &Refusal{Code: UnknownBranch, Field: "branch"}
	}
	cp, err := store.CopyByBarcode(ctx, tx, barcode)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(ItemNotFound)
	}
	return cp, err
}

// ReceiveTransit takes in a copy that arrived at a branch: see Receive.
func (c *Circulation) ReceiveTransit(ctx context.Context, barcode, branch string) (Placement, error) {
	r, err := c.Receive(ctx, barcode, branch)
	return r.Placement, err
}

func (c *Circulation) receive(ctx context.Context, tx *sql.Tx, cp *store.Copy, branch string) (Placement, error) {
	h, err := store.HoldOfCopy(ctx, tx, cp.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Placement{}, err
	}
	if err == nil {
		if h.PickupBranch == branch {
			if err := c.makeReady(ctx, tx, h, c.clock.Now()); err != nil {
				return Placement{}, err
			}
			return Placement{Action: ActionHoldShelf, HoldID: h.ID}, store.MoveCopy(ctx, tx, cp.ID, store.CopyOnHoldShelf, branch, "")
		}
		// Arrived somewhere else: send it on, from here.
		return Placement{Action: ActionTransit, HoldID: h.ID, ToBranch: h.PickupBranch},
			store.MoveCopy(ctx, tx, cp.ID, store.CopyInTransit, branch, h.PickupBranch)
	}
	return c.place(ctx, tx, cp, branch, false)
}

// Renew extends a patron's loan once (R30–R33).
func (c *Circulation) Renew(ctx context.Context, patronID, loanID int64) (time.Time, error) {
	var due time.Time
	err := c.tx(ctx, func(tx *sql.Tx) error {
		l, err := store.LoanByID(ctx, tx, loanID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && l.PatronID != patronID) {
			return refuse(LoanNotFound)
		}
		if err != nil {
			return err
		}
		cp, err := copyByID(ctx, tx, l.CopyID)
		if err != nil {
			return err
		}
		reserved, err := reservedByOthers(ctx, tx, cp.RecordID, c.today())
		if err != nil {
			return err
		}
		terms, err := c.loanTerms(ctx, tx, l.PatronID, cp.RecordID)
		if err != nil {
			return err
		}
		loc := c.cal.Location()
		today := c.today()
		old := parseDay(l.DueDate, loc)
		if notes := renewalNotes(terms, old, today, l.Renewals, reserved); len(notes) > 0 {
			return refuse(notes[0])
		}
		due, err = c.renewedDue(ctx, l.Branch, old, today, terms.LoanDays)
		if err != nil {
			return err
		}
		if err := store.RenewLoan(ctx, tx, l.ID, due.Format(DateLayout)); err != nil {
			return err
		}
		return c.refreshLoanNotices(ctx, tx, l.PatronID)
	})
	return due, err
}

// RenewalPreview says what renewing a loan now would give: the new due
// date, or the refusal (shown on the confirmation page before "変更する").
func (c *Circulation) RenewalPreview(ctx context.Context, patronID, loanID int64) (*LoanView, time.Time, error) {
	loans, err := c.Loans(ctx, patronID)
	if err != nil {
		return nil, time.Time{}, err
	}
	for i := range loans {
		l := &loans[i]
		if l.ID != loanID {
			continue
		}
		if !l.Renewable {
			return l, time.Time{}, refuse(l.Notes[0])
		}
		terms, err := c.loanTerms(ctx, c.db.Reader(), patronID, l.RecordID)
		if err != nil {
			return l, time.Time{}, err
		}
		due, err := c.renewedDue(ctx, l.Branch, parseDay(l.DueDate, c.cal.Location()), c.today(), terms.LoanDays)
		return l, due, err
	}
	return nil, time.Time{}, refuse(LoanNotFound)
}

// renewalNotes are RenewalNotes with the loan rules' word first: a
// material the rules do not renew (R54).
func renewalNotes(t Terms, due, today time.Time, renewals int, reservedByOthers bool) []string {
	notes := RenewalNotes(due, today, renewals, reservedByOthers)
	if !t.Renewable {
		notes = append([]string{NotRenewable}, notes...)
	}
	return notes
}

// reservedByOthers: someone waits for the title and no copy on the shelf
// could serve them instead (R32).
func reservedByOthers(ctx context.Context, q store.Querier, recordID int64, today time.Time) (bool, error) {
	waiting, onShelf, err := store.Demand(ctx, q, recordID, today.Format(DateLayout))
	return waiting > onShelf, err
}

// LoanView is a loan with what the patron's list shows (R25, R32).
type LoanView struct {
	store.PatronLoan
	Renewable bool
	Notes     []string
}

// Loans lists a patron's loans with renewability and its reasons.
func (c *Circulation) Loans(ctx context.Context, patronID int64) ([]LoanView, error) {
	loans, err := store.LoansOf(ctx, c.db.Reader(), patronID)
	if err != nil {
		return nil, err
	}
	today := c.today()
	table, err := c.Rules(ctx)
	if err != nil {
		return nil, err
	}
	category := ""
	if len(loans) > 0 {
		p, err := c.db.PatronByID(ctx, patronID)
		if err != nil {
			return nil, err
		}
		category = c.categoryOf(p.Category)
	}
	out := make([]LoanView, len(loans))
	for i, l := range loans {
		reserved, err := reservedByOthers(ctx, c.db.Reader(), l.RecordID, today)
		if err != nil {
			return nil, err
		}
		notes := renewalNotes(table.For(category, l.MaterialType), parseDay(l.DueDate, c.cal.Location()), today, l.Renewals, reserved)
		if notes == nil {
			notes = []string{}
		}
		out[i] = LoanView{PatronLoan: l, Renewable: len(notes) == 0, Notes: notes}
	}
	return out, nil
}

// Position is a hold's live place in its queue (0 unless waiting).
func (c *Circulation) Position(ctx context.Context, h *store.Hold) (int, error) {
	if h.Status != store.HoldWaiting || h.CopyID != 0 {
		return 0, nil
	}
	return store.HoldPosition(ctx, c.db.Reader(), h)
}

// Holds lists a patron's holds with live queue positions.
func (c *Circulation) Holds(ctx context.Context, patronID int64) ([]store.PatronHold, error) {
	return store.HoldsOf(ctx, c.db.Reader(), patronID)
}

// Contacted records the result of a call about a ready hold: "reached"
// starts the pickup deadline (R24); "unreachable" is noted for staff.
func (c *Circulation) Contacted(ctx context.Context, holdID, staffID int64, result string) (*store.Hold, error) {
	if result != "reached" && result != "unreachable" {
		return nil, &Refusal{Code: InvalidResult, Field: "result"}
	}
	var h *store.Hold
	err := c.tx(ctx, func(tx *sql.Tx) (err error) {
		h, err = store.HoldByID(ctx, tx, holdID)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(HoldNotFound)
		}
		if err != nil {
			return err
		}
		if h.Status != store.HoldReady {
			return refuse(HoldNotReady)
		}
		now := c.clock.Now()
		if err := store.AddContactAttempt(ctx, tx, h.ID, h.Contact, result, staffID, now); err != nil {
			return err
		}
		if result == "reached" && h.ContactedAt.IsZero() {
			h.ContactedAt = now
			d, err := c.PickupDeadline(ctx, h.PickupBranch, now)
			if err != nil {
				return err
			}
			h.PickupDeadline = d.Format(DateLayout)
			return store.UpdateHold(ctx, tx, h)
		}
		return nil
	})
	return h, err
}

// ExpireHolds cancels ready holds whose pickup deadline has passed, and
// tells the patron by e-mail when they have an address (R24). Each copy
// stays on the hold shelf, on the list of lapsed holds' copies, until
// staff scan it: the scan hands it to the next hold in line or sends it
// to the shelf or home (R55). A hold never contacted has no deadline and
// never lapses. Running it twice does nothing more.
func (c *Circulation) ExpireHolds(ctx context.Context) (int, error) {
	n := 0
	err := c.tx(ctx, func(tx *sql.Tx) error {
		expired, err := store.ExpiredHolds(ctx, tx, c.today().Format(DateLayout))
		if err != nil {
			return err
		}
		for _, h := range expired {
			if err := c.cancel(ctx, tx, &h); err != nil {
				return err
			}
			if err := c.enqueueLapsed(ctx, tx, h, c.clock.Now()); err != nil {
				return err
			}
			if err := store.CountEvent(ctx, tx, h.PickupBranch, c.today().Format(DateLayout), store.CountHoldExpired); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Tick does what the passing of time asks: lapse holds past their
// deadline, then write the reminders due today.
func (c *Circulation) Tick(ctx context.Context) error {
	if _, err := c.ExpireHolds(ctx); err != nil {
		return err
	}
	if _, err := c.LapseEnded(ctx); err != nil {
		return err
	}
	_, err := c.Remind(ctx)
	return err
}

// Run ticks every interval and whenever poke receives, until ctx ends.
func (c *Circulation) Run(ctx context.Context, interval time.Duration, poke <-chan struct{}, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := c.Tick(ctx); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-poke:
		}
	}
}

// PickList is what staff pull from a branch's shelves for holds (R23).
func (c *Circulation) PickList(ctx context.Context, branch string) ([]store.PickItem, error) {
	return c.db.PickList(ctx, branch, c.today().Format(DateLayout))
}

// Today is the library's current day.
func (c *Circulation) Today() time.Time { return c.today() }
