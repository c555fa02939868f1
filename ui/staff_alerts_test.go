package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hondana/internal/app"
	"hondana/library"
	"hondana/store"
)

// counterEnv is a library of cfg with a librarian "counter"
// (counter-pass-1) and no patron nor title yet.
func counterEnv(t *testing.T, cfg app.Config) *testEnv {
	t.Helper()
	e, err := newEnvOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.App.Close() })
	if err := e.App.Accounts.AddStaff(context.Background(), 0, "counter", library.RoleLibrarian, "counter-pass-1"); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestCheckoutAlertsAndOverride: with the overdue rule on (R53), the
// counter shows a patron's overdue loans in red and their numbers, refuses
// new loans in words, and lends once staff give a reason, logged without
// a title; the next patron starts afresh. Ready holds here are offered.
func TestCheckoutAlertsAndOverride(t *testing.T) {
	cfg := testConfig(t.TempDir(), false)
	cfg.Loans.OverdueBlockDays = 7
	e := counterEnv(t, cfg)
	ctx := context.Background()
	r := &store.Record{Source: "alert:1", Title: "高瀬舟"}
	r2 := &store.Record{Source: "alert:2", Title: "山椒大夫"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r, r2}, [][]store.Copy{
		{{Barcode: "A100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}, {Barcode: "A200", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}},
		{{Barcode: "A300", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "延滞 太郎", NameYomi: "エンタイ タロウ", BirthDate: "1975-05-05"})
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, "A100", "ozu"); err != nil {
		t.Fatal(err)
	}
	// A hold of theirs waits on Ozu's hold shelf.
	if _, err := e.Server.Circulation.PlaceHold(ctx, p.ID, r2.ID, "ozu", library.ContactPhone); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Server.Circulation.Checkin(ctx, "A300", "ozu"); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(30 * 24 * time.Hour) // due 12-11; now 12-27: 16 days late

	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	d := &counterDesk{t: t, e: e, c: c, token: token}
	do(t, c, "GET", e.URL+"/staff/counter?branch=ozu", nil)
	body := d.scan(reg.Card)
	for _, w := range []string{"延滞中の資料があります（1冊、最長 16日）。", `class="overdue"`, "貸出 1 / 10冊 ・ 予約 1 / 10件",
		"返却期限日を7日より長く過ぎた資料があるため", `id="override-reason"`, "この館で受け取れる予約資料が 1点あります。", "A300"} {
		if !strings.Contains(body, w) {
			t.Errorf("the patron at the desk lacks %s", w)
		}
	}
	if ans := answerOf(d.scan("A200")); !strings.Contains(ans, "返却期限日を7日より長く過ぎた資料があるため、新しい貸出はできません。") || !strings.Contains(ans, "高瀬舟") {
		t.Errorf("lend while overdue: %s", ans)
	}
	override := func(reason string) *http.Response {
		resp, _ := do(t, c, "POST", e.URL+"/staff/counter/override", url.Values{"csrf": {token}, "card": {reg.Card}, "reason": {reason}})
		return resp
	}
	if resp := override(" "); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("override without a reason: %d", resp.StatusCode)
	}
	if resp := override("本人が返却に来館、延滞分は明日返却"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("override: %d", resp.StatusCode)
	}
	if ans := answerOf(d.scan("A200")); !strings.Contains(ans, "貸出しました") {
		t.Errorf("lend after the override: %s", ans)
	}
	_, body = do(t, c, "GET", e.URL+"/staff/counter?card="+reg.Card, nil)
	if !strings.Contains(body, "延滞の規則を解除して貸出中（理由: 本人が返却に来館、延滞分は明日返却）") {
		t.Error("the counter does not show the override")
	}
	// The ready hold is offered and lent by its button.
	resp, _ := do(t, c, "POST", e.URL+"/staff/counter/scan", url.Values{"csrf": {token}, "card": {reg.Card}, "mode": {"lend"}, "code": {"A300"}})
	_, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if ans := answerOf(body); !strings.Contains(ans, "貸出しました") || !strings.Contains(ans, "山椒大夫") {
		t.Errorf("lend the ready hold: %s", ans)
	}
	// The log has the override with the card masked and no title.
	var detail string
	e.DB.Reader().QueryRow(`SELECT detail FROM audit_log WHERE action = 'checkout.override'`).Scan(&detail)
	if !strings.Contains(detail, "******"+reg.Card[6:]) || strings.Contains(detail, reg.Card) || strings.Contains(detail, "高瀬舟") ||
		!strings.Contains(detail, "本人が返却に来館") {
		t.Errorf("override in the log: %q", detail)
	}
	// The next patron: the override ended with the visit.
	do(t, c, "POST", e.URL+"/staff/counter/close", url.Values{"csrf": {token}})
	d.card = reg.Card
	e.Server.Circulation.Checkin(ctx, "A200", "ozu")
	if ans := answerOf(d.scan("A200")); !strings.Contains(ans, "返却期限日を7日より長く過ぎた") {
		t.Errorf("after the visit ended the override still holds: %s", ans)
	}
	// The API takes the reason too.
	_, _, tok := call(t, "POST", e.URL+"/api/v1/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	st, _, out := call(t, "POST", e.URL+"/api/v1/staff/checkout", `{"card":"`+reg.Card+`","barcode":"A200","branch":"ozu"}`, bearer(tokenOf(t, tok))...)
	if st != http.StatusConflict || !strings.Contains(out, `"code":"overdue_blocked"`) {
		t.Errorf("API checkout while overdue: %d %s", st, out)
	}
	st, _, out = call(t, "POST", e.URL+"/api/v1/staff/checkout", `{"card":"`+reg.Card+`","barcode":"A200","branch":"ozu","override_reason":"電話で確認済み"}`, bearer(tokenOf(t, tok))...)
	if st != http.StatusCreated || !strings.Contains(out, `"title":"高瀬舟"`) {
		t.Errorf("API checkout with a reason: %d %s", st, out)
	}
}
