package library

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/width"

	"hondana/store"
)

// Modes of the counter's scan box (R50): auto tells a card from an item
// by its form and lends to the patron open at the desk or, with none,
// takes the item back; the others say what an item scan does.
const (
	ModeAuto    = "auto"
	ModeLend    = "lend"    // 貸出
	ModeReturn  = "return"  // 返却
	ModeReceive = "receive" // 回送受入
)

// Modes are the scan box's modes, in the order the counter shows them.
var Modes = []string{ModeAuto, ModeLend, ModeReturn, ModeReceive}

// DefaultBarcodePatterns are the forms of item barcodes a configuration
// naming none accepts: 10 to 14 digits (the demo's and common NW-7 or
// ITF labels), or letters, digits and hyphens with at least one letter.
// A card number is 9 digits, so neither takes one for an item.
func DefaultBarcodePatterns() []string {
	return []string{`^[0-9]{10,14}$`, `^[0-9A-Za-z-]*[A-Za-z][0-9A-Za-z-]*$`}
}

// ScanForms tell a patron's card from an item's barcode by their form.
type ScanForms struct {
	items []*regexp.Regexp
}

// NewScanForms compiles the item barcode patterns (nil: the defaults).
func NewScanForms(patterns []string) (ScanForms, error) {
	if len(patterns) == 0 {
		patterns = DefaultBarcodePatterns()
	}
	var f ScanForms
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return f, fmt.Errorf("barcode pattern %q: %w", p, err)
		}
		f.items = append(f.items, re)
	}
	return f, nil
}

// What a scanned code is.
const (
	KindCard       = "card"
	KindItem       = "item"
	KindUnreadable = "unreadable"
)

// Classify says what a scanned code is, and gives it cleaned: full-width
// letters and digits (a scanner typing into a Japanese input method)
// made half-width, spaces gone. A card is nine digits (R10); an item
// matches one of the barcode patterns. A code that is both is an item
// in the explicit item modes (lend, return, receive) and a card in auto.
func (f ScanForms) Classify(code, mode string) (kind, clean string) {
	clean = strings.Join(strings.Fields(width.Narrow.String(code)), "")
	card, isCard := FoldCard(clean)
	isItem := false
	for _, re := range f.items {
		isItem = isItem || re.MatchString(clean)
	}
	switch {
	case isCard && (!isItem || mode == ModeAuto):
		return KindCard, card
	case isItem:
		return KindItem, clean
	}
	return KindUnreadable, clean
}

// What the counter's list says a scan did.
const (
	OutcomeLent       = "lent"
	OutcomeReturned   = "returned"
	OutcomeRefused    = "refused"
	OutcomeUnreadable = "unreadable"
)

// ScanRequest is a scan at the counter: the code, the box's mode, the
// patron open at the desk (their card, or ""), the desk's library, the
// staff session it belongs to, and whether staff overrode the overdue
// rule for the patron (R53).
type ScanRequest struct {
	Session  string
	Branch   string
	Mode     string
	Code     string
	Card     string
	Override bool
}

// ScanResult is what a scan did: a card to open (Card), or the line it
// added to the session's list.
type ScanResult struct {
	Card string
	Line *store.DeskScan
}

