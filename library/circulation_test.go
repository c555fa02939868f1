package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"hondana/store"
)

var tokyo, _ = time.LoadLocation("Asia/Tokyo")

type circEnv struct {
	db    *store.DB
	clock *TestClock
	cal   *Calendar
	c     *Circulation
	rec   int64 // a record with copies
}

func testCalendarRules() CalendarRules {
	h := Hours{Opens: "09:00", Closes: "18:00"}
	return CalendarRules{ClosedOnHolidays: true, MonthEndCleaning: true, NewYearFrom: "12-29", NewYearTo: "01-03",
		Branches: map[string]BranchCalendar{
			"ozu":      {ClosedWeekdays: []time.Weekday{time.Monday}, Weekday: h, Weekend: h},
			"nagahama": {ClosedWeekdays: []time.Weekday{time.Monday, time.Tuesday}, Weekday: h, Weekend: h},
		}}
}

func newCircEnv(t testing.TB, now time.Time) *circEnv {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &TestClock{}
	clock.Set(now)
	cal := NewCalendar(db, testCalendarRules(), tokyo)
	e := &circEnv{db: db, clock: clock, cal: cal, c: NewCirculation(db, cal, clock, CirculationOptions{})}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for _, b := range []string{"ozu", "nagahama"} {
			if err := store.SaveBranch(ctx, tx, store.Branch{Code: b, Name: b}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := store.Record{Source: "t:1", Title: "銀河鉄道の夜"}
	saveRecord(t, db, now, &r)
	e.rec = r.ID
	return e
}

// addCopy adds a copy of rec at branch, shelved days ago.
func (e *circEnv) addCopy(t testing.TB, rec int64, barcode, branch string, daysAgo int) {
	t.Helper()
	day := e.clock.Now().In(tokyo).AddDate(0, 0, -daysAgo).Format(DateLayout)
	withRecordWriter(t, e.db, time.Now(), func(ctx context.Context, w *store.RecordWriter) error {
		return w.AddCopy(ctx, &store.Copy{RecordID: rec, Barcode: barcode, Branch: branch, ShelvedOn: day, AcquiredOn: day})
	})
}

func (e *circEnv) patron(t testing.TB, card, email string) int64 {
	t.Helper()
	ctx := context.Background()
	p := store.Patron{Card: card, Name: "利用者" + card, BirthDate: "1990-01-01", Email: email}
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error { return store.AddPatron(ctx, tx, &p, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, tokyo) }

func want(t *testing.T, err error, code string) {
	t.Helper()
	if got := codeOf(err); got != code {
		t.Fatalf("got %q (%v), want %q", got, err, code)
	}
}

func codeOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	if err != nil {
		return "error"
	}
	return ""
}

// TestDueDatesAndDeadlines: the pure date rules with closed-day chains.
func TestDueDatesAndDeadlines(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 12, 15, 10, 0, 0, 0, tokyo))
	tests := []struct {
		name   string
		fn     func() (time.Time, error)
		expect time.Time
	}{
		// 12-15 + 14 = 12-29: New Year closure to 01-03 (Sun), then 01-04 is a Monday (ozu closed).
		{"due date across the New Year closure", func() (time.Time, error) { return e.c.DueDate(ctx, "ozu", day(2026, 12, 15)) }, day(2027, 1, 5)},
		// nagahama is closed Mondays and Tuesdays too.
		{"a longer chain at another branch", func() (time.Time, error) { return e.c.DueDate(ctx, "nagahama", day(2026, 12, 15)) }, day(2027, 1, 6)},
		// 11-10 + 14 = 11-24 (Tue, open).
		{"an open day stays", func() (time.Time, error) { return e.c.DueDate(ctx, "ozu", day(2026, 11, 10)) }, day(2026, 11, 24)},
		// 11-09 + 14 = 11-23, 勤労感謝の日 (a Monday too): next is 11-24.
		{"a holiday", func() (time.Time, error) { return e.c.DueDate(ctx, "ozu", day(2026, 11, 9)) }, day(2026, 11, 24)},
		// Contacted 11-23 → 7 days = 11-30, month-end cleaning (Mon anyway) → 12-01.
		{"pickup deadline on a closed day", func() (time.Time, error) {
			return e.c.PickupDeadline(ctx, "ozu", time.Date(2026, 11, 23, 15, 0, 0, 0, tokyo))
		}, day(2026, 12, 1)},
		// Renewing early never shortens the loan: old due 12-20 (Sun) > today 12-01 + 14 = 12-15.
		{"renew early keeps the later due date", func() (time.Time, error) { return e.c.RenewedDue(ctx, "ozu", day(2026, 12, 20), day(2026, 12, 1)) }, day(2026, 12, 20)},
		// Renewing late: today 12-10 + 14 = 12-24 (Thu).
		{"renew late counts from today", func() (time.Time, error) { return e.c.RenewedDue(ctx, "ozu", day(2026, 12, 11), day(2026, 12, 10)) }, day(2026, 12, 24)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn()
			if err != nil || !got.Equal(tt.expect) {
				t.Errorf("got %s %v, want %s", got.Format(DateLayout), err, tt.expect.Format(DateLayout))
			}
		})
	}
	// Overdue by one day; renewed once; reserved.
	due := day(2026, 12, 1)
	if n := RenewalNotes(due, day(2026, 12, 1), 0, false); len(n) != 0 {
		t.Errorf("on the due date: %v", n)
	}
	if n := RenewalNotes(due, day(2026, 12, 2), 0, false); len(n) != 1 || n[0] != Overdue {
		t.Errorf("a day late: %v", n)
	}
	if n := RenewalNotes(due, day(2026, 12, 2), 1, true); len(n) != 3 || n[0] != ReservedByOthers || n[2] != AlreadyRenewed {
		t.Errorf("all three: %v", n)
	}
}

