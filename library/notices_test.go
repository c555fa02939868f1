package library

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"hondana/store"
)

// outbox lists the messages written so far, oldest first.
func (e *circEnv) outbox(t *testing.T) []store.Mail {
	t.Helper()
	ms, err := e.db.Outbox(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	return ms
}

func kinds(ms []store.Mail) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Kind+">"+m.To)
	}
	return strings.Join(out, " ")
}

// remindOn moves the clock to 10:00 of a day and runs the day's tick.
func (e *circEnv) remindOn(t *testing.T, d time.Time) {
	t.Helper()
	e.clock.Set(d.Add(10 * time.Hour))
	if err := e.c.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestHoldReadyWaitsForDelivery: an e-mail hold that becomes ready gets
// its message in the outbox in the same transaction, and no deadline
// until the message is accepted; acceptance starts the deadline it
// stated and counts as the contact.
func TestHoldReadyWaitsForDelivery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.c = NewCirculation(e.db, e.cal, e.clock, CirculationOptions{Letters: NewLetters(e.db, Letterhead{Library: "大洲市立図書館", BaseURL: "https://lib.example.jp"}, testCalendarRules())})
	e.addCopy(t, e.rec, "S1", "ozu", 30)
	p := e.patron(t, "600000001", "hanako@example.jp")
	h, err := e.c.PlaceHold(ctx, p, e.rec, "ozu", ContactEmail)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Checkin(ctx, "S1", "ozu"); err != nil {
		t.Fatal(err)
	}
	ms := e.outbox(t)
	if len(ms) != 1 || ms[0].Kind != store.MailHoldReady || ms[0].HoldID != h.ID || ms[0].Deadline != "2026-12-04" {
		t.Fatalf("outbox: %+v", ms)
	}
	for _, s := range []string{"利用者600000001 様", "銀河鉄道の夜", "2026年12月4日(金)", "https://lib.example.jp/account", "大洲市立図書館"} {
		if !strings.Contains(ms[0].Body, s) {
			t.Errorf("body lacks %q:\n%s", s, ms[0].Body)
		}
	}
	if ms[0].Subject != "【大洲市立図書館】ご予約の資料をご用意しました" {
		t.Errorf("subject %q", ms[0].Subject)
	}
	hs, _ := e.c.Holds(ctx, p)
	if hs[0].Status != store.HoldReady || hs[0].PickupDeadline != "" {
		t.Fatalf("deadline before delivery: %+v", hs[0])
	}
	if calls, _ := e.c.CallList(ctx); len(calls) != 0 {
		t.Errorf("an e-mail hold waiting for its message is on the call list: %+v", calls)
	}
	e.clock.Advance(time.Hour)
	if err := e.c.Delivered(ctx, ms[0].ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Delivered(ctx, ms[0].ID, e.clock.Now()); err != nil { // a second report changes nothing
		t.Fatal(err)
	}
	hs, _ = e.c.Holds(ctx, p)
	if hs[0].PickupDeadline != "2026-12-04" || hs[0].ContactedAt.IsZero() {
		t.Errorf("after delivery: %+v", hs[0])
	}
	shelf, _ := e.c.ReadyHolds(ctx, "ozu")
	if len(shelf) != 1 || len(shelf[0].Attempts) != 1 || shelf[0].Attempts[0].Result != AttemptSent {
		t.Errorf("attempts: %+v", shelf)
	}
	s, err := e.c.Summary(ctx)
	if err != nil || s.Sent != 1 || s.Failed != 0 || s.Pending != 0 {
		t.Errorf("summary %+v %v", s, err)
	}
}

// TestFailedMailGoesToCallList: a hold-ready message that fails for good
// puts the hold on the call list; three 不在 in a row flag it; staff may
// cancel it and the copy passes on.
func TestFailedMailGoesToCallList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "S1", "ozu", 30)
	p := e.patron(t, "600000001", "hanako@example.jp")
	q := e.patron(t, "600000002", "")
	h, _ := e.c.PlaceHold(ctx, p, e.rec, "ozu", ContactEmail)
	e.clock.Advance(time.Minute)
	if _, err := e.c.PlaceHold(ctx, q, e.rec, "ozu", ContactPhone); err != nil {
		t.Fatal(err)
	}
	e.c.Checkin(ctx, "S1", "ozu")
	ms := e.outbox(t)
	if err := e.c.Undeliverable(ctx, ms[0].ID, e.clock.Now(), "550 no such user"); err != nil {
		t.Fatal(err)
	}
	calls, err := e.c.CallList(ctx)
	if err != nil || len(calls) != 1 || calls[0].ID != h.ID || !calls[0].EmailFailed || calls[0].Flagged {
		t.Fatalf("call list: %+v %v", calls, err)
	}
	for i := 0; i < 3; i++ {
		if i == 2 {
			s, _ := e.c.Summary(ctx)
			if s.Failed != 1 || s.ToCall != 1 || s.Flagged != 0 {
				t.Errorf("summary before the third 不在: %+v", s)
			}
		}
		if _, err := e.c.Contacted(ctx, h.ID, 0, AttemptUnreachable); err != nil {
			t.Fatal(err)
		}
	}
	calls, _ = e.c.CallList(ctx)
	if len(calls) != 1 || !calls[0].Flagged || len(calls[0].Attempts) != 4 {
		t.Fatalf("not flagged after three 不在: %+v", calls)
	}
	if err := e.c.StaffCancelHold(ctx, 0, h.ID); err != nil {
		t.Fatal(err)
	}
	// Staff take the copy off the hold shelf and scan it: it passes on.
	if _, err := e.c.Checkin(ctx, "S1", "ozu"); err != nil {
		t.Fatal(err)
	}
	hs, _ := e.c.Holds(ctx, q)
	if len(hs) != 1 || hs[0].Status != store.HoldReady {
		t.Errorf("the copy did not pass on: %+v", hs)
	}
	calls, _ = e.c.CallList(ctx)
	if len(calls) != 1 || calls[0].PatronID != q || calls[0].Flagged {
		t.Errorf("call list after the cancel: %+v", calls)
	}
}

