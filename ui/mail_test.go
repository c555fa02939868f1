package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// TestNoticePages walks the contact work of a day through the staff
// pages: an e-mail that could not be sent puts the hold on the call list
// with what to say; three 不在 flag it; staff cancel it; the outbox and
// the staff home show what happened, and a failed message can be retried.
func TestNoticePages(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "mail:1", Title: "山椒大夫"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{{Barcode: "M100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	reg, err := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "鴎外 花子", NameYomi: "オウガイ ハナコ", BirthDate: "1990-04-01",
		Phone: "0893-24-0001", Email: "hanako@example.jp"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	h, err := e.Server.Circulation.PlaceHold(ctx, p.ID, r.ID, "ozu", library.ContactEmail)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Server.Circulation.Checkin(ctx, "M100", "ozu"); err != nil {
		t.Fatal(err)
	}
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	get := func(path string) string {
		t.Helper()
		resp, body := do(t, c, "GET", e.URL+path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return body
	}
	post := func(path string, v url.Values) {
		t.Helper()
		v.Set("csrf", token)
		if resp, body := do(t, c, "POST", e.URL+path, v); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}

	// The registration notice and the hold-ready message wait in the outbox.
	body := get("/staff/outbox?status=pending")
	for _, s := range []string{"予約資料のご用意", "アドレス登録（新しい宛先）", "hanako@example.jp", "【大洲市立図書館】ご予約の資料をご用意しました", "山椒大夫", "送信待ち", e.Mailbox} {
		if !strings.Contains(body, s) {
			t.Errorf("outbox lacks %q", s)
		}
	}
	if body := get("/staff/hold-shelf?branch=ozu"); !strings.Contains(body, "メール送信待ち") {
		t.Error("hold shelf: the hold should wait for its e-mail")
	}
	if body := get("/staff/calls"); strings.Contains(body, "山椒大夫") {
		t.Error("a hold whose e-mail is waiting is not for the call list")
	}

	// The message fails for good (as a 5xx would have it).
	mails, _ := e.DB.Outbox(ctx, store.MailPending, 10)
	var ready store.Mail
	for _, m := range mails {
		if m.Kind == store.MailHoldReady {
			ready = m
		}
	}
	if err := e.Server.Circulation.Undeliverable(ctx, ready.ID, e.Clock.Now(), "550 5.1.1 mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	// Attempts are shown in the library's time zone.
	if body := get("/staff/hold-shelf?branch=ozu"); !strings.Contains(body, web.FmtDateTime("ja", e.Clock.Now().In(tokyo))+" メール送信失敗") {
		t.Errorf("hold shelf lacks the failed attempt at %s", web.FmtDateTime("ja", e.Clock.Now().In(tokyo)))
	}
	body = get("/staff/calls")
	for _, s := range []string{"鴎外 花子", "tel:0893-24-0001", "メールが届きませんでした", "メール送信失敗",
		"「大洲市立図書館です。ご予約の『山椒大夫』を大洲図書館にご用意しました。2026年12月4日"} {
		if !strings.Contains(body, s) {
			t.Errorf("call list lacks %q", s)
		}
	}
	if strings.Contains(body, "予約を取り消す") {
		t.Error("cancel offered before three 不在")
	}
	for i := 0; i < 3; i++ {
		post("/staff/holds/"+strconv.FormatInt(h.ID, 10)+"/contacted", url.Values{"result": {"unreachable"}})
	}
	body = get("/staff/calls")
	if !strings.Contains(body, "3回続けて不在です") || !strings.Contains(body, `class="flagged"`) || strings.Count(body, "電話: 不在") != 3 {
		t.Errorf("not flagged after three 不在:\n%s", body)
	}
	home := get("/staff")
	for _, s := range []string{"今日の連絡", "メール送信失敗 1 件", "電話連絡待ち 1 件", "うち 1 件は3回不在"} {
		if !strings.Contains(home, s) {
			t.Errorf("staff home lacks %q", s)
		}
	}
	post("/staff/holds/"+strconv.FormatInt(h.ID, 10)+"/cancel", url.Values{})
	if body := get("/staff/calls?done=cancelled"); !strings.Contains(body, "予約を取り消しました") || strings.Contains(body, "山椒大夫") {
		t.Error("the cancelled hold is still on the call list")
	}

	// A failed message (here the address notice) can be sent again, and
	// goes to the mailbox directory.
	var notice store.Mail
	mails, _ = e.DB.Outbox(ctx, store.MailPending, 10)
	for _, m := range mails {
		if m.Kind == store.MailAddressNew {
			notice = m
		}
	}
	if err := e.Server.Circulation.Undeliverable(ctx, notice.ID, e.Clock.Now(), "421 try later"); err != nil {
		t.Fatal(err)
	}
	if body := get("/staff/outbox?status=failed"); !strings.Contains(body, "再送する") || !strings.Contains(body, "421 try later") {
		t.Error("failed message without its error or a retry button")
	}
	post("/staff/outbox/"+strconv.FormatInt(notice.ID, 10)+"/retry", url.Values{})
	if resp, _ := do(t, c, "POST", e.URL+"/staff/outbox/"+strconv.FormatInt(notice.ID, 10)+"/retry", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("retrying a message that is not failed: %d", resp.StatusCode)
	}
	if sent, _, err := e.Mailer.SendDue(ctx); err != nil || sent != 1 {
		t.Fatalf("sent %d %v", sent, err)
	}
	files, _ := os.ReadDir(e.Mailbox)
	if len(files) != 1 {
		t.Errorf("mailbox: %d files", len(files))
	}
	if body := get("/staff/outbox?status=sent"); !strings.Contains(body, "送信済み") || !strings.Contains(body, "メールアドレスを登録しました") {
		t.Error("the sent message is not listed as sent")
	}
	if resp, _ := do(t, c, "GET", e.URL+"/staff/outbox?status=%00%27", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("odd status filter: %d", resp.StatusCode)
	}
}

// TestPatronNoticeSettings: the e-mail page turns due-date reminders off
// and on; a changed address writes notices to the new and the old one;
// the API says and sets the same, refusing what is not a boolean.
func TestPatronNoticeSettings(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	reg, err := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "漱石 一郎", NameYomi: "ソウセキ イチロウ", BirthDate: "1985-02-09", Email: "ichiro@example.jp"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	if err := e.Server.Accounts.SetPassword(ctx, p.ID, "Neko1905"); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	do(t, c, "GET", e.URL+"/login", nil)
	token := csrfFrom(t, c, e.URL)
	if resp, _ := do(t, c, "POST", e.URL+"/login", url.Values{"csrf": {token}, "card": {reg.Card}, "password": {"Neko1905"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	_, body := do(t, c, "GET", e.URL+"/account/email", nil)
	if !strings.Contains(body, `name="due_reminders" value="1" checked`) || !strings.Contains(body, "返却期限の 2 日前にお知らせメールを受け取る") {
		t.Fatalf("e-mail page without the reminder setting:\n%s", body)
	}
	// Unticked and a new address.
	if resp, _ := do(t, c, "POST", e.URL+"/account/email", url.Values{"csrf": {token}, "email": {"ichiro@new.example.jp"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if on, _ := e.DB.DueRemindersOn(ctx, p.ID); on {
		t.Error("reminders still on")
	}
	if _, body = do(t, c, "GET", e.URL+"/account/email", nil); strings.Contains(body, "checked") {
		t.Error("the page still shows reminders on")
	}
	mails, _ := e.DB.Outbox(ctx, "", 10)
	var got []string
	for _, m := range mails {
		got = append(got, m.Kind+">"+m.To)
		if m.Kind == store.MailAddressOld && !strings.Contains(m.Body, "i***@new.example.jp") {
			t.Errorf("the old address is not told where mail goes now:\n%s", m.Body)
		}
	}
	want := "address_old>ichiro@example.jp address_new>ichiro@new.example.jp address_new>ichiro@example.jp"
	if strings.Join(got, " ") != want {
		t.Errorf("notices %q, want %q", strings.Join(got, " "), want)
	}
	// A refused address changes nothing and writes nothing.
	if resp, _ := do(t, c, "POST", e.URL+"/account/email", url.Values{"csrf": {token}, "email": {"not an address"}, "due_reminders": {"1"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad address: %d", resp.StatusCode)
	}
	if ms, _ := e.DB.Outbox(ctx, "", 10); len(ms) != 3 {
		t.Errorf("%d messages after a refused change", len(ms))
	}
	// The API.
	_, _, body = call(t, "POST", e.URL+"/api/v1/login", `{"card":"`+reg.Card+`","password":"Neko1905"}`)
	tok := bearer(tokenOf(t, body))
	for _, s := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/me", "", 200, `"due_reminders":false`},
		{"PUT", "/me/notices", `{"due_reminders":true}`, 200, `"due_reminders":true`},
		{"GET", "/me", "", 200, `"due_reminders":true`},
		{"PUT", "/me/notices", `{"due_reminders":"yes"}`, 400, `"code":"bad_request"`},
		{"PUT", "/me/notices", `{}`, 422, `"field":"due_reminders"`},
		{"PUT", "/me/notices", `{"due_reminders":tru`, 400, `"code":"bad_request"`},
	} {
		status, _, body := call(t, s.method, e.URL+"/api/v1"+s.path, s.body, tok...)
		if status != s.status || !strings.Contains(body, s.want) {
			t.Errorf("%s %s %s: %d %s", s.method, s.path, s.body, status, body)
		}
	}
}