// TestHoldLifecycle: place, refuse, check in, ready, lapse to the next
// in line, fulfil at checkout; and nothing ties a patron to a returned title.
func TestHoldLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo)) // a Friday
	e.addCopy(t, e.rec, "C1", "ozu", 30)
	alice := e.patron(t, "100000001", "alice@example.jp")
	bob := e.patron(t, "100000002", "")
	carol := e.patron(t, "100000003", "")

	// Alice borrows the only copy; she cannot reserve what she has.
	loan, err := e.c.Checkout(ctx, "100000001", "C1", "ozu")
	if err != nil || loan.DueDate != "2026-12-11" {
		t.Fatalf("checkout: %+v %v", loan, err)
	}
	_, err = e.c.PlaceHold(ctx, alice, e.rec, "ozu", ContactEmail)
	want(t, err, AlreadyOnLoan)
	_, err = e.c.Checkout(ctx, "100000002", "C1", "ozu")
	want(t, err, ItemOnLoan)

	// Bob and Carol queue; Bob cannot use e-mail without an address.
	_, err = e.c.PlaceHold(ctx, bob, e.rec, "nagahama", ContactEmail)
	want(t, err, EmailNotRegistered)
	_, err = e.c.PlaceHold(ctx, bob, e.rec, "tokyo", ContactPhone)
	want(t, err, UnknownBranch)
	_, err = e.c.PlaceHold(ctx, bob, e.rec, "ozu", "pigeon")
	want(t, err, InvalidContact)
	_, err = e.c.PlaceHold(ctx, bob, 999, "ozu", ContactPhone)
	want(t, err, RecordNotFound)
	hb, err := e.c.PlaceHold(ctx, bob, e.rec, "nagahama", ContactPhone)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.PlaceHold(ctx, bob, e.rec, "ozu", ContactPhone)
	want(t, err, AlreadyReserved)
	e.clock.Advance(time.Minute)
	hc, err := e.c.PlaceHold(ctx, carol, e.rec, "ozu", ContactMobile)
	if err != nil {
		t.Fatal(err)
	}
	holds, _ := e.c.Holds(ctx, carol)
	if len(holds) != 1 || holds[0].Position != 2 {
		t.Fatalf("carol's position: %+v", holds)
	}
	// Alice cannot renew: others wait and no copy is on the shelf.
	_, err = e.c.Renew(ctx, alice, loan.ID)
	want(t, err, ReservedByOthers)
	_, err = e.c.Renew(ctx, bob, loan.ID)
	want(t, err, LoanNotFound)
	// Bob changes his contact while waiting.
	if _, err := e.c.ChangeHold(ctx, bob, hb.ID, "", ContactMobile); err != nil {
		t.Fatal(err)
	}

	// Returned at ozu: Bob picks up at nagahama, so it travels.
	pl, err := e.c.Checkin(ctx, "C1", "ozu")
	if err != nil || pl.Action != ActionTransit || pl.HoldID != hb.ID || pl.ToBranch != "nagahama" {
		t.Fatalf("checkin: %+v %v", pl, err)
	}
	// R40: nothing ties Alice to the title any more.
	var n int
	e.db.Reader().QueryRow(`SELECT count(*) FROM loans WHERE patron_id = ?`, alice).Scan(&n)
	if n != 0 {
		t.Error("the returned loan still names Alice")
	}
	_, err = e.c.ChangeHold(ctx, bob, hb.ID, "ozu", "")
	want(t, err, HoldNotChangeable)
	_, err = e.c.Checkout(ctx, "100000003", "C1", "nagahama")
	want(t, err, HeldForAnother)
	pl, err = e.c.ReceiveTransit(ctx, "C1", "nagahama")
	if err != nil || pl.Action != ActionHoldShelf || pl.HoldID != hb.ID {
		t.Fatalf("receive: %+v %v", pl, err)
	}
	// Phone contact: no deadline until staff reach Bob.
	calls, _ := e.db.CallList(ctx)
	if len(calls) != 1 || calls[0].ID != hb.ID {
		t.Fatalf("call list: %+v", calls)
	}
	_, err = e.c.Contacted(ctx, hc.ID, 0, "reached")
	want(t, err, HoldNotReady)
	h, err := e.c.Contacted(ctx, hb.ID, 0, "reached")
	// Reached Fri 11-27 → 12-04 (Fri): open.
	if err != nil || h.PickupDeadline != "2026-12-04" {
		t.Fatalf("contacted: %+v %v", h, err)
	}
	if _, err := e.c.ExpireHolds(ctx); err != nil {
		t.Fatal(err)
	}
	// Bob never comes: after 12-04 his hold lapses. The copy stays on
	// Nagahama's hold shelf, listed for staff with where it goes next,
	// and Carol's hold waits for the scan that sends it (R55).
	e.clock.Set(time.Date(2026, 12, 5, 9, 0, 0, 0, tokyo))
	if n, err := e.c.ExpireHolds(ctx); err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	if n, _ := e.c.ExpireHolds(ctx); n != 0 {
		t.Error("expiry is not idempotent")
	}
	holds, _ = e.c.Holds(ctx, bob)
	if len(holds) != 0 {
		t.Errorf("bob's lapsed hold remains: %+v", holds)
	}
	lapsed, err := e.c.LapsedCopies(ctx, "nagahama")
	if err != nil || len(lapsed) != 1 || lapsed[0].Barcode != "C1" || lapsed[0].Title != "銀河鉄道の夜" ||
		lapsed[0].Next != (Placement{Action: ActionTransit, HoldID: hc.ID, ToBranch: "ozu"}) {
		t.Fatalf("nagahama's lapsed copies: %+v %v", lapsed, err)
	}
	if l, _ := e.c.LapsedCopies(ctx, "ozu"); len(l) != 0 {
		t.Errorf("ozu lists a copy lying at nagahama: %+v", l)
	}
	_, err = e.c.Checkout(ctx, "100000003", "C1", "nagahama")
	want(t, err, LapsedHoldCopy)
	holds, _ = e.c.Holds(ctx, carol)
	if len(holds) != 1 || holds[0].Status != store.HoldWaiting {
		t.Fatalf("carol before the scan: %+v", holds)
	}
	if pl, err := e.c.Checkin(ctx, "C1", "nagahama"); err != nil || pl != (Placement{Action: ActionTransit, HoldID: hc.ID, ToBranch: "ozu"}) {
		t.Fatalf("scanning the lapsed copy: %+v %v", pl, err)
	}
	if l, _ := e.c.LapsedCopies(ctx, "nagahama"); len(l) != 0 {
		t.Errorf("the scanned copy is still listed: %+v", l)
	}
	holds, _ = e.c.Holds(ctx, carol)
	if len(holds) != 1 || holds[0].Status != store.HoldInTransit {
		t.Fatalf("carol after the lapse: %+v", holds)
	}
	if pl, err := e.c.ReceiveTransit(ctx, "C1", "ozu"); err != nil || pl.Action != ActionHoldShelf {
		t.Fatalf("receive for carol: %+v %v", pl, err)
	}
	// Carol borrows it: her hold is fulfilled and gone.
	if _, err := e.c.Checkout(ctx, "100000003", "C1", "ozu"); err != nil {
		t.Fatal(err)
	}
	holds, _ = e.c.Holds(ctx, carol)
	if len(holds) != 0 {
		t.Errorf("fulfilled hold remains: %+v", holds)
	}
	// Returned with nobody waiting: back on the shelf.
	if pl, err := e.c.Checkin(ctx, "C1", "ozu"); err != nil || pl.Action != ActionShelve {
		t.Fatalf("final checkin: %+v %v", pl, err)
	}
	e.db.Reader().QueryRow(`SELECT count(*) FROM holds`).Scan(&n)
	if n != 0 {
		t.Errorf("%d holds left", n)
	}
}