// TestNoAddressLeftGoesToCallList: a patron who removed their address
// after choosing e-mail is telephoned instead.
func TestNoAddressLeftGoesToCallList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "S1", "ozu", 30)
	p := e.patron(t, "600000001", "hanako@example.jp")
	e.c.PlaceHold(ctx, p, e.rec, "ozu", ContactEmail)
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error { return store.SetPatronEmail(ctx, tx, p, "") }); err != nil {
		t.Fatal(err)
	}
	e.c.Checkin(ctx, "S1", "ozu")
	if ms := e.outbox(t); len(ms) != 0 {
		t.Errorf("a message with no address: %+v", ms)
	}
	if calls, _ := e.c.CallList(ctx); len(calls) != 1 || !calls[0].EmailFailed {
		t.Errorf("call list: %+v", calls)
	}
}

// TestPickupReminderCountsOpenDays: the reminder goes out two open days
// before the deadline, skipping the branch's closed Monday, once.
func TestPickupReminderCountsOpenDays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 12, 1, 10, 0, 0, 0, tokyo)) // Tuesday
	e.addCopy(t, e.rec, "S1", "ozu", 30)
	p := e.patron(t, "600000001", "hanako@example.jp")
	e.c.PlaceHold(ctx, p, e.rec, "ozu", ContactEmail)
	e.c.Checkin(ctx, "S1", "ozu")
	ready := e.outbox(t)[0]
	if err := e.c.Delivered(ctx, ready.ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	// Deadline Tue 12-08; open days before it: Sun 12-06, Sat 12-05
	// (Mon 12-07 is closed), so the reminder is due on Saturday.
	if hs, _ := e.c.Holds(ctx, p); hs[0].PickupDeadline != "2026-12-08" {
		t.Fatalf("deadline %s", hs[0].PickupDeadline)
	}
	for _, d := range []time.Time{day(2026, 12, 2), day(2026, 12, 4)} {
		e.remindOn(t, d)
		if n := len(e.outbox(t)); n != 1 {
			t.Fatalf("%s: a reminder too early: %s", d.Format(DateLayout), kinds(e.outbox(t)))
		}
	}
	e.remindOn(t, day(2026, 12, 5))
	e.remindOn(t, day(2026, 12, 6))
	ms := e.outbox(t)
	if len(ms) != 2 || ms[1].Kind != store.MailPickupReminder || !strings.Contains(ms[1].Body, "2026年12月8日(火)") {
		t.Fatalf("reminder: %s", kinds(ms))
	}
	// The day after the deadline the hold lapses, with a notice.
	e.remindOn(t, day(2026, 12, 9))
	ms = e.outbox(t)
	if len(ms) != 1 || ms[0].Kind != store.MailHoldLapsed || !strings.Contains(ms[0].Body, "銀河鉄道の夜") {
		t.Errorf("after the lapse (the hold's own messages forgotten, the notice written): %s", kinds(ms))
	}
}

