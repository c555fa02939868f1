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

// TestActingForPatron: staff place, change and cancel holds and renew
// loans for a patron on the telephone or at the desk (R52), from the
// patron screen and the API, with the patron web's rules and refusal
// words; the screen shows loans, holds, contacts and notes; the staff
// log names the card, masked, never a title.
func TestActingForPatron(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r1 := &store.Record{Source: "act:1", Title: "舞姫", ISBN: "9784003100615"}
	r2 := &store.Record{Source: "act:2", Title: "雁"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r1, r2}, [][]store.Copy{
		{{Barcode: "M100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}},
		{{Barcode: "M200", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "電話 花子", NameYomi: "デンワ ハナコ", BirthDate: "1950-06-06", Phone: "0893-00-1234"})
	if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, "M200", "ozu"); err != nil {
		t.Fatal(err)
	}
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	page := e.URL + "/staff/patrons/" + reg.Card
	post := func(path string, f url.Values) (int, string) {
		t.Helper()
		f.Set("csrf", token)
		resp, body := do(t, c, "POST", page+path, f)
		if resp.StatusCode == http.StatusSeeOther {
			resp, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
		}
		return resp.StatusCode, body
	}
	// A hold by ISBN, picked up at Nagahama, by phone.
	st, body := post("/holds", url.Values{"item": {"978-4-00-310061-5"}, "pickup_branch": {"nagahama"}, "contact": {"phone"}})
	if st != http.StatusOK || !strings.Contains(body, "予約を受け付けました。") || !strings.Contains(body, "舞姫") || !strings.Contains(body, "予約待ち（1番目）") {
		t.Fatalf("hold by ISBN: %d", st)
	}
	// The same title again, and a title on loan: the patron web's words.
	if st, body := post("/holds", url.Values{"item": {"M100"}, "pickup_branch": {"ozu"}, "contact": {"phone"}}); st != http.StatusConflict || !strings.Contains(body, "この資料はすでに予約しています。") {
		t.Errorf("the same title by barcode: %d", st)
	}
	if st, body := post("/holds", url.Values{"item": {"M200"}, "pickup_branch": {"ozu"}, "contact": {"phone"}}); st != http.StatusConflict || !strings.Contains(body, "この資料は現在借りているため、予約できません。") {
		t.Errorf("a title on loan: %d", st)
	}
	if st, body := post("/holds", url.Values{"item": {"nothing-here"}, "pickup_branch": {"ozu"}, "contact": {"phone"}}); st != http.StatusNotFound || !strings.Contains(body, `id="refused"`) {
		t.Errorf("no such title: %d", st)
	}
	if st, body := post("/holds", url.Values{"item": {"M100"}, "pickup_branch": {"ozu"}, "contact": {"email"}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "連絡方法にメールを選ぶには、先に利用照会でメールアドレスを登録してください。") {
		t.Errorf("e-mail without an address: %d", st)
	}
	holds, _ := e.Server.Circulation.Holds(ctx, mustPatronID(t, e, reg.Card))
	h := holds[0].ID
	// Change the pickup library, then cancel.
	if st, body := post(fmt.Sprintf("/holds/%d/change", h), url.Values{"pickup_branch": {"ozu"}, "contact": {"mobile"}}); st != http.StatusOK || !strings.Contains(body, "予約を変更しました。") {
		t.Errorf("change: %d", st)
	}
	if hs, _ := e.Server.Circulation.Holds(ctx, mustPatronID(t, e, reg.Card)); hs[0].PickupBranch != "ozu" || hs[0].Contact != "mobile" {
		t.Errorf("after the change: %+v", hs[0])
	}
	// Renew once; the second time says why not.
	loans, _ := e.Server.Circulation.Loans(ctx, mustPatronID(t, e, reg.Card))
	if st, body := post(fmt.Sprintf("/loans/%d/renew", loans[0].ID), url.Values{}); st != http.StatusOK || !strings.Contains(body, "貸出を延長しました。") || !strings.Contains(body, "延長済み") {
		t.Errorf("renew: %d", st)
	}
	if st, body := post(fmt.Sprintf("/loans/%d/renew", loans[0].ID), url.Values{}); st != http.StatusConflict || !strings.Contains(body, "延長済みです。延長は1回までです。") {
		t.Errorf("renew twice: %d", st)
	}
	if st, _ := post(fmt.Sprintf("/holds/%d/cancel", h), url.Values{}); st != http.StatusOK {
		t.Errorf("cancel: %d", st)
	}
	// Notes.
	if st, body := post("/notes", url.Values{"notes": {"大きな文字の本を希望。午後に電話"}}); st != http.StatusOK || !strings.Contains(body, "大きな文字の本を希望。午後に電話") {
		t.Errorf("notes: %d", st)
	}
	_, body = do(t, c, "GET", page, nil)
	for _, w := range []string{"0893-00-1234", "2026年12月", `id="loans"`, "雁", "counter.limits"} {
		if w == "counter.limits" {
			w = "貸出 1 / 10冊"
		}
		if !strings.Contains(body, w) {
			t.Errorf("the patron screen lacks %s", w)
		}
	}

	// The API, for the same patron.
	_, _, out := call(t, "POST", e.URL+"/api/v1/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	S := bearer(tokenOf(t, out))
	base := e.URL + "/api/v1/staff/patrons/" + reg.Card
	for _, st := range []struct {
		method, path, body string
		want               int
		frags              []string
	}{
		{"GET", "/loans", "", 200, []string{`"title":"雁"`, `"renewals":1`, `"notes":["already_renewed"]`}},
		{"POST", fmt.Sprintf("/loans/%d/renew", loans[0].ID), "", 409, []string{`"code":"already_renewed"`}},
		{"POST", "/holds", `{"barcode":"M100","pickup_branch":"ozu","contact":"phone"}`, 201, []string{`"title":"舞姫"`, `"status":"waiting"`}},
		{"POST", "/holds", `{"isbn":"9784003100615","pickup_branch":"ozu","contact":"phone"}`, 409, []string{`"code":"already_reserved"`}},
		{"GET", "/holds", "", 200, []string{`"title":"舞姫"`, `"position":1`}},
		{"GET", "/../999999999/holds", "", 404, nil},
	} {
		code, _, got := call(t, st.method, base+st.path, st.body, S...)
		if code != st.want {
			t.Errorf("%s %s: %d %s", st.method, st.path, code, got)
		}
		for _, f := range st.frags {
			if !strings.Contains(got, f) {
				t.Errorf("%s %s: lacks %s in %s", st.method, st.path, f, got)
			}
		}
	}
	hs, _ := e.Server.Circulation.Holds(ctx, mustPatronID(t, e, reg.Card))
	if code, _, got := call(t, "PATCH", fmt.Sprintf("%s/holds/%d", base, hs[0].ID), `{"pickup_branch":"hijikawa"}`, S...); code != 200 || !strings.Contains(got, `"pickup_branch":"hijikawa"`) {
		t.Errorf("PATCH: %d %s", code, got)
	}
	if code, _, _ := call(t, "DELETE", fmt.Sprintf("%s/holds/%d", base, hs[0].ID), "", S...); code != 204 {
		t.Errorf("DELETE: %d", code)
	}
	// The log: the card masked, never a title.
	rows, _ := e.DB.Reader().Query(`SELECT action, detail FROM audit_log WHERE action LIKE 'hold.%' OR action LIKE 'loan.%' OR action = 'patron.notes'`)
	n := 0
	for rows.Next() {
		var a, d string
		rows.Scan(&a, &d)
		n++
		if strings.Contains(d, reg.Card) || strings.Contains(d, "舞姫") || strings.Contains(d, "雁") || !strings.Contains(d, "******"+reg.Card[6:]) {
			t.Errorf("log line %s %q", a, d)
		}
	}
	rows.Close()
	if n < 7 {
		t.Errorf("%d log lines for what staff did for the patron", n)
	}
}
