package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hondana/library"
	"hondana/store"
)

// TestPrintPages: hold slips, transit slips and loan receipts (R56), on
// the desk's paper; a hold slip has the hold number, the pickup library
// and the card's last four digits, never the name or the title; a
// receipt has titles and due dates, never the name; another session's
// slips are not found.
func TestPrintPages(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "print:1", Title: "山月記"}
	r2 := &store.Record{Source: "print:2", Title: "李陵"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r, r2}, [][]store.Copy{
		{{Barcode: "P100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}},
		{{Barcode: "P200", Branch: "nagahama", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	lender, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "印刷 借手", NameYomi: "インサツ カリテ", BirthDate: "1980-04-04"})
	holder, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "印刷 予約者", NameYomi: "インサツ ヨヤクシャ", BirthDate: "1980-05-05"})
	ph, _ := e.DB.PatronByCard(ctx, holder.Card)
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	do(t, c, "POST", e.URL+"/staff/desk", url.Values{"csrf": {token}, "branch": {"ozu"}, "paper": {"58"}, "sound": {"1"}})
	d := &counterDesk{t: t, e: e, c: c, token: token}
	d.scan(lender.Card)
	d.scan("P100")
	d.scan("P200")
	h, err := e.Server.Circulation.PlaceHold(ctx, ph.ID, r.ID, "ozu", library.ContactPhone)
	if err != nil {
		t.Fatal(err)
	}
	// The receipt: today's loans with due dates, the hours; no name.
	resp, body := do(t, c, "GET", e.URL+"/staff/print/receipt?card="+lender.Card, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("receipt: %d", resp.StatusCode)
	}
	for _, w := range []string{"貸出レシート", "山月記", "李陵", "2026年12月11日", "本日の貸出 2点。", "平日 09:00〜19:00", "print-58", `class="printpage paper-58"`, "大洲図書館"} {
		if !strings.Contains(body, w) {
			t.Errorf("the receipt lacks %s", w)
		}
	}
	if slip := body[strings.Index(body, `class="slip `):]; strings.Contains(slip, "印刷 借手") || strings.Contains(slip, lender.Card) || strings.Contains(body, `class="staffnav"`) {
		t.Error("the receipt names the patron or shows the staff menu")
	}
	// Returns: P100 to the hold shelf (a hold slip), P200 home (a
	// transit slip). The counter's page carries the slip to print.
	d.card, d.mode = "", "return"
	body = d.scan("P100")
	if !strings.Contains(body, `id="printslip"`) || !strings.Contains(body, fmt.Sprintf("予約番号 %d", h.ID)) {
		t.Error("the counter's answer lacks its hold slip")
	}
	var holdScan, transitScan int64
	d.scan("P200")
	scans, _ := e.Server.Circulation.Scans(ctx, sessionHash(t, e, c), 10)
	for _, s := range scans {
		switch s.Code {
		case "P100":
			if s.Outcome == library.OutcomeReturned {
				holdScan = s.ID
			}
		case "P200":
			if s.Outcome == library.OutcomeReturned {
				transitScan = s.ID
			}
		}
	}
	_, body = do(t, c, "GET", fmt.Sprintf("%s/staff/print/scan/%d", e.URL, holdScan), nil)
	for _, w := range []string{"予約票", fmt.Sprintf("予約番号 %d", h.ID), "大洲図書館", "＊＊＊＊＊" + holder.Card[5:], "P100", "ご連絡の日から7日"} {
		if !strings.Contains(body, w) {
			t.Errorf("the hold slip lacks %s", w)
		}
	}
	if slip := body[strings.Index(body, `class="slip `):]; strings.Contains(slip, "印刷 予約者") || strings.Contains(slip, "山月記") || strings.Contains(slip, holder.Card) {
		t.Error("the hold slip names the patron or the title")
	}
	_, body = do(t, c, "GET", fmt.Sprintf("%s/staff/print/scan/%d", e.URL, transitScan), nil)
	for _, w := range []string{"回送票", "→ 長浜図書館", "所蔵館へ戻す", "李陵", "P200", "大洲図書館"} {
		if !strings.Contains(body, w) {
			t.Errorf("the transit slip lacks %s", w)
		}
	}
	// The scan list offers reprints; other sessions find no slip.
	_, body = do(t, c, "GET", e.URL+"/staff/counter", nil)
	if !strings.Contains(body, fmt.Sprintf(`href="/staff/print/scan/%d">再印刷`, holdScan)) {
		t.Error("the scan list offers no reprint")
	}
	e.App.Accounts.AddStaff(ctx, 0, "other", library.RoleLibrarian, "other-pass-12")
	c2, _ := staffBrowser(t, e, "other", "other-pass-12")
	if resp, _ := do(t, c2, "GET", fmt.Sprintf("%s/staff/print/scan/%d", e.URL, holdScan), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another session's slip: %d", resp.StatusCode)
	}
}

// sessionHash is the hash of a browser's staff session, as the store
// keeps it.
func sessionHash(t *testing.T, e *testEnv, c *http.Client) string {
	t.Helper()
	w, err := e.Server.Accounts.Session(context.Background(), sessionValue(c, e.URL))
	if err != nil || w == nil {
		t.Fatalf("session: %v", err)
	}
	return w.TokenHash
}