// TestDueAndOverdueNotices: one reminder per patron N days before the
// due date (none for a patron who opted out), an overdue notice the day
// after, then weekly, at most OverdueNotices times; a return forgets the
// loan notices sent.
func TestDueAndOverdueNotices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo)) // Friday
	second := store.Record{Source: "t:2", Title: "坊っちゃん"}
	saveRecord(t, e.db, e.clock.Now(), &second)
	e.addCopy(t, e.rec, "L1", "ozu", 30)
	e.addCopy(t, second.ID, "L2", "ozu", 30)
	e.addCopy(t, second.ID, "L3", "ozu", 30)
	e.patron(t, "600000001", "hanako@example.jp")
	quiet := e.patron(t, "600000002", "quiet@example.jp")
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error { return store.SetDueReminders(ctx, tx, quiet, false) }); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct{ card, barcode string }{{"600000001", "L1"}, {"600000001", "L2"}, {"600000002", "L3"}} {
		if _, err := e.c.Checkout(ctx, l.card, l.barcode, "ozu"); err != nil {
			t.Fatal(err)
		}
	}
	// Due 12-11 (Fri). Reminder two days before: 12-09.
	e.remindOn(t, day(2026, 12, 8))
	if ms := e.outbox(t); len(ms) != 0 {
		t.Fatalf("too early: %s", kinds(ms))
	}
	e.remindOn(t, day(2026, 12, 9))
	e.remindOn(t, day(2026, 12, 10))
	ms := e.outbox(t)
	if len(ms) != 1 || ms[0].Kind != store.MailDueReminder || ms[0].To != "hanako@example.jp" ||
		!strings.Contains(ms[0].Body, "銀河鉄道の夜（返却期限 2026年12月11日(金)）") || !strings.Contains(ms[0].Body, "坊っちゃん") {
		t.Fatalf("due reminders: %s\n%v", kinds(ms), ms)
	}
	e.db.Tx(ctx, func(tx *sql.Tx) error { _, err := store.MarkMailSent(ctx, tx, ms[0].ID, e.clock.Now()); return err })
	overdue := func() (n int) {
		for _, m := range e.outbox(t) {
			if m.Kind == store.MailOverdue && m.To == "hanako@example.jp" {
				n++
			}
		}
		return n
	}
	steps := []struct {
		d    time.Time
		want int
	}{
		{day(2026, 12, 11), 0}, {day(2026, 12, 12), 1}, {day(2026, 12, 13), 1}, {day(2026, 12, 18), 1},
		{day(2026, 12, 19), 2}, {day(2026, 12, 26), 3}, {day(2027, 1, 2), 3}, {day(2027, 1, 9), 3},
	}
	for _, s := range steps {
		e.remindOn(t, s.d)
		if got := overdue(); got != s.want {
			t.Fatalf("%s: %d overdue notices, want %d", s.d.Format(DateLayout), got, s.want)
		}
	}
	// The patron who opted out of reminders still hears that a loan is overdue.
	quietMail := 0
	for _, m := range e.outbox(t) {
		if m.To == "quiet@example.jp" {
			quietMail++
			if m.Kind != store.MailOverdue {
				t.Errorf("opted out, yet got %s", m.Kind)
			}
		}
	}
	if quietMail != 3 {
		t.Errorf("quiet patron: %d overdue notices", quietMail)
	}
	// A return forgets the loan notices already sent to that patron (R40).
	for _, m := range e.outbox(t) {
		e.db.Tx(ctx, func(tx *sql.Tx) error { _, err := store.MarkMailSent(ctx, tx, m.ID, e.clock.Now()); return err })
	}
	if _, err := e.c.Checkin(ctx, "L1", "ozu"); err != nil {
		t.Fatal(err)
	}
	for _, m := range e.outbox(t) {
		if m.To == "hanako@example.jp" {
			t.Errorf("kept after the return: %s %s", m.Kind, m.Subject)
		}
	}
}

// TestRenewalResetsDueReminder: a renewed loan gets a reminder before its
// new due date.
func TestRenewalResetsDueReminder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo))
	e.addCopy(t, e.rec, "L1", "ozu", 30)
	p := e.patron(t, "600000001", "hanako@example.jp")
	loan, err := e.c.Checkout(ctx, "600000001", "L1", "ozu")
	if err != nil {
		t.Fatal(err)
	}
	e.remindOn(t, day(2026, 12, 10))
	// Sent, as the sender does within seconds (an unsent one is dropped
	// by the renewal: TestReturnForgetsPendingNotices).
	for _, m := range e.outbox(t) {
		e.db.Tx(ctx, func(tx *sql.Tx) error { _, err := store.MarkMailSent(ctx, tx, m.ID, e.clock.Now()); return err })
	}
	if _, err := e.c.Renew(ctx, p, loan.ID); err != nil {
		t.Fatal(err)
	}
	e.remindOn(t, day(2026, 12, 22)) // new due date 12-24
	n := 0
	for _, m := range e.outbox(t) {
		if m.Kind == store.MailDueReminder {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d due reminders, want one per due date: %s", n, kinds(e.outbox(t)))
	}
}

