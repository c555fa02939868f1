package library

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"testing"
	"time"

	"hondana/store"
)

// transitLine is a transit list's row as staff read it.
func transitLines(cs []store.TransitCopy) string {
	var out []string
	for _, c := range cs {
		why := "home"
		if c.HoldID != 0 {
			why = "hold"
		}
		out = append(out, c.Barcode+" "+c.AtBranch+"→"+c.TransitTo+" "+why+" "+c.Title)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// TestTransitListsByLocation: the case. Four copies returned at
// Nagahama, belonging to Ozu and Hijikawa or reserved for pickup there:
// Nagahama's outgoing list has all four, with titles and reasons; Ozu's
// and Hijikawa's incoming lists have theirs, and neither claims to send
// a copy lying at Nagahama. Receiving clears them; a copy received at
// the wrong library is sent on from there.
func TestTransitListsByLocation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		return store.SaveBranch(ctx, tx, store.Branch{Code: "hijikawa", Name: "hijikawa"})
	}); err != nil {
		t.Fatal(err)
	}
	other := store.Record{Source: "t:2", Title: "風の又三郎"}
	saveRecord(t, e.db, time.Now(), &other)
	e.addCopy(t, e.rec, "A", "ozu", 30)
	e.addCopy(t, e.rec, "B", "ozu", 30)
	e.addCopy(t, e.rec, "C", "hijikawa", 30)
	e.addCopy(t, other.ID, "D", "ozu", 30)
	e.patron(t, "700000001", "")
	waiting := e.patron(t, "700000002", "")
	for _, bc := range []string{"A", "B", "C", "D"} {
		if _, err := e.c.Checkout(ctx, "700000001", bc, "ozu"); err != nil {
			t.Fatalf("lend %s: %v", bc, err)
		}
	}
	h, err := e.c.PlaceHold(ctx, waiting, other.ID, "hijikawa", ContactPhone)
	if err != nil {
		t.Fatal(err)
	}
	for _, bc := range []string{"A", "B", "C", "D"} {
		if _, err := e.c.Checkin(ctx, bc, "nagahama"); err != nil {
			t.Fatalf("return %s: %v", bc, err)
		}
	}
	lists := func(branch string) (string, string) {
		t.Helper()
		out, in, err := e.c.Transit(ctx, branch)
		if err != nil {
			t.Fatal(err)
		}
		return transitLines(out), transitLines(in)
	}
	check := func(branch, wantOut, wantIn string) {
		t.Helper()
		out, in := lists(branch)
		if out != wantOut || in != wantIn {
			t.Errorf("%s sends %q and receives %q; want %q and %q", branch, out, in, wantOut, wantIn)
		}
	}
	check("nagahama", "A nagahama→ozu home 銀河鉄道の夜; B nagahama→ozu home 銀河鉄道の夜; C nagahama→hijikawa home 銀河鉄道の夜; D nagahama→hijikawa hold 風の又三郎", "")
	check("ozu", "", "A nagahama→ozu home 銀河鉄道の夜; B nagahama→ozu home 銀河鉄道の夜")
	check("hijikawa", "", "C nagahama→hijikawa home 銀河鉄道の夜; D nagahama→hijikawa hold 風の又三郎")

	// Ozu receives A: shelved, off both lists.
	if pl, err := e.c.ReceiveTransit(ctx, "A", "ozu"); err != nil || pl.Action != ActionShelve {
		t.Fatalf("receive A at ozu: %+v %v", pl, err)
	}
	// D reaches Ozu by mistake: it is sent on to Hijikawa from Ozu.
	if pl, err := e.c.ReceiveTransit(ctx, "D", "ozu"); err != nil || pl != (Placement{Action: ActionTransit, HoldID: h.ID, ToBranch: "hijikawa"}) {
		t.Fatalf("receive D at ozu: %+v %v", pl, err)
	}
	check("nagahama", "B nagahama→ozu home 銀河鉄道の夜; C nagahama→hijikawa home 銀河鉄道の夜", "")
	check("ozu", "D ozu→hijikawa hold 風の又三郎", "B nagahama→ozu home 銀河鉄道の夜")
	if pl, err := e.c.ReceiveTransit(ctx, "D", "hijikawa"); err != nil || pl.Action != ActionHoldShelf || pl.HoldID != h.ID {
		t.Fatalf("receive D at hijikawa: %+v %v", pl, err)
	}
	check("hijikawa", "", "C nagahama→hijikawa home 銀河鉄道の夜")

	// A patron cancels the ready hold: the copy stays on Hijikawa's hold
	// shelf, listed to take off, and goes home when scanned.
	if err := e.c.CancelHold(ctx, waiting, h.ID); err != nil {
		t.Fatal(err)
	}
	l, err := e.c.LapsedCopies(ctx, "hijikawa")
	if err != nil || len(l) != 1 || l[0].Barcode != "D" || l[0].Next != (Placement{Action: ActionTransit, ToBranch: "ozu"}) {
		t.Fatalf("hijikawa's lapsed copies: %+v %v", l, err)
	}
	if pl, err := e.c.Checkin(ctx, "D", "hijikawa"); err != nil || pl != (Placement{Action: ActionTransit, ToBranch: "ozu"}) {
		t.Fatalf("scan D at hijikawa: %+v %v", pl, err)
	}
	check("hijikawa", "D hijikawa→ozu home 風の又三郎", "C nagahama→hijikawa home 銀河鉄道の夜")
}
