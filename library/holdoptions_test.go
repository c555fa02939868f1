package library

import (
	"context"
	"errors"
	"testing"
	"time"

	"hondana/store"
)

func TestCheckNotAfter(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 27, 0, 0, 0, 0, tokyo)
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"2026-11-27", "2026-11-27", true},
		{"２０２６／１２／０１", "2026-12-01", true},
		{" 2027-11-27 ", "2027-11-27", true},
		{"2026-11-26", "", false},
		{"2027-11-29", "", false},
		{"12月1日", "", false},
		{"2026-02-30", "", false},
	}
	for _, tt := range tests {
		got, r := CheckNotAfter(tt.in, today)
		if got != tt.want || (r == nil) != tt.ok {
			t.Errorf("CheckNotAfter(%q) = %q, %v; want %q, ok %v", tt.in, got, r, tt.want, tt.ok)
		}
		if r != nil && (r.Code != InvalidNotAfter || r.Field != "not_after") {
			t.Errorf("CheckNotAfter(%q) refused with %+v", tt.in, r)
		}
	}
}

// TestVolumeParts: the parts of a work, with 巻 or 編 or without, come
// in reading order and count as numbered (巻数順予約 offers them); a
// volume with no number or part does not.
func TestVolumeParts(t *testing.T) {
	t.Parallel()
	recs := []*store.Record{{ID: 1, Volume: "下巻"}, {ID: 2, Volume: ""}, {ID: 3, Volume: "上巻"}, {ID: 4, Volume: "中巻"},
		{ID: 5, Volume: "後編"}, {ID: 6, Volume: "前編"}}
	SortVolumes(recs)
	var got []int64
	for _, r := range recs {
		got = append(got, r.ID)
	}
	if want := []int64{3, 6, 4, 1, 5, 2}; !equalIDs(got, want) {
		t.Errorf("reading order %v; want %v (上巻 前編, 中巻, 下巻 後編, none last)", got, want)
	}
	for v, want := range map[string]bool{"上巻": true, "後編": true, "中": true, "第十二巻": true, "vol. 3": true, "2019春夏": true, "": false, "別冊": false} {
		if got := VolumeNumbered(v); got != want {
			t.Errorf("VolumeNumbered(%q) = %v; want %v", v, got, want)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// lendAndReturn lends a copy to a patron at ozu and takes it back,
// returning where it went.
func (e *circEnv) lendAndReturn(t *testing.T, card, barcode string) Placement {
	t.Helper()
	ctx := context.Background()
	if _, err := e.c.Checkout(ctx, card, barcode, "ozu"); err != nil {
		t.Fatalf("checkout %s to %s: %v", barcode, card, err)
	}
	pl, err := e.c.Checkin(ctx, barcode, "ozu")
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// TestSeriesOrderHolds (巻数順予約): the later volume waits, passed by,
// until the earlier one is lent to the patron; then it takes the next
// copy back. The group is cancelled as one.
func TestSeriesOrderHolds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo)
	e := newCircEnv(t, now)
	v1 := store.Record{Source: "t:v1", Title: "峠", Volume: "上"}
	v2 := store.Record{Source: "t:v2", Title: "峠", Volume: "下"}
	saveRecord(t, e.db, now, &v1)
	saveRecord(t, e.db, now, &v2)
	e.addCopy(t, v1.ID, "V1", "ozu", 30)
	e.addCopy(t, v2.ID, "V2", "ozu", 30)
	reader := e.patron(t, "700000001", "")
	other := e.patron(t, "700000002", "")
	e.patron(t, "700000003", "")

	// Given the volumes in the wrong order, the holds are in reading order.
	res, err := e.c.PlaceSeries(ctx, reader, []int64{v2.ID, v1.ID}, HoldOptions{Pickup: "ozu", Contact: ContactPhone})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Record.ID != v1.ID || res[1].Record.ID != v2.ID || res[0].Hold == nil || res[1].Hold == nil {
		t.Fatalf("series results %+v", res)
	}
	group := res[0].Hold.SeriesGroup
	if group == 0 || res[1].Hold.SeriesGroup != group || res[0].Hold.SeriesSeq != 1 || res[1].Hold.SeriesSeq != 2 {
		t.Fatalf("group %d: holds %+v, %+v", group, res[0].Hold, res[1].Hold)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.c.PlaceHold(ctx, other, v2.ID, "ozu", ContactPhone); err != nil {
		t.Fatal(err)
	}
	// Volume 2 comes back first: it passes the reader by, who has not had
	// volume 1, to the next in line.
	if pl := e.lendAndReturn(t, "700000003", "V2"); pl.Action != ActionHoldShelf || pl.HoldID == res[1].Hold.ID {
		t.Errorf("volume 2 back before volume 1 was lent: %+v; want the other patron's hold", pl)
	}
	hs, _ := e.c.Holds(ctx, reader)
	if len(hs) != 2 || !hs[1].Behind || hs[1].Position != 1 || hs[0].Behind {
		t.Errorf("reader's holds %+v; want volume 2 behind volume 1, still first in its queue", hs)
	}
	// Volume 1 comes back: ready for the reader, who borrows it.
	if pl := e.lendAndReturn(t, "700000003", "V1"); pl.HoldID != res[0].Hold.ID {
		t.Fatalf("volume 1 back: %+v; want the reader's hold %d", pl, res[0].Hold.ID)
	}
	if _, err := e.c.Checkout(ctx, "700000001", "V1", "ozu"); err != nil {
		t.Fatal(err)
	}
	// Now volume 2 is the reader's next: the other patron's copy goes
	// out and back, and comes to the reader.
	if _, err := e.c.Checkout(ctx, "700000002", "V2", "ozu"); err != nil {
		t.Fatal(err)
	}
	if pl, err := e.c.Checkin(ctx, "V2", "ozu"); err != nil || pl.HoldID != res[1].Hold.ID {
		t.Errorf("volume 2 back after volume 1 was lent: %+v %v; want the reader's hold %d", pl, err, res[1].Hold.ID)
	}

	// A second group, cancelled as one; another patron's group is not
	// theirs to cancel.
	v3 := store.Record{Source: "t:v3", Title: "峠", Volume: "中"}
	saveRecord(t, e.db, now, &v3)
	res2, err := e.c.PlaceSeries(ctx, other, []int64{v1.ID, v3.ID}, HoldOptions{Pickup: "ozu", Contact: ContactPhone})
	if err != nil || len(res2) != 2 || res2[0].Hold == nil || res2[1].Hold == nil {
		t.Fatalf("second group: %+v %v", res2, err)
	}
	if _, err := e.c.CancelSeries(ctx, reader, res2[0].Hold.SeriesGroup); !isRefusal(err, HoldNotFound) {
		t.Errorf("cancel another patron's group: %v; want hold_not_found", err)
	}
	if n, err := e.c.CancelSeries(ctx, other, res2[0].Hold.SeriesGroup); err != nil || n != 2 {
		t.Errorf("cancel the group: %d %v; want 2 holds", n, err)
	}
	// A refusal of the whole request places nothing.
	if _, err := e.c.PlaceSeries(ctx, other, []int64{v3.ID}, HoldOptions{Pickup: "nowhere", Contact: ContactPhone}); !isRefusal(err, UnknownBranch) {
		t.Errorf("unknown pickup: %v", err)
	}
	if _, err := e.c.PlaceSeries(ctx, other, nil, HoldOptions{Pickup: "ozu", Contact: ContactPhone}); !isRefusal(err, NoVolumes) {
		t.Errorf("no volumes: %v", err)
	}
	if hs, _ := e.c.Holds(ctx, other); len(hs) != 0 {
		t.Errorf("other's holds after the refusals: %+v", hs)
	}
}

func isRefusal(err error, code string) bool {
	var r *Refusal
	return errors.As(err, &r) && r.Code == code
}

// TestSuspendedHold (休止): a suspended hold keeps its place; the copy
// goes to the next in line; resumed, it takes the next copy back.
func TestSuspendedHold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "S1", "ozu", 30)
	first := e.patron(t, "710000001", "")
	second := e.patron(t, "710000002", "")
	e.patron(t, "710000003", "")
	h1, err := e.c.PlaceHoldWith(ctx, first, e.rec, HoldOptions{Pickup: "ozu", Contact: ContactPhone, Suspended: true})
	if err != nil || !h1.Suspended {
		t.Fatalf("suspended hold: %+v %v", h1, err)
	}
	e.clock.Advance(time.Minute)
	h2, err := e.c.PlaceHold(ctx, second, e.rec, "ozu", ContactPhone)
	if err != nil {
		t.Fatal(err)
	}
	if pl := e.lendAndReturn(t, "710000003", "S1"); pl.HoldID != h2.ID {
		t.Errorf("copy back while the first is suspended: %+v; want hold %d", pl, h2.ID)
	}
	if hs, _ := e.c.Holds(ctx, first); len(hs) != 1 || hs[0].Position != 1 || !hs[0].Suspended {
		t.Errorf("suspended hold %+v; want it first in line still", hs)
	}
	resume := false
	if _, err := e.c.ChangeHoldWith(ctx, first, h1.ID, HoldChange{Suspended: &resume}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Checkout(ctx, "710000002", "S1", "ozu"); err != nil {
		t.Fatal(err)
	}
	if pl, err := e.c.Checkin(ctx, "S1", "ozu"); err != nil || pl.HoldID != h1.ID {
		t.Errorf("copy back after resuming: %+v %v; want hold %d", pl, err, h1.ID)
	}
	// A ready hold cannot be suspended.
	suspend := true
	if _, err := e.c.ChangeHoldWith(ctx, first, h1.ID, HoldChange{Suspended: &suspend}); !isRefusal(err, HoldNotChangeable) {
		t.Errorf("suspend a ready hold: %v", err)
	}
}

// TestHoldEndDate (この日以降は不要): past its end date a waiting hold is
// passed by at once and lapses at the next tick, with no message.
func TestHoldEndDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "E1", "ozu", 30)
	first := e.patron(t, "720000001", "first@example.jp")
	second := e.patron(t, "720000002", "")
	e.patron(t, "720000003", "")
	if _, err := e.c.PlaceHoldWith(ctx, first, e.rec, HoldOptions{Pickup: "ozu", Contact: ContactEmail, NotAfter: "2026-11-26"}); !isRefusal(err, InvalidNotAfter) {
		t.Errorf("an end date in the past: %v", err)
	}
	if _, err := e.c.PlaceHoldWith(ctx, first, e.rec, HoldOptions{Pickup: "ozu", Contact: ContactEmail, NotAfter: "2026-11-29"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	h2, err := e.c.PlaceHold(ctx, second, e.rec, "ozu", ContactPhone)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Checkout(ctx, "720000003", "E1", "ozu"); err != nil {
		t.Fatal(err)
	}
	// On the end date itself the hold still counts.
	e.clock.Set(time.Date(2026, 11, 29, 10, 0, 0, 0, tokyo))
	if n, err := e.c.LapseEnded(ctx); err != nil || n != 0 {
		t.Errorf("on the end date: %d lapsed, %v", n, err)
	}
	// The day after, the copy back passes it by, even before the tick.
	e.clock.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, tokyo))
	if pl, err := e.c.Checkin(ctx, "E1", "ozu"); err != nil || pl.HoldID != h2.ID {
		t.Errorf("copy back after the end date: %+v %v; want hold %d", pl, err, h2.ID)
	}
	if err := e.c.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if hs, _ := e.c.Holds(ctx, first); len(hs) != 0 {
		t.Errorf("holds past their end date: %+v", hs)
	}
	var mails int
	if err := e.db.Reader().QueryRow(`SELECT count(*) FROM outbox WHERE patron_id = ?`, first).Scan(&mails); err != nil || mails != 0 {
		t.Errorf("messages to the patron whose hold lapsed quietly: %d %v", mails, err)
	}
	// The end date can be changed and removed.
	h, err := e.c.PlaceHoldWith(ctx, first, e.rec, HoldOptions{Pickup: "ozu", Contact: ContactPhone, NotAfter: "2026-12-10"})
	if err != nil {
		t.Fatal(err)
	}
	none := ""
	if h, err = e.c.ChangeHoldWith(ctx, first, h.ID, HoldChange{NotAfter: &none}); err != nil || h.NotAfter != "" {
		t.Errorf("end date removed: %+v %v", h, err)
	}
}