// TestReturnForgetsPendingNotices: a loan notice written but not yet sent
// names only what the patron still has once they return a title, and goes
// when nothing is left: neither the outbox nor the message may tie the
// patron to a returned title (R40). The same for a renewed loan, whose
// due date moved out of the reminder's days.
func TestReturnForgetsPendingNotices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newCircEnv(t, time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo)) // Friday
	for i, title := range []string{"坊っちゃん", "こころ"} {
		r := store.Record{Source: "t:" + strconv.Itoa(i+2), Title: title}
		saveRecord(t, e.db, e.clock.Now(), &r)
		e.addCopy(t, r.ID, "P"+strconv.Itoa(i+2), "ozu", 30)
	}
	e.addCopy(t, e.rec, "P1", "ozu", 30)
	p := e.patron(t, "600000001", "hanako@example.jp")
	for _, bc := range []string{"P1", "P2", "P3"} {
		if _, err := e.c.Checkout(ctx, "600000001", bc, "ozu"); err != nil {
			t.Fatal(err)
		}
	}
	pending := func(kind string) []store.Mail {
		var out []store.Mail
		for _, m := range e.outbox(t) {
			if m.Kind == kind && m.Status == store.MailPending {
				out = append(out, m)
			}
		}
		return out
	}
	e.remindOn(t, day(2026, 12, 9)) // due 12-11
	ms := pending(store.MailDueReminder)
	if len(ms) != 1 || !strings.Contains(ms[0].Body, "銀河鉄道の夜") || !strings.Contains(ms[0].Body, "坊っちゃん") || !strings.Contains(ms[0].Body, "こころ") {
		t.Fatalf("the reminder: %v", ms)
	}
	if _, err := e.c.Checkin(ctx, "P1", "ozu"); err != nil {
		t.Fatal(err)
	}
	ms = pending(store.MailDueReminder)
	if len(ms) != 1 || strings.Contains(ms[0].Body, "銀河鉄道の夜") || !strings.Contains(ms[0].Body, "坊っちゃん") || !strings.Contains(ms[0].Body, "こころ") {
		t.Fatalf("after returning 銀河鉄道の夜 the reminder says:\n%v", ms)
	}
	// Renewing moves こころ's due date out of the reminder's days.
	loans, err := e.c.Loans(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range loans {
		if l.Title == "こころ" {
			if _, err := e.c.Renew(ctx, p, l.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	ms = pending(store.MailDueReminder)
	if len(ms) != 1 || strings.Contains(ms[0].Body, "こころ") || !strings.Contains(ms[0].Body, "坊っちゃん") {
		t.Fatalf("after renewing こころ the reminder says:\n%v", ms)
	}
	if _, err := e.c.Checkin(ctx, "P2", "ozu"); err != nil {
		t.Fatal(err)
	}
	if ms := pending(store.MailDueReminder); len(ms) != 0 {
		t.Fatalf("a reminder left with nothing to remind of: %v", ms)
	}
	// Overdue notices alike.
	e.addCopy(t, e.rec, "P4", "ozu", 30)
	for _, bc := range []string{"P2", "P4"} {
		if _, err := e.c.Checkout(ctx, "600000001", bc, "ozu"); err != nil {
			t.Fatal(err)
		}
	}
	e.remindOn(t, day(2026, 12, 30)) // due 12-25 (closed days aside): overdue
	ms = pending(store.MailOverdue)
	if len(ms) != 1 || !strings.Contains(ms[0].Body, "坊っちゃん") || !strings.Contains(ms[0].Body, "銀河鉄道の夜") {
		t.Fatalf("the overdue notice: %v", ms)
	}
	if _, err := e.c.Checkin(ctx, "P2", "ozu"); err != nil {
		t.Fatal(err)
	}
	ms = pending(store.MailOverdue)
	if len(ms) != 1 || strings.Contains(ms[0].Body, "坊っちゃん") || !strings.Contains(ms[0].Body, "銀河鉄道の夜") {
		t.Fatalf("after returning 坊っちゃん the overdue notice says:\n%v", ms)
	}
}
