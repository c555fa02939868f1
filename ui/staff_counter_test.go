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

// counterDesk is a staff browser at the counter: it scans into the box
// and follows the answer's redirect, as a browser does.
type counterDesk struct {
	t     *testing.T
	e     *testEnv
	c     *http.Client
	token string
	card  string // the patron open at the desk
	mode  string
}

// scan sends code from the box and returns the counter page it leads to.
func (d *counterDesk) scan(code string) string {
	d.t.Helper()
	resp, body := do(d.t, d.c, "POST", d.e.URL+"/staff/counter/scan", url.Values{"csrf": {d.token}, "code": {code}, "card": {d.card}, "mode": {d.mode}})
	if resp.StatusCode != http.StatusSeeOther {
		d.t.Fatalf("scan %s: %d %s", code, resp.StatusCode, body)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	d.card = loc.Query().Get("card")
	resp, body = do(d.t, d.c, "GET", d.e.URL+loc.String(), nil)
	if resp.StatusCode != http.StatusOK {
		d.t.Fatalf("the answer to %s: %d", code, resp.StatusCode)
	}
	return body
}

// answer is the answer part of a counter page.
func answerOf(body string) string {
	i := strings.Index(body, `id="answer"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	return body[i : i+j]
}

// TestCounterPages: one scan box at a desk lends and takes back, each
// scan answered in words with its title (R50, R51); holds go to the hold
// shelf or in transit, with their numbers; the call list marks a call
// reached; a reload never scans again.
func TestCounterPages(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "ctr:1", Title: "杜子春"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{{Barcode: "C100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	a, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "窓口 一", NameYomi: "マドグチ イチ", BirthDate: "1980-01-01"})
	b, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "窓口 二", NameYomi: "マドグチ ニ", BirthDate: "1981-01-01"})
	pb, _ := e.DB.PatronByCard(ctx, b.Card)

	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	d := &counterDesk{t: t, e: e, c: c, token: token}
	resp, body := do(t, c, "GET", e.URL+"/staff/counter?branch=ozu", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="scan"`) || !strings.Contains(body, "autofocus") {
		t.Fatalf("counter: %d", resp.StatusCode)
	}
	// A card opens the patron; the next item is lent to them.
	if body := d.scan(a.Card); !strings.Contains(body, "窓口 一") || d.card != a.Card {
		t.Fatalf("scanning the card did not open the patron")
	}
	body = d.scan("C100")
	if ans := answerOf(body); !strings.Contains(ans, "貸出しました。返却期限日は 2026年12月11日") || !strings.Contains(ans, "杜子春") || !strings.Contains(ans, `data-cue="ok"`) {
		t.Errorf("lend: %s", ans)
	}
	if !strings.Contains(body, `id="undo"`) || !strings.Contains(body, "C100") {
		t.Error("the scan list lacks the loan and its undo")
	}
	// Reloading the answer scans nothing again.
	resp, _ = do(t, c, "GET", e.URL+"/staff/counter?card="+a.Card+"&last=1", nil)
	if n, _ := e.Server.Circulation.Loans(ctx, mustPatronID(t, e, a.Card)); len(n) != 1 || resp.StatusCode != 200 {
		t.Errorf("after a reload %d loans", len(n))
	}
	d.card = b.Card
	if ans := answerOf(d.scan("C100")); !strings.Contains(ans, "この資料は貸出中です。") || !strings.Contains(ans, "杜子春") || !strings.Contains(ans, `data-cue="err"`) {
		t.Errorf("lending a copy on loan should say so: %s", ans)
	}
	if ans := answerOf(d.scan("NONE1")); !strings.Contains(ans, "その資料番号の資料はありません。") {
		t.Errorf("unknown barcode: %s", ans)
	}
	if ans := answerOf(d.scan("%%%")); !strings.Contains(ans, "読み取れませんでした") {
		t.Errorf("unreadable: %s", ans)
	}
	// B reserves for pickup at nagahama: the return at ozu goes in transit.
	if _, err := e.Server.Circulation.PlaceHold(ctx, pb.ID, r.ID, "nagahama", library.ContactPhone); err != nil {
		t.Fatal(err)
	}
	holds, _ := e.Server.Circulation.Holds(ctx, pb.ID)
	d.card, d.mode = "", "return"
	if ans := answerOf(d.scan("C100")); !strings.Contains(ans, fmt.Sprintf("回送: 長浜図書館へ（予約番号 %d）", holds[0].ID)) || !strings.Contains(ans, `data-slip="transit"`) ||
		!strings.Contains(ans, `data-cue="hold"`) || !strings.Contains(ans, "返却しました。") {
		t.Errorf("return with a hold elsewhere: %s", ans)
	}
	// Scanned again at Ozu, where it left from: already in transit.
	if ans := answerOf(d.scan("C100")); !strings.Contains(ans, "すでに回送中です（長浜図書館へ・変更なし）") || !strings.Contains(ans, `data-cue="warn"`) {
		t.Errorf("scanned twice: %s", ans)
	}
	// Ozu's transit list sends it, with its title and hold; Nagahama's
	// expects it (R55).
	_, body = do(t, c, "GET", e.URL+"/staff/transit?branch=ozu", nil)
	if out := body[strings.Index(body, `id="transit-out"`):strings.Index(body, `id="transit-in"`)]; !strings.Contains(out, "杜子春") ||
		!strings.Contains(out, "長浜図書館") || !strings.Contains(out, fmt.Sprintf("予約 %d", holds[0].ID)) || !strings.Contains(out, "C100") {
		t.Errorf("ozu's outgoing transit list: %s", out)
	}
	_, body = do(t, c, "GET", e.URL+"/staff/transit?branch=nagahama", nil)
	if in := body[strings.Index(body, `id="transit-in"`):]; !strings.Contains(in, "杜子春") || !strings.Contains(in, "大洲図書館") {
		t.Errorf("nagahama's incoming transit list: %s", in)
	}
	// At nagahama the transit page receives it: to the hold shelf, by
	// hold number, never by name.
	resp, _ = do(t, c, "POST", e.URL+"/staff/counter/scan", url.Values{"csrf": {token}, "code": {"C100"}, "mode": {"receive"}, "next": {"/staff/transit"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/transit?last=") {
		t.Fatalf("receive on the transit page: %d %s", resp.StatusCode, loc)
	}
	_, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if ans := answerOf(body); !strings.Contains(ans, fmt.Sprintf("取置棚へ（予約番号 %d）", holds[0].ID)) || !strings.Contains(ans, "回送を受け入れました。") || strings.Contains(body, "窓口 二") {
		t.Errorf("receive: the answer should give the hold number, not the name: %s", ans)
	}
	_, body = do(t, c, "GET", e.URL+"/staff/hold-shelf", nil)
	if !strings.Contains(body, "杜子春") || !strings.Contains(body, "連絡待ち") {
		t.Error("hold shelf page")
	}
	_, body = do(t, c, "GET", e.URL+"/staff/calls", nil)
	if !strings.Contains(body, "窓口 二") || !strings.Contains(body, "連絡済み") {
		t.Fatal("call list page")
	}
	resp, _ = do(t, c, "POST", e.URL+fmt.Sprintf("/staff/holds/%d/contacted", holds[0].ID), url.Values{"csrf": {token}, "result": {"reached"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reached: %d", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if !strings.Contains(body, "受取期限が始まりました") || !strings.Contains(body, "連絡待ちの予約はありません") {
		t.Error("after the call")
	}
	// B collects it at nagahama: the card, then the copy (auto mode).
	d.mode = "auto"
	d.scan(b.Card)
	if ans := answerOf(d.scan("C100")); !strings.Contains(ans, "貸出しました") {
		t.Errorf("collect: %s", ans)
	}
	if h, _ := e.Server.Circulation.Holds(ctx, pb.ID); len(h) != 0 {
		t.Error("the hold was not fulfilled")
	}
	// In auto mode, a patron handing in their own loan returns it.
	if ans := answerOf(d.scan("C100")); !strings.Contains(ans, "返却しました。") || !strings.Contains(ans, "回送: 大洲図書館へ（所蔵館へ戻す）") ||
		!strings.Contains(ans, `data-cue="transit"`) {
		t.Errorf("the patron's own loan in auto mode: %s", ans)
	}
}

// TestCounterUndo: the session's last loan can be undone; the copy is
// back as it was, and the list says so; a loan that fulfilled a hold
// cannot be; another session sees none of it.
func TestCounterUndo(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "undo:1", Title: "蜘蛛の糸"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{
		{Barcode: "U100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"},
		{Barcode: "U200", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	a, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "取消 一", NameYomi: "トリケシ イチ", BirthDate: "1980-01-01"})
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	d := &counterDesk{t: t, e: e, c: c, token: token}
	do(t, c, "GET", e.URL+"/staff/counter?branch=ozu", nil)
	d.scan(a.Card)
	d.scan("U100")
	d.scan("U200")
	undo := func() (*http.Response, string) {
		return do(t, c, "POST", e.URL+"/staff/counter/undo", url.Values{"csrf": {token}, "card": {d.card}})
	}
	resp, _ := undo()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("undo: %d", resp.StatusCode)
	}
	_, body := do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if ans := answerOf(body); !strings.Contains(ans, "この貸出を取り消しました。") || !strings.Contains(ans, "蜘蛛の糸") {
		t.Errorf("undo answer: %s", ans)
	}
	loans, _ := e.Server.Circulation.Loans(ctx, mustPatronID(t, e, a.Card))
	if len(loans) != 1 || loans[0].Barcode != "U100" {
		t.Errorf("after undo the loans are %+v", loans)
	}
	rec, _ := e.Cat.Record(ctx, r.ID)
	for _, cp := range rec.Copies {
		if cp.Barcode == "U200" && cp.Status != store.CopyOnShelf {
			t.Errorf("U200 after undo: %s", cp.Status)
		}
	}
	// The next undo takes the one before.
	if resp, _ := undo(); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("second undo: %d", resp.StatusCode)
	}
	if resp, body := undo(); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "取り消せる貸出はありません") {
		t.Errorf("nothing left to undo: %d", resp.StatusCode)
	}
	var n int
	e.DB.Reader().QueryRow(`SELECT count FROM daily_counts WHERE kind = 'loan' AND branch = 'ozu'`).Scan(&n)
	if n != 0 {
		t.Errorf("undone loans still counted: %d", n)
	}
	// Another staff session has a list of its own.
	e.App.Accounts.AddStaff(ctx, 0, "other", library.RoleLibrarian, "other-pass-12")
	c2, _ := staffBrowser(t, e, "other", "other-pass-12")
	if _, body := do(t, c2, "GET", e.URL+"/staff/counter", nil); strings.Contains(body, "U100") {
		t.Error("another session sees this desk's scans")
	}
}

func mustPatronID(t *testing.T, e *testEnv, card string) int64 {
	t.Helper()
	p, err := e.DB.PatronByCard(context.Background(), card)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestStaffPatronEditBlockAndLog: staff edit a patron, stop and resume
// loans with a reason; the checkout refuses meanwhile; every write is in
// the staff log, with card numbers masked and no title beside a patron.
func TestStaffPatronEditBlockAndLog(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	if err := e.App.Accounts.AddStaff(ctx, 0, "chief", library.RoleAdmin, "admin-pass-123"); err != nil {
		t.Fatal(err)
	}
	r := &store.Record{Source: "blk:1", Title: "鼻"}
	e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{{Barcode: "K1", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}})
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "停止 太郎", NameYomi: "テイシ タロウ", BirthDate: "1970-07-07"})
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	page := e.URL + "/staff/patrons/" + reg.Card
	resp, _ := do(t, c, "POST", page+"/edit", url.Values{"csrf": {token}, "name": {"停止 太郎"}, "name_yomi": {"テイシ タロウ"}, "birth_date": {"1970-07-07"}, "phone": {"0893-11-2222"}, "home_branch": {"ozu"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	if p, _ := e.DB.PatronByCard(ctx, reg.Card); p.Phone != "0893-11-2222" {
		t.Errorf("phone not saved: %q", p.Phone)
	}
	resp, body := do(t, c, "POST", page+"/edit", url.Values{"csrf": {token}, "name": {""}, "name_yomi": {"テイシ"}, "birth_date": {"1970-07-07"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "氏名の入力が正しくありません") {
		t.Errorf("bad edit: %d", resp.StatusCode)
	}
	if resp, _ = do(t, c, "POST", page+"/block", url.Values{"csrf": {token}, "reason": {""}}); resp.StatusCode != 422 {
		t.Errorf("block without a reason: %d", resp.StatusCode)
	}
	do(t, c, "POST", page+"/block", url.Values{"csrf": {token}, "reason": {"延滞資料が多数あるため"}})
	_, body = do(t, c, "GET", page, nil)
	if !strings.Contains(body, "貸出停止中: 延滞資料が多数あるため") {
		t.Error("block not shown")
	}
	if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, "K1", "ozu"); err == nil || !strings.Contains(err.Error(), library.PatronBlocked) {
		t.Errorf("checkout while blocked: %v", err)
	}
	do(t, c, "POST", page+"/block", url.Values{"csrf": {token}, "unblock": {"1"}})
	if resp, _ := do(t, c, "POST", e.URL+"/staff/counter/checkout", url.Values{"csrf": {token}, "card": {reg.Card}, "barcode": {"K1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("lend after the block was lifted: %d", resp.StatusCode)
	}
	// A librarian may not read the log; an admin may.
	if resp, _ = do(t, c, "GET", e.URL+"/staff/log", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("log for a librarian: %d", resp.StatusCode)
	}
	do(t, c, "POST", e.URL+"/staff/login", url.Values{"csrf": {token}, "username": {"chief"}, "password": {"admin-pass-123"}})
	resp, body = do(t, c, "GET", e.URL+"/staff/log", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("log: %d", resp.StatusCode)
	}
	for _, w := range []string{"patron.update", "patron.block", "patron.unblock", "checkout", "counter", "******" + reg.Card[6:]} {
		if !strings.Contains(body, w) {
			t.Errorf("log lacks %q", w)
		}
	}
	if strings.Contains(body, reg.Card) {
		t.Error("a full card number in the staff log")
	}
	var n int
	e.DB.Reader().QueryRow(`SELECT count(*) FROM audit_log WHERE detail LIKE '%' || ? || '%'`, reg.Card).Scan(&n)
	if n != 0 {
		t.Error("full card number stored in the audit log")
	}
}

// TestClosurePage: staff close a branch for some days and are told how
// many dates moved; the public calendar shows the closure.
func TestClosurePage(t *testing.T) {
	e := accountsEnv(t)
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	resp, body := do(t, c, "POST", e.URL+"/staff/calendar/close", url.Values{"csrf": {token}, "branch": {"ozu"}, "from": {"2026-12-09"}, "to": {"2026-12-12"}, "note": {"空調工事のため休館"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "4日間を休館にしました") || !strings.Contains(body, "2026年12月13日") {
		t.Fatalf("close: %d %s", resp.StatusCode, body)
	}
	resp, body = do(t, c, "POST", e.URL+"/staff/calendar/close", url.Values{"csrf": {token}, "branch": {"ozu"}, "from": {"2026-12-12"}, "to": {"2026-12-01"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "期間の指定が正しくありません") {
		t.Errorf("reversed range: %d", resp.StatusCode)
	}
	_, _, cal := call(t, "GET", e.URL+"/api/v1/calendar?branch=ozu&month=2026-12", "")
	if !strings.Contains(cal, `{"date":"2026-12-10","open":false,"opens_at":null,"closes_at":null,"note":"空調工事のため休館"}`) {
		t.Errorf("public calendar: %s", cal)
	}
}

// TestNewsAndPageEditing: staff preview and publish news and pages; raw
// HTML in the Markdown never reaches a page.
func TestNewsAndPageEditing(t *testing.T) {
	e := demoEnv(t)
	c, token := staffBrowser(t, e, "staff", "demo-staff-pass")
	body := "## 図書館まつり\n\n<script>alert(1)</script>\n\n**11月3日**に開催します。"
	resp, page := do(t, c, "POST", e.URL+"/staff/news", url.Values{"csrf": {token}, "day": {"2026-11-27"}, "title": {"図書館まつりのお知らせ"}, "body": {body}, "preview": {"1"}})
	if resp.StatusCode != 200 || !strings.Contains(page, "<h2>図書館まつり</h2>") || strings.Contains(page, "<script>alert") {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	resp, page = do(t, c, "POST", e.URL+"/staff/news", url.Values{"csrf": {token}, "day": {"2026-13-01"}, "title": {""}, "body": {body}})
	if resp.StatusCode != 422 {
		t.Errorf("bad news item: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/news", url.Values{"csrf": {token}, "day": {"2026-11-27"}, "title": {"図書館まつりのお知らせ"}, "body": {body}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
	_, home := do(t, c, "GET", e.URL+"/", nil)
	if !strings.Contains(home, "図書館まつりのお知らせ") {
		t.Error("news not on the home page")
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/pages/volunteer", url.Values{"csrf": {token}, "title": {"ボランティア募集"}, "title_en": {"Volunteers"}, "body": {"読み聞かせの**ボランティア**を募集します。<iframe src=x>"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("page save: %d", resp.StatusCode)
	}
	_, pg := do(t, c, "GET", e.URL+"/pages/volunteer", nil)
	if !strings.Contains(pg, "<strong>ボランティア</strong>") || strings.Contains(pg, "<iframe") {
		t.Error("page not rendered safely")
	}
	// Both changes are in the staff log, with who made them.
	var n int
	e.DB.Reader().QueryRow(`SELECT count(*) FROM audit_log a JOIN staff s ON s.id = a.staff_id
		WHERE s.username = 'staff' AND (a.action = 'news.save' AND a.detail = '図書館まつりのお知らせ' OR a.action = 'page.save' AND a.detail = 'volunteer')`).Scan(&n)
	if n != 2 {
		t.Errorf("%d of the two changes in the staff log", n)
	}
}

// TestStaffAccountsAdmin: admins add accounts, change roles, reset
// passwords and disable; a disabled account cannot log in.
func TestStaffAccountsAdmin(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	if err := e.App.Accounts.AddStaff(ctx, 0, "chief", library.RoleAdmin, "admin-pass-123"); err != nil {
		t.Fatal(err)
	}
	c, token := staffBrowser(t, e, "chief", "admin-pass-123")
	resp, body := do(t, c, "POST", e.URL+"/staff/accounts", url.Values{"csrf": {token}, "username": {"newbie"}, "role": {"librarian"}, "password": {"short"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "10文字以上") {
		t.Errorf("short password: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/accounts", url.Values{"csrf": {token}, "username": {"newbie"}, "role": {"librarian"}, "password": {"newbie-pass-1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	if _, err := e.Server.Accounts.StaffLogin(ctx, "newbie", "newbie-pass-1", "10.9.9.9", library.SessionAPI); err != nil {
		t.Fatalf("new account login: %v", err)
	}
	resp, body = do(t, c, "POST", e.URL+"/staff/accounts", url.Values{"csrf": {token}, "username": {"newbie"}, "role": {"librarian"}, "password": {"another-pass-1"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("duplicate: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/accounts", url.Values{"csrf": {token}, "update": {"newbie"}, "role": {"admin"}, "disabled": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d", resp.StatusCode)
	}
	if _, err := e.Server.Accounts.StaffLogin(ctx, "newbie", "newbie-pass-1", "10.9.9.9", library.SessionAPI); err == nil {
		t.Error("a disabled account logged in")
	}
	_, body = do(t, c, "GET", e.URL+"/staff/accounts", nil)
	if !strings.Contains(body, "newbie") || !strings.Contains(body, `value="admin" selected`) {
		t.Error("accounts list")
	}
	// The only enabled admin cannot demote or disable itself (newbie is
	// an admin, but disabled); the page says why.
	for _, f := range []url.Values{{"role": {"librarian"}}, {"role": {"admin"}, "disabled": {"1"}}} {
		f.Set("csrf", token)
		f.Set("update", "chief")
		resp, body = do(t, c, "POST", e.URL+"/staff/accounts", f, "Accept-Language", "en")
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "only enabled administrator") {
			t.Errorf("the last admin steps down (%v): %d", f, resp.StatusCode)
		}
	}
	if _, err := e.Server.Accounts.StaffLogin(ctx, "chief", "admin-pass-123", "10.9.9.9", library.SessionAPI); err != nil {
		t.Errorf("the last admin after its refused changes: %v", err)
	}
	// Librarians cannot manage accounts.
	l, _ := staffBrowser(t, e, "counter", "counter-pass-1")
	if resp, _ := do(t, l, "GET", e.URL+"/staff/accounts", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("librarian on accounts: %d", resp.StatusCode)
	}
}

// TestDailyFigures: the staff home counts today's and this month's loans,
// returns and holds per branch.
func TestDailyFigures(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "fig:1", Title: "山月記"}
	e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{{Barcode: "F1", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}})
	a, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "数 一", NameYomi: "カズ イチ", BirthDate: "1990-01-01"})
	b, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "数 二", NameYomi: "カズ ニ", BirthDate: "1990-01-02"})
	pb, _ := e.DB.PatronByCard(ctx, b.Card)
	circ := e.Server.Circulation
	circ.Checkout(ctx, a.Card, "F1", "ozu")
	circ.PlaceHold(ctx, pb.ID, r.ID, "ozu", library.ContactPhone)
	circ.Checkin(ctx, "F1", "ozu")
	circ.Checkout(ctx, b.Card, "F1", "ozu")
	c, _ := staffBrowser(t, e, "counter", "counter-pass-1")
	_, body := do(t, c, "GET", e.URL+"/staff", nil)
	// ozu: 2 loans, 1 return, 1 hold placed, 1 filled, 0 lapsed.
	for _, w := range []string{"<td>2 <small>/ 2</small></td><td>1 <small>/ 1</small></td><td>1 <small>/ 1</small></td><td>1 <small>/ 1</small></td><td>0 <small>/ 0</small></td>"} {
		if !strings.Contains(body, w) {
			t.Errorf("figures lack %s\n%s", w, body)
		}
	}
}

// TestSpecialDays: staff open a usual closing day with hours, or close a
// single day; bad hours are refused in words.
func TestSpecialDays(t *testing.T) {
	e := accountsEnv(t)
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	// 2026-12-07 is a Monday, ozu's closing day.
	resp, body := do(t, c, "POST", e.URL+"/staff/calendar/day", url.Values{"csrf": {token}, "branch": {"ozu"}, "day": {"2026-12-07"}, "open": {"1"}, "opens_at": {"13:00"}, "closes_at": {"12:00"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "閉館を開館より後に") {
		t.Errorf("bad hours: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/calendar/day", url.Values{"csrf": {token}, "branch": {"ozu"}, "day": {"2026-12-07"}, "open": {"1"}, "opens_at": {"10:00"}, "closes_at": {"15:00"}, "note": {"特別開館"}})
	if resp.StatusCode != 200 {
		t.Fatalf("special opening: %d", resp.StatusCode)
	}
	do(t, c, "POST", e.URL+"/staff/calendar/day", url.Values{"csrf": {token}, "branch": {"ozu"}, "day": {"2026-12-08"}, "open": {"0"}, "note": {"停電のため休館"}})
	_, _, cal := call(t, "GET", e.URL+"/api/v1/calendar?branch=ozu&month=2026-12", "")
	for _, w := range []string{`{"date":"2026-12-07","open":true,"opens_at":"10:00","closes_at":"15:00","note":"特別開館"}`,
		`{"date":"2026-12-08","open":false,"opens_at":null,"closes_at":null,"note":"停電のため休館"}`} {
		if !strings.Contains(cal, w) {
			t.Errorf("calendar lacks %s", w)
		}
	}
}