// TestRenewal: once only, not overdue, reserved only when no shelf copy
// can serve the hold.
func TestRenewal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "R1", "ozu", 30)
	e.addCopy(t, e.rec, "R2", "ozu", 30)
	a := e.patron(t, "100000011", "")
	b := e.patron(t, "100000012", "")
	loan, err := e.c.Checkout(ctx, "100000011", "R1", "ozu")
	if err != nil {
		t.Fatal(err)
	}
	// Bob reserves, but R2 is on the shelf: Alice may still renew.
	if _, err := e.c.PlaceHold(ctx, b, e.rec, "ozu", ContactPhone); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, tokyo))
	due, err := e.c.Renew(ctx, a, loan.ID)
	if err != nil || due.Format(DateLayout) != "2026-12-15" {
		t.Fatalf("renew: %v %v", due, err)
	}
	_, err = e.c.Renew(ctx, a, loan.ID)
	want(t, err, AlreadyRenewed)
	loans, _ := e.c.Loans(ctx, a)
	if len(loans) != 1 || loans[0].Renewable || loans[0].Notes[0] != AlreadyRenewed {
		t.Errorf("loans list: %+v", loans)
	}
	// Overdue by one day.
	l2, err := e.c.Checkout(ctx, "100000011", "R2", "ozu") // fulfils nothing: Alice has no hold
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 12, 16, 10, 0, 0, 0, tokyo))
	_, err = e.c.Renew(ctx, a, l2.ID)
	want(t, err, ReservedByOthers) // Bob waits and no copy is on the shelf now
	if _, err := e.c.Checkin(ctx, "R1", "ozu"); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Renew(ctx, a, l2.ID)
	// R1 went to Bob's hold shelf; his hold is served, none wait: only overdue remains.
	want(t, err, Overdue)
}