// Scan does what a scan at the counter asks (R50, R51), by the form of
// the code and the box's mode: a card opens the patron; an item is lent
// to the patron open at the desk, or taken back, or received from
// transit. In auto mode, an item on loan to the patron at the desk is
// taken back (they hand it in). Every item scan, lent, returned or
// refused, goes into the session's list with its title; a refusal is an
// answer, not an error.
func (c *Circulation) Scan(ctx context.Context, forms ScanForms, r ScanRequest) (*ScanResult, error) {
	kind, code := forms.Classify(r.Code, r.Mode)
	line := &store.DeskScan{At: c.clock.Now(), Branch: r.Branch, Mode: r.Mode, Code: code}
	switch kind {
	case KindUnreadable:
		line.Outcome = OutcomeUnreadable
		line.Code = truncate(line.Code, 40)
		return &ScanResult{Line: line}, c.keepScan(ctx, r.Session, line)
	case KindCard:
		if _, err := c.db.PatronByCard(ctx, code); err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			line.Mode, line.Outcome, line.Reason = KindCard, OutcomeRefused, PatronNotFound
			if !CardValid(code) {
				line.Reason = CardMisread
			}
			return &ScanResult{Line: line}, c.keepScan(ctx, r.Session, line)
		}
		return &ScanResult{Card: code}, nil
	}
	if r.Card != "" && !r.Override {
		reason, err := c.Override(ctx, r.Session, r.Card)
		if err != nil {
			return nil, err
		}
		r.Override = reason != ""
	}
	mode := r.Mode
	if mode == ModeAuto {
		mode = ModeReturn
		if r.Card != "" {
			mode = ModeLend
		}
	}
	line.Mode = mode
	var err error
	switch mode {
	case ModeLend:
		err = c.scanLend(ctx, r, line)
		if Code(err) == ItemOnLoan && r.Mode == ModeAuto && c.onLoanTo(ctx, code, r.Card) {
			line.Mode = ModeReturn
			err = c.scanReturn(ctx, code, r.Branch, false, line)
		}
	case ModeReceive:
		err = c.scanReturn(ctx, code, r.Branch, true, line)
	default:
		err = c.scanReturn(ctx, code, r.Branch, false, line)
	}
	var ref *Refusal
	if errors.As(err, &ref) {
		line.Outcome, line.Reason, line.Limit, line.Material = OutcomeRefused, ref.Code, ref.Limit, ref.Material
		if line.Title == "" {
			line.Title, _ = c.db.TitleOfBarcode(ctx, code)
		}
	} else if err != nil {
		return nil, err
	}
	return &ScanResult{Line: line}, c.keepScan(ctx, r.Session, line)
}

