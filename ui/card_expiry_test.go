package ui_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// TestCardExpiryAtTheCounter: with cards valid three years, a new card
// carries its expiry; a month before it the counter says so and offers
// the renewal; once it has passed, the counter refuses loans in words, the
// patron sees why and cannot reserve, and one press at the desk (after
// checking the address) renews it for three years from today, logged
// with the card masked; then the same scan lends.
func TestCardExpiryAtTheCounter(t *testing.T) {
	cfg := testConfig(t.TempDir(), false)
	cfg.Accounts.CardValidYears = 3
	e := counterEnv(t, cfg)
	ctx := context.Background()
	r := &store.Record{Source: "exp:1", Title: "山月記"}
	r2 := &store.Record{Source: "exp:2", Title: "李陵"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r, r2}, [][]store.Copy{
		{{Barcode: "E100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}},
		{{Barcode: "E200", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	card := newPatron(t, e, library.PatronForm{Name: "期限 花子", NameYomi: "キゲン ハナコ", BirthDate: "1980-08-08"}, "Hana8")
	p, _ := e.DB.PatronByCard(ctx, card)
	registered := e.Server.Circulation.Today()
	expiry := registered.AddDate(3, 0, 0)
	if p.Expiry != expiry.Format(library.DateLayout) {
		t.Fatalf("a new card's expiry: %q, want %s", p.Expiry, expiry.Format(library.DateLayout))
	}

	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	d := &counterDesk{t: t, e: e, c: c, token: token}
	do(t, c, "GET", e.URL+"/staff/counter?branch=ozu", nil)
	body := d.scan(card)
	if want := "有効期限 " + web.FmtDate("ja", expiry); !strings.Contains(body, want) {
		t.Errorf("the counter does not show %q", want)
	}
	if strings.Contains(body, `id="card-soon"`) || strings.Contains(body, `id="card-expired"`) {
		t.Error("a new card is shown as expiring")
	}

	// A day at the desk months or years later: a new login, the patron
	// opened by their card.
	dayAt := func(at time.Time) string {
		e.Clock.Set(at.Add(10 * time.Hour))
		c, token = staffBrowser(t, e, "counter", "counter-pass-1")
		d = &counterDesk{t: t, e: e, c: c, token: token}
		do(t, c, "GET", e.URL+"/staff/counter?branch=ozu", nil)
		return d.scan(card)
	}
	// 20 days before the expiry: a reminder and the renewal button.
	body = dayAt(expiry.AddDate(0, 0, -20))
	if want := "利用者カードの有効期限が近づいています：" + web.FmtDate("ja", expiry) + "（あと20日）"; !strings.Contains(body, want) {
		t.Errorf("20 days before, the counter lacks %q", want)
	}
	if !strings.Contains(body, `action="/staff/counter/renew-card"`) {
		t.Error("no renewal offered before the expiry")
	}
	if ans := answerOf(d.scan("E100")); !strings.Contains(ans, "貸出しました") {
		t.Errorf("a card about to expire still lends: %s", ans)
	}

	// The day after the expiry: no loans, in words, at the counter.
	body = dayAt(expiry.AddDate(0, 0, 1))
	if want := "利用者カードの有効期限（" + web.FmtDate("ja", expiry) + "）が切れています。"; !strings.Contains(body, want) {
		t.Errorf("after the expiry, the counter lacks %q", want)
	}
	if ans := answerOf(d.scan("E200")); !strings.Contains(ans, "利用カードの有効期限が切れています。") || !strings.Contains(ans, "李陵") {
		t.Errorf("lend on an expired card: %s", ans)
	}
	if loans, err := e.Server.Circulation.Limits(ctx, p.ID); err != nil || loans.Loans != 1 {
		t.Errorf("loans after a refused lend: %d (%v), want 1", loans.Loans, err)
	}

	// The patron sees why, and cannot reserve; renewing the old loan
	// still works (the book is in their hands).
	pc := browser(t)
	do(t, pc, "GET", e.URL+"/login", nil)
	ptoken := csrfFrom(t, pc, e.URL)
	do(t, pc, "POST", e.URL+"/login", url.Values{"csrf": {ptoken}, "card": {card}, "password": {"Hana8"}})
	_, body = do(t, pc, "GET", e.URL+"/account", nil)
	if !strings.Contains(body, "利用カードの有効期限が切れています。予約と貸出の前に、窓口で更新してください") || !strings.Contains(body, web.FmtDate("ja", expiry)) {
		t.Error("the patron's page does not say the card expired")
	}
	do(t, pc, "POST", e.URL+"/cart/add", url.Values{"csrf": {ptoken}, "record_id": {fmt.Sprint(r2.ID)}})
	if _, body = do(t, pc, "POST", e.URL+"/reserve", url.Values{"csrf": {ptoken}, "pickup_branch": {"ozu"}, "contact": {"phone"}}); !strings.Contains(body, "利用カードの有効期限が切れています。") {
		t.Error("a hold on an expired card is not refused in words")
	}
	_, _, tok := call(t, "POST", e.URL+"/api/v1/login", `{"card":"`+card+`","password":"Hana8"}`)
	st, _, out := call(t, "GET", e.URL+"/api/v1/me", "", bearer(tokenOf(t, tok))...)
	var me struct {
		Expiry  *string `json:"card_expiry"`
		Expired bool    `json:"card_expired"`
	}
	if err := json.Unmarshal([]byte(out), &me); st != http.StatusOK || err != nil || me.Expiry == nil || *me.Expiry != expiry.Format(library.DateLayout) || !me.Expired {
		t.Errorf("GET /me: %d %s", st, out)
	}
	st, _, out = call(t, "POST", e.URL+"/api/v1/me/holds", fmt.Sprintf(`{"record_id":%d,"pickup_branch":"ozu","contact":"phone"}`, r2.ID), bearer(tokenOf(t, tok))...)
	if st != http.StatusConflict || !strings.Contains(out, `"code":"card_expired"`) {
		t.Errorf("API hold on an expired card: %d %s", st, out)
	}

	// Renewed at the desk: three years from today, and the scan lends.
	resp, _ := do(t, c, "POST", e.URL+"/staff/counter/renew-card", url.Values{"csrf": {token}, "card": {card}, "mode": {"auto"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("renew at the counter: %d", resp.StatusCode)
	}
	renewed := e.Server.Circulation.Today().AddDate(3, 0, 0)
	_, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if strings.Contains(body, `id="card-expired"`) || !strings.Contains(body, "有効期限 "+web.FmtDate("ja", renewed)) {
		t.Errorf("after the renewal the counter still shows the old expiry")
	}
	if ans := answerOf(d.scan("E200")); !strings.Contains(ans, "貸出しました") {
		t.Errorf("lend after the renewal: %s", ans)
	}
	var detail string
	e.DB.Reader().QueryRow(`SELECT detail FROM audit_log WHERE action = 'patron.renew_card'`).Scan(&detail)
	if !strings.Contains(detail, "******"+card[6:]) || strings.Contains(detail, card) {
		t.Errorf("the renewal in the staff log: %q", detail)
	}
	// The staff patron page and the staff API show and renew it too.
	_, body = do(t, c, "GET", e.URL+"/staff/patrons/"+card, nil)
	if !strings.Contains(body, `id="card-expiry"`) || !strings.Contains(body, web.FmtDate("ja", renewed)) {
		t.Error("the staff patron page does not show the expiry")
	}
	_, _, stok := call(t, "POST", e.URL+"/api/v1/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	st, _, out = call(t, "POST", e.URL+"/api/v1/staff/patrons/"+card+"/renew-card", "", bearer(tokenOf(t, stok))...)
	if st != http.StatusOK || !strings.Contains(out, `"card_expiry":"`+renewed.Format(library.DateLayout)+`"`) {
		t.Errorf("API renewal: %d %s", st, out)
	}
	st, _, out = call(t, "POST", e.URL+"/api/v1/staff/patrons/000000000/renew-card", "", bearer(tokenOf(t, stok))...)
	if st != http.StatusNotFound || !strings.Contains(out, `"code":"patron_not_found"`) {
		t.Errorf("API renewal of no patron: %d %s", st, out)
	}
}

// TestMovedInExpiryCounts: a card brought over by a move-in with its
// expiry past refuses loans even where new cards do not expire, and a
// renewal then lifts the expiry altogether.
func TestMovedInExpiryCounts(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "exp:3", Title: "名人伝"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{{Barcode: "E300", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	card := newPatron(t, e, library.PatronForm{Name: "移行 次郎", NameYomi: "イコウ ジロウ", BirthDate: "1970-07-07"}, "Jiro7")
	if p, _ := e.DB.PatronByCard(ctx, card); p.Expiry != "" {
		t.Fatalf("a card with no expiry rule expires on %s", p.Expiry)
	}
	yesterday := e.Server.Circulation.Today().AddDate(0, 0, -1).Format(library.DateLayout)
	if err := e.DB.Tx(ctx, func(tx *sql.Tx) error { return store.SetPatronExpiry(ctx, tx, card, yesterday) }); err != nil {
		t.Fatal(err)
	}
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	d := &counterDesk{t: t, e: e, c: c, token: token}
	do(t, c, "GET", e.URL+"/staff/counter?branch=ozu", nil)
	body := d.scan(card)
	if !strings.Contains(body, `id="card-expired"`) || !strings.Contains(body, "有効期限をなくす") {
		t.Error("the counter does not offer to lift a moved-in expiry")
	}
	if ans := answerOf(d.scan("E300")); !strings.Contains(ans, "利用カードの有効期限が切れています。") {
		t.Errorf("lend on a moved-in expired card: %s", ans)
	}
	do(t, c, "POST", e.URL+"/staff/patrons/"+card+"/renew-card", url.Values{"csrf": {token}})
	if p, _ := e.DB.PatronByCard(ctx, card); p.Expiry != "" {
		t.Errorf("after the renewal the card still expires on %s", p.Expiry)
	}
	if ans := answerOf(d.scan("E300")); !strings.Contains(ans, "貸出しました") {
		t.Errorf("lend after lifting the expiry: %s", ans)
	}
}