// TestLimitsAndPickList: loan and hold limits; the pick list leaves out
// copies on their first day on the shelf.
func TestLimitsAndPickList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	p := e.patron(t, "100000021", "")
	e.patron(t, "100000022", "")
	var recs []int64
	for i := 0; i < 12; i++ {
		r := store.Record{Source: fmt.Sprintf("lim:%d", i), Title: fmt.Sprintf("本%d", i)}
		saveRecord(t, e.db, time.Now(), &r)
		id := r.ID
		recs = append(recs, id)
		days := 10
		if i == 1 {
			days = 0 // shelved today: a new arrival
		}
		e.addCopy(t, id, fmt.Sprintf("L%02d", i), "ozu", days)
	}
	for i := 0; i < 10; i++ {
		if _, err := e.c.PlaceHold(ctx, p, recs[i], "ozu", ContactPhone); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.c.PlaceHold(ctx, p, recs[10], "ozu", ContactPhone)
	want(t, err, HoldLimitReached)
	picks, err := e.c.PickList(ctx, "ozu")
	if err != nil || len(picks) != 9 {
		t.Fatalf("pick list: %d %v", len(picks), err)
	}
	for _, pk := range picks {
		if pk.Barcode == "L01" {
			t.Error("a copy on its first day is on the pick list")
		}
	}
	if picks, _ := e.c.PickList(ctx, "nagahama"); len(picks) != 0 {
		t.Errorf("nagahama has no copies: %d", len(picks))
	}
	// Walk-in priority: another patron may borrow a reserved title on the shelf.
	for i := 0; i < 10; i++ {
		if _, err := e.c.Checkout(ctx, "100000022", fmt.Sprintf("L%02d", i), "ozu"); err != nil {
			t.Fatalf("walk-in checkout %d: %v", i, err)
		}
	}
	_, err = e.c.Checkout(ctx, "100000022", "L10", "ozu")
	want(t, err, LoanLimitReached)
	_, err = e.c.Checkout(ctx, "999999999", "L10", "ozu")
	want(t, err, PatronNotFound)
	_, err = e.c.Checkout(ctx, "100000021", "NOPE", "ozu")
	want(t, err, ItemNotFound)
}