// Code is the code of a rule's refusal, or "" for any other error.
func Code(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	return ""
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// undoState is how a loan made at the desk is undone: the copy as it was.
type undoState struct {
	Status    string `json:"status"`
	At        string `json:"at"`
	TransitTo string `json:"transit_to"`
}

func (c *Circulation) scanLend(ctx context.Context, r ScanRequest, line *store.DeskScan) error {
	if r.Card == "" {
		return refuse(NoPatronOpen)
	}
	l, err := c.Lend(ctx, CheckoutRequest{Card: r.Card, Barcode: line.Code, Branch: r.Branch, Override: r.Override})
	if err != nil {
		return err
	}
	line.Outcome, line.Title, line.DueDate, line.LoanID = OutcomeLent, l.Title, l.DueDate, l.ID
	if l.FilledHold == 0 {
		// A loan that fulfilled a hold cannot be undone: the hold is
		// gone (R40), and the copy goes back by a return.
		b, _ := json.Marshal(undoState{Status: l.Before.Status, At: l.Before.AtBranch, TransitTo: l.Before.TransitTo})
		line.Undo = string(b)
	}
	return nil
}

func (c *Circulation) scanReturn(ctx context.Context, code, branch string, receive bool, line *store.DeskScan) error {
	var r Returned
	var err error
	if receive {
		r, err = c.Receive(ctx, code, branch)
	} else {
		r, err = c.Return(ctx, code, branch)
	}
	line.Title = r.Title
	if err != nil {
		return err
	}
	line.Outcome, line.Reason, line.Action, line.HoldID, line.ToBranch = OutcomeReturned, r.Found, r.Action, r.HoldID, r.ToBranch
	line.DueDate, line.DaysLate = r.DueDate, r.DaysLate
	return nil
}

// onLoanTo reports whether the copy with barcode is on loan to the
// patron with card.
func (c *Circulation) onLoanTo(ctx context.Context, barcode, card string) bool {
	var n int
	err := c.db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM loans l JOIN copies c ON c.id = l.copy_id
		JOIN patrons p ON p.id = l.patron_id WHERE c.barcode = ? AND p.card = ?`, barcode, card).Scan(&n)
	return err == nil && n > 0
}

// keepScan adds a scan to its session's list.
func (c *Circulation) keepScan(ctx context.Context, session string, line *store.DeskScan) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error { return store.AddDeskScan(ctx, tx, session, line) })
}

// Scans lists a staff session's latest scans, newest first.
func (c *Circulation) Scans(ctx context.Context, session string, limit int) ([]store.DeskScan, error) {
	return c.db.DeskScans(ctx, session, limit)
}

// ScanOf reads one of a session's scans (another session's is not found).
func (c *Circulation) ScanOf(ctx context.Context, session string, id int64) (*store.DeskScan, error) {
	return store.DeskScanByID(ctx, c.db.Reader(), session, id)
}

// UndoLastLoan undoes the session's latest loan (R50): a copy lent to the
// wrong patron, or scanned twice, goes back as it was, the anonymous
// counts with it, in the staff log. A loan returned since, or one that
// fulfilled a hold, cannot be undone: the desk takes it back instead.
func (c *Circulation) UndoLastLoan(ctx context.Context, session string, staffID int64) (*store.DeskScan, error) {
	var line *store.DeskScan
	err := c.tx(ctx, func(tx *sql.Tx) (err error) {
		line, err = store.LastLent(ctx, tx, session)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(NothingToUndo)
		}
		if err != nil {
			return err
		}
		loan, err := store.LoanByID(ctx, tx, line.LoanID)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(NothingToUndo)
		}
		if err != nil {
			return err
		}
		var before undoState
		if line.Undo == "" || json.Unmarshal([]byte(line.Undo), &before) != nil {
			return refuse(UndoHoldFilled)
		}
		if err := store.DeleteLoan(ctx, tx, loan.ID); err != nil {
			return err
		}
		if err := store.UncountLoan(ctx, tx, loan.CopyID, loan.Branch, loan.LoanedOn); err != nil {
			return err
		}
		if err := c.refreshLoanNotices(ctx, tx, loan.PatronID); err != nil {
			return err
		}
		if err := store.PutCopyBack(ctx, tx, loan.CopyID, before.Status, before.At, before.TransitTo); err != nil {
			return err
		}
		if err := store.MarkUndone(ctx, tx, line.ID); err != nil {
			return err
		}
		line.Undone = true
		return store.Audit(ctx, tx, staffID, "checkout.undo", "item "+line.Code, c.clock.Now())
	})
	return line, err
}

// OverrideOverdue lets a staff session lend to a patron despite the
// overdue rule (R53), for the rest of the patron's visit, with a reason
// kept in the staff log: the card (masked) and the reason, never a title.
func (c *Circulation) OverrideOverdue(ctx context.Context, session string, staffID int64, card, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 200 {
		return &Refusal{Code: InvalidField, Field: "reason"}
	}
	p, err := c.db.PatronByCard(ctx, card)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(PatronNotFound)
	}
	if err != nil {
		return err
	}
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.AddOverride(ctx, tx, session, p.ID, reason, c.clock.Now()); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "checkout.override", Redact("card "+card+": "+reason), c.clock.Now())
	})
}

// Override is the reason the session lends to the patron with card
// despite the overdue rule ("" when it does not).
func (c *Circulation) Override(ctx context.Context, session, card string) (string, error) {
	reason, _, err := store.Override(ctx, c.db.Reader(), session, card)
	return reason, err
}

// EndVisit forgets what the session allowed the patron at the desk (the
// override of the overdue rule): the next patron starts afresh.
func (c *Circulation) EndVisit(ctx context.Context, session string) error {
	return c.db.ClearOverrides(ctx, session)
}

// DeskLimits are a patron's numbers for the counter (R53): loans and
// holds now against what their category may have, the most overdue
// loan, and the overdue rule.
type DeskLimits struct {
	Category         string
	Loans, LoanLimit int
	Holds, HoldLimit int
	Overdue          int // days the most overdue loan is past due
	OverdueBlockDays int // 0: no such rule
	Blocked          bool
}

// Limits reads a patron's numbers for the counter.
func (c *Circulation) Limits(ctx context.Context, patronID int64) (DeskLimits, error) {
	var d DeskLimits
	table, err := c.Rules(ctx)
	if err != nil {
		return d, err
	}
	p, err := c.db.PatronByID(ctx, patronID)
	if err != nil {
		return d, err
	}
	d.Category = c.categoryOf(p.Category)
	terms := table.For(d.Category, Any)
	d.LoanLimit, d.HoldLimit, d.OverdueBlockDays = terms.MaxLoans, terms.MaxHolds, c.p.OverdueBlockDays
	q := c.db.Reader()
	if err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM loans WHERE patron_id = ?), (SELECT count(*) FROM holds WHERE patron_id = ?)`,
		patronID, patronID).Scan(&d.Loans, &d.Holds); err != nil {
		return d, fmt.Errorf("library: limits: %w", err)
	}
	if d.Overdue, err = c.overdueDays(ctx, q, patronID); err != nil {
		return d, err
	}
	d.Blocked = d.OverdueBlockDays > 0 && d.Overdue > d.OverdueBlockDays
	return d, nil
}
