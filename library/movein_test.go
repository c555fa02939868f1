package library

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"hondana/store"
)

// newMoveInEnv is a library on 2026-04-01 at 10:00 and a function that
// moves a file of a kind in (or, dry, checks it).
func newMoveInEnv(t *testing.T) (*circEnv, func(kind, file string, dry bool) *MoveInReport) {
	e := newCircEnv(t, day(2026, 4, 1).Add(10*time.Hour))
	accounts, err := NewAccounts(e.db, e.clock, []byte("pepper"), AccountsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMoveIn(e.db, e.clock, accounts, e.c, tokyo)
	return e, func(kind, file string, dry bool) *MoveInReport {
		t.Helper()
		rep, err := m.Import(context.Background(), kind, strings.NewReader(file), dry, nil)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		return rep
	}
}

// TestMoveInRules: what each kind of row is refused for, in words a
// report gives, and what a good row becomes.
func TestMoveInRules(t *testing.T) {
	e, run := newMoveInEnv(t)
	ctx := context.Background()
	book := store.Record{Source: "marc:JTNDL:029455884", Title: "本の話", ISBN: "9784794970756"}
	saveRecord(t, e.db, e.clock.Now(), &book)
	e.addCopy(t, book.ID, "B1", "ozu", 30)
	e.addCopy(t, e.rec, "G1", "ozu", 30)
	e.addCopy(t, e.rec, "G2", "ozu", 30)
	problems := func(rep *MoveInReport) string {
		var out []string
		for _, p := range rep.Problems {
			out = append(out, p.Error())
		}
		return strings.Join(out, "\n")
	}

	rep := run(MoveInPatrons, "card,name,name_yomi,birth_date,email,category,home_branch,expiry\n"+
		"100000017,山田 太郎,ﾔﾏﾀﾞ ﾀﾛｳ,令和元年5月1日,,市外,OZU,2027/3/31\n"+
		"12345678,短い,ミジカイ,2000-01-01,,,,\n"+
		"100000025,区分違い,クブン,2000-01-01,,一般,,\n"+
		"100000033,館違い,カン,2000-01-01,,,どこか,\n"+
		"100000041,読み違い,よみ違い,2000-01-01,,,,\n"+
		"100000058,未来,ミライ,2030-01-01,,,,\n"+
		"100000066,メール,メール,2000-01-01,ｍａｉｌ＠example.jp,,,\n"+
		"100000074,,ナシ,1990/2/30,,,,\n", false)
	for _, want := range []string{
		`line 3: error: card "12345678" is not valid (a card number has 9 digits)`,
		`line 4: error: category "一般" is not valid (not a category of the configuration)`,
		`line 5: error: no library is called "どこか"`,
		`line 6: error: name_yomi "よみ違い" is not valid`,
		`line 7: error: birth_date "2030-01-01" is not a date`,
		"line 9: error: name is missing\nline 9: error: birth_date \"1990/2/30\" is not a date",
	} {
		if !strings.Contains(problems(rep), want) {
			t.Errorf("patrons: no %q in\n%s", want, problems(rep))
		}
	}
	if rep.Added != 2 || rep.Bad != 6 { // line 9 is one bad row, for two reasons
		t.Errorf("patrons: %+v", rep)
	}
	p, err := store.PatronRowByCard(ctx, e.db.Reader(), "100000017")
	if err != nil || p.NameYomi != "ヤマダ タロウ" || p.BirthDate != "2019-05-01" || p.Category != CategoryOutside || p.Expiry != "2027-03-31" {
		t.Errorf("patron: %+v %v", p, err)
	}
	if p, _ := store.PatronRowByCard(ctx, e.db.Reader(), "100000066"); p == nil || p.Email != "mail@example.jp" {
		t.Errorf("a full-width e-mail address is narrowed: %+v", p)
	}

	rep = run(MoveInLoans, "利用者番号,資料番号,貸出日,返却期限日\n"+
		"100000017,G1,2026/3/20,2026/4/3\n"+
		"100000066,G1,2026/3/20,2026/4/3\n"+
		"100000066,B1,2026/3/20,2026/3/1\n"+
		"100000066,X9,2026/3/20,2026/4/3\n", false)
	for _, want := range []string{
		`line 3: error: barcode "G1" is in the file already, on line 2`,
		`line 4: error: due_date "2026/3/1" is not valid (before the loan date)`,
		`line 5: error: no copy has barcode X9`,
	} {
		if !strings.Contains(problems(rep), want) {
			t.Errorf("loans: no %q in\n%s", want, problems(rep))
		}
	}
	if rep.Added != 1 {
		t.Errorf("loans: %+v", rep)
	}

	rep = run(MoveInHolds, "card,record_id,isbn,placed_date,pickup,contact\n"+
		"100000066,,978-4-7949-7075-6,2026/3/30,ozu,\n"+ // by ISBN; e-mail as the patron has one
		"100000017,029455884,,2026/3/29,,\n"+ // a vendor's record id under NDL's 003; pickup: home library
		"100000017,t:1,,2026/3/29,ozu,\n"+ // has it on loan
		"100000017,nothing,,2026/3/29,ozu,\n"+
		"100000017,,9784000000000,2026/3/29,ozu,\n"+
		"100000066,t:1,,2026/3/29,ozu,email\n"+
		"100000066,t:1,,2026/3/29,ozu,email\n", false)
	for _, want := range []string{
		`line 4: error: the patron has this title on loan`,
		`line 5: error: no title has record_id "nothing"`,
		`line 6: error: no title has isbn "9784000000000"`,
		`line 8: error: record_id "t:1" is in the file already, on line 7`,
	} {
		if !strings.Contains(problems(rep), want) {
			t.Errorf("holds: no %q in\n%s", want, problems(rep))
		}
	}
	if rep.Added != 3 {
		t.Errorf("holds: %+v\n%s", rep, problems(rep))
	}
	first, _ := store.PatronRowByCard(ctx, e.db.Reader(), "100000017")
	h, err := store.HoldOn(ctx, e.db.Reader(), first.ID, book.ID)
	if err != nil || h.PickupBranch != "ozu" || h.Contact != "phone" {
		t.Fatalf("the hold by the vendor's record id: %+v %v", h, err)
	}
	// Placed 3/29 (line 3) before 3/30 (line 2): first in the queue.
	if pos, err := store.HoldPosition(ctx, e.db.Reader(), h); pos != 1 || err != nil {
		t.Errorf("queue position %d %v; want 1", pos, err)
	}
	// The book is on the shelf: the hold is on the pick list.
	picks, err := e.db.PickList(ctx, "ozu", "2026-04-01")
	if err != nil || len(picks) != 2 || picks[0].HoldID != h.ID || picks[0].Barcode != "B1" {
		t.Errorf("pick list %+v %v; want hold %d with B1 (and the other title's with G2)", picks, err, h.ID)
	}
}

// TestMoveInHoldsOnTheirWay: holds the vendor had already given a copy
// come in as they were — on the pickup library's hold shelf (told or
// to be told) or in transit there — and an export reads back as
// unchanged.
func TestMoveInHoldsOnTheirWay(t *testing.T) {
	e, run := newMoveInEnv(t)
	ctx := context.Background()
	book := store.Record{Source: "t:2", Title: "風の又三郎"}
	saveRecord(t, e.db, e.clock.Now(), &book)
	e.addCopy(t, e.rec, "G1", "ozu", 30)
	e.addCopy(t, e.rec, "G2", "nagahama", 30)
	e.addCopy(t, e.rec, "G3", "ozu", 30)
	e.addCopy(t, e.rec, "G4", "ozu", 30)
	e.addCopy(t, book.ID, "B1", "ozu", 30)
	e.addCopy(t, book.ID, "B2", "ozu", 30)
	told := e.patron(t, "100000017", "told@example.jp")
	phone := e.patron(t, "100000025", "")
	mail := e.patron(t, "100000033", "mail@example.jp")
	e.patron(t, "100000041", "")
	if rep := run(MoveInLoans, "card,barcode,due_date\n100000041,G3,2026/4/10\n", false); rep.Added != 1 {
		t.Fatalf("the loan: %+v", rep)
	}
	const file = "利用者番号,書誌ID,予約日,受取館,状態,資料番号,取置期限,発送館\n" +
		"100000017,t:1,2026/3/20,OZU,取置中,G1,2026/4/5,\n" + // told by the vendor: its deadline
		"100000025,t:1,2026/3/21,nagahama,取置中,G2,,\n" + // not told, by phone: the call list
		"100000033,t:2,2026/3/22,ozu,ready,B1,,\n" + // not told, by e-mail: a message
		"100000017,t:2,2026/3/23,nagahama,回送中,B2,,ozu\n" + // on its way from Ozu to Nagahama
		"100000025,t:2,2026/3/24,ozu,取置中,,,\n" + // which copy?
		"100000041,t:2,2026/3/24,ozu,取置中,G4,,\n" + // a copy of another title
		"100000033,t:1,2026/3/24,ozu,取置中,G1,,\n" + // G1 is line 2's
		"100000041,t:1,2026/3/24,ozu,取置中,G3,,\n" + // G3 is lent (and to this patron)
		"100000033,t:1,2026/3/24,ozu,貸出中,,,\n" // no such state of a hold
	wantProblems := []string{
		`line 6: error: barcode is missing (a hold on the hold shelf or in transit names its copy)`,
		`line 7: error: barcode "G4" is not valid (a copy of another title)`,
		`line 8: error: barcode "G1" is in the file already, on line 2`,
		`line 9: error: the patron has this title on loan: a hold is not allowed`,
		`line 10: error: status "貸出中" is not valid`,
	}
	check := func(what string, rep *MoveInReport, added, unchanged int) {
		t.Helper()
		var got []string
		for _, p := range rep.Problems {
			got = append(got, p.Error())
		}
		if strings.Join(got, "\n") != strings.Join(wantProblems, "\n") || rep.Added != added || rep.Unchanged != unchanged || rep.Bad != len(wantProblems) {
			t.Errorf("%s: %+v\n%s\nwant %d added, %d unchanged and\n%s", what, rep, strings.Join(got, "\n"), added, unchanged, strings.Join(wantProblems, "\n"))
		}
	}
	copyState := func(barcode string) string {
		t.Helper()
		var cp *store.Copy
		err := e.db.Tx(ctx, func(tx *sql.Tx) (err error) {
			cp, err = store.CopyByBarcode(ctx, tx, barcode)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s at %s to %s", cp.Status, cp.AtBranch, cp.TransitTo)
	}

	check("dry run", run(MoveInHolds, file, true), 4, 0)
	if s := copyState("G1"); s != "on_shelf at ozu to " {
		t.Errorf("after the dry run G1 is %s", s)
	}
	check("import", run(MoveInHolds, file, false), 4, 0)

	for barcode, want := range map[string]string{
		"G1": "on_hold_shelf at ozu to ", "G2": "on_hold_shelf at nagahama to ",
		"B1": "on_hold_shelf at ozu to ", "B2": "in_transit at ozu to nagahama",
	} {
		if got := copyState(barcode); got != want {
			t.Errorf("copy %s is %s; want %s", barcode, got, want)
		}
	}
	hold := func(patron, rec int64) *store.Hold {
		t.Helper()
		h, err := store.HoldOn(ctx, e.db.Reader(), patron, rec)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := hold(told, e.rec); h.Status != store.HoldReady || h.PickupDeadline != "2026-04-05" || h.ContactedAt.IsZero() {
		t.Errorf("the hold the vendor had told: %+v", h)
	}
	if h := hold(phone, e.rec); h.Status != store.HoldReady || h.PickupDeadline != "" || h.ContactedAt.IsZero() == false {
		t.Errorf("the hold not told yet: %+v", h)
	}
	calls, err := e.db.CallList(ctx)
	if err != nil || len(calls) != 1 || calls[0].ID != hold(phone, e.rec).ID || calls[0].Barcode != "G2" {
		t.Errorf("the call list: %+v %v; want the phone patron's hold with G2", calls, err)
	}
	mails, err := e.db.Outbox(ctx, "", 10)
	if err != nil || len(mails) != 1 || mails[0].Kind != store.MailHoldReady || mails[0].PatronID != mail || mails[0].HoldID != hold(mail, book.ID).ID {
		t.Errorf("the outbox: %+v %v; want the hold-ready message of the e-mail patron", mails, err)
	}
	if h := hold(told, book.ID); h.Status != store.HoldInTransit || h.CopyID == 0 {
		t.Errorf("the hold in transit: %+v", h)
	}
	// Ozu's transit list has it going out, Nagahama's coming in.
	if out, _, err := e.db.InTransit(ctx, "ozu"); err != nil || len(out) != 1 || out[0].Barcode != "B2" || out[0].HoldID != hold(told, book.ID).ID {
		t.Errorf("Ozu sends %+v %v; want B2 for the hold", out, err)
	}
	if _, in, err := e.db.InTransit(ctx, "nagahama"); err != nil || len(in) != 1 || in[0].Barcode != "B2" {
		t.Errorf("Nagahama receives %+v %v; want B2", in, err)
	}

	// Running it again changes nothing, and tells nobody twice.
	check("again", run(MoveInHolds, file, false), 0, 4)
	if mails, _ := e.db.Outbox(ctx, "", 10); len(mails) != 1 {
		t.Errorf("a second run wrote %d messages", len(mails)-1)
	}
	// What the move out writes of them reads back as it is.
	var out strings.Builder
	if _, err := NewExporter(e.db, NewStaffLog(e.db, e.clock), tokyo).Export(ctx, 0, ExportHolds, "csv", &out); err != nil {
		t.Fatal(err)
	}
	if rep := run(MoveInHolds, out.String(), false); rep.Unchanged != 4 || rep.Bad != 0 || rep.Added+rep.Updated != 0 {
		t.Errorf("the export read back: %+v %v\n%s", rep, rep.Problems, out.String())
	}

	// At Nagahama the copy in transit is received onto the hold shelf.
	r, err := e.c.Receive(ctx, "B2", "nagahama")
	if err != nil || r.Placement.Action != ActionHoldShelf || r.Placement.HoldID != hold(told, book.ID).ID {
		t.Errorf("receiving B2 at Nagahama: %+v %v", r, err)
	}
	// The told hold lapses at its deadline, its copy listed to take off.
	e.clock.Set(day(2026, 4, 6).Add(9 * time.Hour))
	if n, err := e.c.ExpireHolds(ctx); err != nil || n != 1 {
		t.Errorf("expiring on 4/6: %d %v; want the hold with deadline 4/5", n, err)
	}
}