// TestConcurrentHoldsAndCheckin: 100 patrons reserve a one-copy title while
// its copy comes back, one patron double-submits 20 times: exactly one
// allocation, nobody with two holds, the queue in placement order, and no
// database error surfaces. Run with -race.
func TestConcurrentHoldsAndCheckin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "ONE", "ozu", 30)
	e.patron(t, "200000000", "")
	if _, err := e.c.Checkout(ctx, "200000000", "ONE", "ozu"); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 0; i < 100; i++ {
		ids = append(ids, e.patron(t, fmt.Sprintf("3%08d", i), ""))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for _, id := range ids {
		wg.Add(1)
		go func(id int64) {
			defer wg.Done()
			if _, err := e.c.PlaceHold(ctx, id, e.rec, "ozu", ContactPhone); err != nil {
				errs <- err
			}
		}(id)
	}
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.c.PlaceHold(ctx, ids[0], e.rec, "ozu", ContactPhone)
			if err != nil && codeOf(err) != AlreadyReserved {
				errs <- err
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := e.c.Checkin(ctx, "ONE", "ozu"); err != nil {
			errs <- err
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if codeOf(err) != AlreadyReserved {
			t.Errorf("error: %v", err)
		}
	}
	var holds, allocated, doubles int
	db := e.db.Reader()
	db.QueryRow(`SELECT count(*) FROM holds`).Scan(&holds)
	db.QueryRow(`SELECT count(*) FROM holds WHERE copy_id IS NOT NULL`).Scan(&allocated)
	db.QueryRow(`SELECT count(*) FROM (SELECT patron_id FROM holds GROUP BY patron_id, record_id HAVING count(*) > 1)`).Scan(&doubles)
	if holds > 100 || allocated > 1 || doubles != 0 {
		t.Errorf("%d holds, %d allocated, %d doubles", holds, allocated, doubles)
	}
	// If the copy came back after some holds, it went to the first placed.
	if allocated == 1 {
		var first, got int64
		db.QueryRow(`SELECT id FROM holds ORDER BY placed_at, id LIMIT 1`).Scan(&first)
		db.QueryRow(`SELECT id FROM holds WHERE copy_id IS NOT NULL`).Scan(&got)
		if first != got {
			t.Errorf("copy went to hold %d, first in line is %d", got, first)
		}
	}
	// Positions are 1..n without gaps, in placement order.
	rows, _ := db.Query(`SELECT patron_id FROM holds WHERE copy_id IS NULL ORDER BY placed_at, id`)
	pos := 0
	for rows.Next() {
		var pid int64
		rows.Scan(&pid)
		pos++
		hs, _ := e.c.Holds(ctx, pid)
		if len(hs) != 1 || hs[0].Position != pos {
			t.Fatalf("patron %d: position %+v, want %d", pid, hs, pos)
		}
	}
	rows.Close()
}

// TestConcurrentCheckout: one copy at two desks, exactly one loan.
func TestConcurrentCheckout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "DESK", "ozu", 30)
	e.patron(t, "400000001", "")
	e.patron(t, "400000002", "")
	var wg sync.WaitGroup
	results := make([]error, 20)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, results[i] = e.c.Checkout(ctx, fmt.Sprintf("40000000%d", 1+i%2), "DESK", []string{"ozu", "nagahama"}[i%2])
		}(i)
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		switch codeOf(err) {
		case "":
			ok++
		case ItemOnLoan:
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d checkouts succeeded, want 1", ok)
	}
}

