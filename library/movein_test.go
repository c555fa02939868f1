package library

import (
	"context"
	"strings"
	"testing"

	"hondana/store"
)

// TestMoveInRules: what each kind of row is refused for, in words a
// report gives, and what a good row becomes.
func TestMoveInRules(t *testing.T) {
	e := newCircEnv(t, day(2026, 4, 1).Add(10*60*60*1e9))
	ctx := context.Background()
	accounts, err := NewAccounts(e.db, e.clock, []byte("pepper"), AccountsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMoveIn(e.db, e.clock, accounts, tokyo)
	book := store.Record{Source: "marc:JTNDL:029455884", Title: "本の話", ISBN: "9784794970756"}
	saveRecord(t, e.db, e.clock.Now(), &book)
	e.addCopy(t, book.ID, "B1", "ozu", 30)
	e.addCopy(t, e.rec, "G1", "ozu", 30)
	e.addCopy(t, e.rec, "G2", "ozu", 30)
	run := func(kind, file string, dry bool) *MoveInReport {
		t.Helper()
		rep, err := m.Import(ctx, kind, strings.NewReader(file), dry, nil)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		return rep
	}
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
