package library

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"hondana/store"
)

func intp(n int) *int    { return &n }
func boolp(b bool) *bool { return &b }

// testTable: the default row, videos for everyone, 市外 for everything,
// 市外 × videos, and groups with a longer loan of everything.
var testTable = RuleTable{
	Default: DefaultTerms(),
	Rules: []LoanRule{
		{Category: Any, MaterialType: "video", LoanDays: intp(7), MaxLoans: intp(2), Renewable: boolp(false)},
		{Category: CategoryOutside, MaterialType: Any, MaxLoans: intp(5), MaxHolds: intp(3)},
		{Category: CategoryOutside, MaterialType: "video", MaxLoans: intp(1), Holdable: boolp(false)},
		{Category: CategoryGroup, MaterialType: Any, LoanDays: intp(28), MaxLoans: intp(50)},
		{Category: Any, MaterialType: "map", ReferenceOnly: boolp(true)},
	},
}

// TestRuleTable: every category × type cell of a table, from the
// narrowest row that names each term.
func TestRuleTable(t *testing.T) {
	t.Parallel()
	d := DefaultTerms()
	with := func(f func(*Terms)) Terms { x := d; f(&x); return x }
	tests := []struct {
		category, material string
		want               Terms
	}{
		{CategoryCity, "book", d},
		{CategoryCity, Any, d},
		{CategoryStaff, "magazine", d},
		{CategoryCity, "video", with(func(x *Terms) { x.LoanDays, x.MaxLoans, x.Renewable = 7, 2, false })},
		{CategoryOutside, "book", with(func(x *Terms) { x.MaxLoans, x.MaxHolds = 5, 3 })},
		{CategoryOutside, Any, with(func(x *Terms) { x.MaxLoans, x.MaxHolds = 5, 3 })},
		// The type's row wins over the category's; the cell's own row
		// over both.
		{CategoryOutside, "video", with(func(x *Terms) { x.LoanDays, x.MaxLoans, x.MaxHolds, x.Renewable, x.Holdable = 7, 1, 3, false, false })},
		{CategoryGroup, "book", with(func(x *Terms) { x.LoanDays, x.MaxLoans = 28, 50 })},
		{CategoryGroup, "video", with(func(x *Terms) { x.LoanDays, x.MaxLoans, x.Renewable = 7, 2, false })},
		{CategoryGroup, "map", with(func(x *Terms) { x.LoanDays, x.MaxLoans, x.ReferenceOnly = 28, 50, true })},
		{"unknown", "book", d},
	}
	for _, tt := range tests {
		t.Run(tt.category+"×"+tt.material, func(t *testing.T) {
			if got := testTable.For(tt.category, tt.material); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestRuleTableCheck: rows naming what is not there, or twice, or with
// numbers out of range, are refused with their row number.
func TestRuleTableCheck(t *testing.T) {
	t.Parallel()
	types := []string{"book", "video", "map"}
	if err := testTable.Check(DefaultCategories(), types); err != nil {
		t.Fatalf("a good table: %v", err)
	}
	for _, tt := range []struct {
		row  LoanRule
		want string
	}{
		{LoanRule{Category: "tourist", MaterialType: Any}, `unknown patron category "tourist"`},
		{LoanRule{Category: Any, MaterialType: "scroll"}, `unknown material type "scroll"`},
		{LoanRule{Category: Any, MaterialType: "video"}, "given twice"},
		{LoanRule{Category: CategoryCity, MaterialType: Any, LoanDays: intp(0)}, "0 days"},
		{LoanRule{Category: CategoryCity, MaterialType: Any, MaxLoans: intp(-1)}, "not a number from 0 to 999"},
	} {
		table := RuleTable{Rules: append(append([]LoanRule{}, testTable.Rules...), tt.row)}
		err := table.Check(DefaultCategories(), types)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "rule 6") {
			t.Errorf("%+v: %v; want %q at rule 6", tt.row, err, tt.want)
		}
	}
}

// TestLoanRulesAtTheDesk: the rule table, the copy flag 禁帯出 and the
// overdue rule in real checkouts, holds, renewals and returns.
func TestLoanRulesAtTheDesk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo)) // a Friday
	c := NewCirculation(e.db, e.cal, e.clock, CirculationOptions{
		Policy: LoanPolicy{LoanDays: 14, LoanLimit: 10, HoldLimit: 10, PickupDays: 7, OverdueBlockDays: 7},
		Rules: []LoanRule{
			{Category: Any, MaterialType: "video", LoanDays: intp(7), MaxLoans: intp(1), Renewable: boolp(false)},
			{Category: CategoryOutside, MaterialType: Any, MaxLoans: intp(2)},
			{Category: Any, MaterialType: "map", ReferenceOnly: boolp(true)},
		}})
	record := func(title, material string) int64 {
		r := store.Record{Source: "rules:" + title, Title: title, MaterialType: material}
		saveRecord(t, e.db, time.Now(), &r)
		return r.ID
	}
	video, atlas, folio := record("となりのトトロ", "video"), record("大洲市地図", "map"), record("大洲藩史料", "book")
	for _, bc := range []string{"B1", "B2", "B3"} {
		e.addCopy(t, e.rec, bc, "ozu", 30)
	}
	e.addCopy(t, video, "V1", "ozu", 30)
	e.addCopy(t, video, "V2", "ozu", 30)
	e.addCopy(t, atlas, "M1", "ozu", 30)
	e.addCopy(t, folio, "F1", "ozu", 30)
	setState := func(barcode, status string, notForLoan bool) {
		t.Helper()
		if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			cp, err := store.CopyByBarcode(ctx, tx, barcode)
			if err != nil {
				return err
			}
			return store.SetCopyState(ctx, tx, cp.ID, status, notForLoan)
		}); err != nil {
			t.Fatal(err)
		}
	}
	setState("F1", store.CopyOnShelf, true)
	patron := func(card, category string) int64 {
		t.Helper()
		p := store.Patron{Card: card, Name: "区分" + card, BirthDate: "1990-01-01", Category: category}
		if err := e.db.Tx(ctx, func(tx *sql.Tx) error { return store.AddPatron(ctx, tx, &p, time.Now()) }); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	city, outside := patron("800000001", ""), patron("800000002", CategoryOutside)

	// A video: seven days, one at a time, never renewed.
	l, err := c.Checkout(ctx, "800000001", "V1", "ozu")
	if err != nil || l.DueDate != "2026-12-04" {
		t.Fatalf("lend a video: %+v %v", l, err)
	}
	_, err = c.Checkout(ctx, "800000001", "V2", "ozu")
	if r := refusalOf(err); r == nil || r.Code != TypeLoanLimitReached || r.Limit != 1 || r.Material != "video" {
		t.Errorf("a second video: %v", err)
	}
	_, err = c.Renew(ctx, city, l.ID)
	want(t, err, NotRenewable)
	loans, _ := c.Loans(ctx, city)
	if len(loans) != 1 || loans[0].Renewable || loans[0].Notes[0] != NotRenewable {
		t.Errorf("the video's 注意: %+v", loans)
	}
	// Books keep the default row: fourteen days.
	if l, err := c.Checkout(ctx, "800000001", "B1", "ozu"); err != nil || l.DueDate != "2026-12-11" {
		t.Fatalf("lend a book: %+v %v", l, err)
	}
	// A map is for use in the library; 禁帯出 is refused too.
	_, err = c.Checkout(ctx, "800000001", "M1", "ozu")
	want(t, err, ReferenceOnly)
	_, err = c.Checkout(ctx, "800000001", "F1", "ozu")
	want(t, err, NotForLoan)
	_, err = c.PlaceHold(ctx, city, atlas, "ozu", ContactPhone)
	want(t, err, ReferenceOnly)
	_, err = c.PlaceHold(ctx, city, folio, "ozu", ContactPhone)
	want(t, err, NoCopyToLend)
	// 市外: two loans at most, whatever the type.
	for _, bc := range []string{"B2", "B3"} {
		if _, err := c.Checkout(ctx, "800000002", bc, "ozu"); err != nil {
			t.Fatalf("lend %s to 市外: %v", bc, err)
		}
	}
	if _, err := c.Checkin(ctx, "B3", "ozu"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Checkout(ctx, "800000002", "V2", "ozu"); err != nil {
		t.Fatalf("a video to 市外: %v", err)
	}
	_, err = c.Checkout(ctx, "800000002", "B3", "ozu")
	if r := refusalOf(err); r == nil || r.Code != LoanLimitReached || r.Limit != 2 {
		t.Errorf("a third loan to 市外: %v", err)
	}

	// A copy flagged 禁帯出 while out comes back to the shelf, never to
	// the hold waiting for its title.
	h, err := c.PlaceHold(ctx, outside, e.rec, "ozu", ContactPhone)
	want(t, err, AlreadyOnLoan)
	if _, err := c.Checkin(ctx, "B2", "ozu"); err != nil {
		t.Fatal(err)
	}
	if h, err = c.PlaceHold(ctx, outside, e.rec, "ozu", ContactPhone); err != nil {
		t.Fatal(err)
	}
	setState("B1", store.CopyOnLoan, true)
	if pl, err := c.Checkin(ctx, "B1", "ozu"); err != nil || pl.Action != ActionShelve {
		t.Errorf("returning a 禁帯出 copy with a hold waiting: %+v %v", pl, err)
	}
	if picks, _ := c.PickList(ctx, "ozu"); len(picks) != 1 || picks[0].Barcode == "B1" {
		t.Errorf("the pick list offers %+v; want B2 or B3, not the 禁帯出 B1", picks)
	}
	_ = h

	// Overdue by more than seven days: no new loans, unless staff
	// override.
	e.clock.Set(time.Date(2026, 12, 12, 10, 0, 0, 0, tokyo)) // the video was due 12-04
	_, err = c.Checkout(ctx, "800000001", "B3", "ozu")
	if r := refusalOf(err); r == nil || r.Code != OverdueBlocked || r.Limit != 7 {
		t.Errorf("lending with a loan 8 days overdue: %v", err)
	}
	if _, err := c.Lend(ctx, CheckoutRequest{Card: "800000001", Barcode: "B3", Branch: "ozu", Override: true}); err != nil {
		t.Errorf("lending with the override: %v", err)
	}
}

func refusalOf(err error) *Refusal {
	var r *Refusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// TestClassify: the scan box tells a card (nine digits) from an item
// barcode by its form, whatever width the scanner typed it in; a code of
// both forms is a card in auto mode and an item in the item modes.
func TestClassify(t *testing.T) {
	t.Parallel()
	forms, err := NewScanForms(nil)
	if err != nil {
		t.Fatal(err)
	}
	nine, err := NewScanForms([]string{`^[0-9]{9}$`})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		forms            ScanForms
		code, mode, kind string
		clean            string
	}{
		{forms, "100001000", ModeAuto, KindCard, "100001000"},
		{forms, "１０００ ０１０００", ModeLend, KindCard, "100001000"},
		{forms, "1010000093", ModeAuto, KindItem, "1010000093"},
		{forms, "１０１０００００９３", ModeReturn, KindItem, "1010000093"},
		{forms, "C100", ModeAuto, KindItem, "C100"},
		{forms, "ｔ－１", ModeAuto, KindItem, "t-1"},
		{forms, "12345", ModeAuto, KindUnreadable, "12345"},
		{forms, "%%%", ModeReturn, KindUnreadable, "%%%"},
		{nine, "123456789", ModeAuto, KindCard, "123456789"},
		{nine, "123456789", ModeReturn, KindItem, "123456789"},
		{nine, "C100", ModeAuto, KindUnreadable, "C100"},
	} {
		if kind, clean := tt.forms.Classify(tt.code, tt.mode); kind != tt.kind || clean != tt.clean {
			t.Errorf("%q in %s: %s %q; want %s %q", tt.code, tt.mode, kind, clean, tt.kind, tt.clean)
		}
	}
	if _, err := NewScanForms([]string{"("}); err == nil {
		t.Error("a bad pattern was taken")
	}
}