// TestReturnForgetsThePatron (R40): after a return nothing ties the patron
// to the title; an anonymous count per record, branch and day remains,
// and one per record and loan length (for estimated waits). A patron who
// turned the reading history (読書通帳) on has the return in it, theirs
// alone; for everyone else no table with a patron in it names the title.
func TestReturnForgetsThePatron(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "P1", "ozu", 30)
	p := e.patron(t, "500000001", "p@example.jp")
	e.patron(t, "500000002", "")
	if _, err := e.c.PlaceHold(ctx, p, e.rec, "ozu", ContactEmail); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Checkin(ctx, "P1", "ozu"); err != nil { // pulled for the hold
		t.Fatal(err)
	}
	if _, err := e.c.Checkout(ctx, "500000001", "P1", "nagahama"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Checkin(ctx, "P1", "nagahama"); err != nil {
		t.Fatal(err)
	}
	db := e.db.Reader()
	for _, q := range []string{
		"SELECT count(*) FROM loans WHERE patron_id = ?",
		"SELECT count(*) FROM holds WHERE patron_id = ?",
		"SELECT count(*) FROM contact_attempts a JOIN holds h ON h.id = a.hold_id WHERE h.patron_id = ?",
	} {
		var n int
		if err := db.QueryRow(q, p).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d %v", q, n, err)
		}
	}
	var rec int64
	var branch, day string
	var count int
	if err := db.QueryRow("SELECT record_id, branch, day, count FROM loan_counts").Scan(&rec, &branch, &day, &count); err != nil ||
		rec != e.rec || branch != "nagahama" || day != "2026-11-27" || count != 1 {
		t.Errorf("anonymous count: %d %s %s %d %v", rec, branch, day, count, err)
	}
	var days int
	if err := db.QueryRow("SELECT record_id, days, count FROM loan_durations").Scan(&rec, &days, &count); err != nil ||
		rec != e.rec || days != 0 || count != 1 {
		t.Errorf("anonymous loan length: %d %d %d %v", rec, days, count, err)
	}

	// A second patron turns the reading history on; both borrow and
	// return the title again.
	reader := e.patron(t, "500000003", "")
	if err := e.c.SetReadingHistory(ctx, reader, true); err != nil {
		t.Fatal(err)
	}
	for _, card := range []string{"500000001", "500000003"} {
		if _, err := e.c.Checkout(ctx, card, "P1", "nagahama"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(3 * 24 * time.Hour)
		if _, err := e.c.Checkin(ctx, "P1", "nagahama"); err != nil {
			t.Fatal(err)
		}
	}
	if _, rs, err := e.c.ReadingHistory(ctx, reader); err != nil || len(rs) != 1 || rs[0].Title != "銀河鉄道の夜" || rs[0].LoanedOn != "2026-11-30" || rs[0].ReturnedOn != "2026-12-03" {
		t.Errorf("the reader's history: %+v %v", rs, err)
	}
	// Every table with a patron column: nothing ties the patron who did
	// not opt in to the title.
	tables, err := db.Query(`SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = 'patron_id'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	if len(names) < 5 {
		t.Fatalf("tables with a patron: %v", names)
	}
	for _, table := range names {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM `+table+` WHERE patron_id = ?`, p).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows of the patron who did not opt in (%v)", table, n, err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM reading_history WHERE patron_id <> ?`, reader).Scan(&n); err != nil || n != 0 {
		t.Errorf("reading history of others: %d %v", n, err)
	}
	// Turning it off forgets it.
	if err := e.c.SetReadingHistory(ctx, reader, false); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM reading_history`).Scan(&n); err != nil || n != 0 {
		t.Errorf("reading history after turning it off: %d %v", n, err)
	}
}

// TestSchedulerLapsesHolds: the scheduler, driven by the clock, lapses a
// hold past its deadline and hands the copy to the next in line, who goes
// on the call list; a hold never contacted never lapses.
func TestSchedulerLapsesHolds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "S1", "ozu", 30)
	first := e.patron(t, "600000001", "first@example.jp")
	second := e.patron(t, "600000002", "second@example.jp")
	h1, err := e.c.PlaceHold(ctx, first, e.rec, "ozu", ContactPhone)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.c.PlaceHold(ctx, second, e.rec, "ozu", ContactPhone); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Checkin(ctx, "S1", "ozu"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Contacted(ctx, h1.ID, 0, AttemptReached); err != nil {
		t.Fatal(err)
	}
	poke := make(chan struct{})
	done := make(chan struct{})
	go func() {
		e.c.Run(ctx, time.Hour, poke, func(err error) { t.Error(err) })
		close(done)
	}()
	// Deadline: 11-27 + 7 = 12-04 (Fri). On 12-05 the hold has lapsed.
	e.clock.Set(time.Date(2026, 12, 5, 0, 30, 0, 0, tokyo))
	poke <- struct{}{}
	poke <- struct{}{} // the first pass has finished when the second is taken
	hs, _ := e.c.Holds(ctx, first)
	if len(hs) != 0 {
		t.Errorf("first hold still there: %+v", hs)
	}
	// The copy waits on the hold shelf until staff scan it; the scan
	// makes the second hold ready.
	if l, _ := e.c.LapsedCopies(ctx, "ozu"); len(l) != 1 || l[0].Next.Action != ActionHoldShelf {
		t.Errorf("lapsed copies: %+v", l)
	}
	if _, err := e.c.Checkin(ctx, "S1", "ozu"); err != nil {
		t.Fatal(err)
	}
	hs, _ = e.c.Holds(ctx, second)
	if len(hs) != 1 || hs[0].Status != store.HoldReady || hs[0].PickupDeadline != "" {
		t.Errorf("second hold: %+v", hs)
	}
	// Uncontacted, it stays on the shelf however long it waits.
	e.clock.Set(time.Date(2027, 1, 20, 10, 0, 0, 0, tokyo))
	poke <- struct{}{}
	poke <- struct{}{}
	if hs, _ = e.c.Holds(ctx, second); len(hs) != 1 {
		t.Errorf("an uncontacted hold lapsed: %+v", hs)
	}
	calls, err := e.c.CallList(ctx)
	if err != nil || len(calls) != 1 || calls[0].PatronID != second {
		t.Errorf("call list: %+v %v", calls, err)
	}
	cancel()
	<-done
}

// TestTemporaryClosure: a 臨時休館 moves due dates and pickup deadlines
// inside it to the first open day after it, and only at that branch.
func TestTemporaryClosure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "Z1", "ozu", 30)
	e.addCopy(t, e.rec, "Z2", "nagahama", 30)
	e.patron(t, "700000001", "")
	e.patron(t, "700000002", "")
	l1, _ := e.c.Checkout(ctx, "700000001", "Z1", "ozu")      // due 12-11
	l2, _ := e.c.Checkout(ctx, "700000002", "Z2", "nagahama") // due 12-11 too
	// Close ozu 12-09..12-12 (Wed..Sat): 12-13 (Sun) is the first open day.
	cl, err := e.cal.CloseRange(ctx, 0, "ozu", day(2026, 12, 9), day(2026, 12, 12), "", e.clock.Now())
	if err != nil || cl.Days != 4 || cl.Loans != 1 || cl.ReopensOn.Format(DateLayout) != "2026-12-13" {
		t.Fatalf("closure: %+v %v", cl, err)
	}
	var d1, d2 string
	e.db.Reader().QueryRow(`SELECT due_date FROM loans WHERE id = ?`, l1.ID).Scan(&d1)
	e.db.Reader().QueryRow(`SELECT due_date FROM loans WHERE id = ?`, l2.ID).Scan(&d2)
	if d1 != "2026-12-13" || d2 != "2026-12-11" {
		t.Errorf("due dates %s (ozu, moved) and %s (nagahama, untouched)", d1, d2)
	}
	// New loans during the closure's reach skip it too.
	due, _ := e.c.DueDate(ctx, "ozu", day(2026, 11, 26)) // 12-10 falls in the closure
	if due.Format(DateLayout) != "2026-12-13" {
		t.Errorf("due date into the closure: %s", due.Format(DateLayout))
	}
	if _, err := e.cal.CloseRange(ctx, 0, "ozu", day(2026, 12, 12), day(2026, 12, 9), "", e.clock.Now()); codeOf(err) != "invalid_range" {
		t.Errorf("reversed range: %v", err)
	}
}
