package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"hondana/library"
	"hondana/store"
)

// TestReserveAndMyLibrary follows the seed's flows in plain HTML forms:
// カートに入れる → 予約する → login → 予約を確定する → 予約受付完了 with a
// refused title; then 利用照会's lists, 取消, 変更 and 貸出延長.
func TestReserveAndMyLibrary(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	// Three titles with one copy each.
	var recs []int64
	for i, title := range []string{"銀河鉄道の夜", "風の又三郎", "注文の多い料理店"} {
		r := &store.Record{Source: fmt.Sprintf("t:%d", i), Title: title}
		cp := []store.Copy{{Barcode: fmt.Sprintf("B%d", i), Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}
		if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{cp}); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r.ID)
	}
	reg, err := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "宮本 一", NameYomi: "ミヤモト ハジメ", BirthDate: "1988-08-08", HomeBranch: "nagahama"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	if err := e.Server.Accounts.SetPassword(ctx, p.ID, "Hajime1"); err != nil {
		t.Fatal(err)
	}
	// The patron has the third title on loan already.
	if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, "B2", "ozu"); err != nil {
		t.Fatal(err)
	}

	c := browser(t)
	resp, body := do(t, c, "GET", e.URL+fmt.Sprintf("/records/%d", recs[0]), nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "カートに入れる") {
		t.Fatalf("record page: %d", resp.StatusCode)
	}
	token := csrfFrom(t, c, e.URL)
	for _, id := range []int64{recs[0], recs[2], recs[0]} { // the same title twice: once in the cart
		resp, _ = do(t, c, "POST", e.URL+"/cart/add", url.Values{"csrf": {token}, "record_id": {fmt.Sprint(id)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add to cart: %d", resp.StatusCode)
		}
	}
	if resp, _ = do(t, c, "POST", e.URL+"/cart/add", url.Values{"record_id": {fmt.Sprint(recs[1])}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cart form without CSRF token: %d", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.URL+"/cart", nil)
	if strings.Count(body, `class="hit"`) != 2 || !strings.Contains(body, "予約する") {
		t.Fatalf("cart: %s", body)
	}
	// 予約する asks for a login first; the cart survives it.
	resp, _ = do(t, c, "GET", e.URL+"/reserve", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Freserve" {
		t.Fatalf("reserve before login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = do(t, c, "POST", e.URL+"/login", url.Values{"csrf": {token}, "card": {reg.Card}, "password": {"Hajime1"}, "next": {"/reserve"}})
	if resp.Header.Get("Location") != "/reserve" {
		t.Fatalf("login: %s", resp.Header.Get("Location"))
	}
	_, body = do(t, c, "GET", e.URL+"/reserve", nil)
	// The pickup choice (the estimated wait above it may name a library too).
	pickup := body[strings.Index(body, `<select id="pickup"`):]
	if !strings.Contains(body, "予約を確定する") || !strings.Contains(body, `value="email" disabled`) || strings.Index(pickup, "長浜図書館") > strings.Index(pickup, "大洲図書館") {
		t.Errorf("reserve page: e-mail must be disabled without an address, the usual library first")
	}
	resp, body = do(t, c, "POST", e.URL+"/reserve", url.Values{"csrf": {token}, "pickup_branch": {"nagahama"}, "contact": {"phone"}})
	// One placed, one refused: the page says only some were placed.
	if resp.StatusCode != 200 || !strings.Contains(body, "<h1>一部の資料を予約しました</h1>") || strings.Contains(body, "予約受付完了") ||
		!strings.Contains(body, "予約しました") || !strings.Contains(body, "この資料は現在借りているため、予約できません") {
		t.Fatalf("done page: %d %s", resp.StatusCode, body)
	}
	// The refused title stays in the cart, with its reason; the placed
	// one leaves it.
	_, body = do(t, c, "GET", e.URL+"/cart", nil)
	if !strings.Contains(body, "注文の多い料理店") || strings.Contains(body, "銀河鉄道の夜") || !strings.Contains(body, "この資料は現在借りているため、予約できません") {
		t.Error("the cart should keep the refused title with its reason, and only it")
	}

	// 利用照会: both lists.
	_, body = do(t, c, "GET", e.URL+"/account", nil)
	for _, w := range []string{"貸出中一覧", "注文の多い料理店", "貸出延長", "予約中一覧", "銀河鉄道の夜", "予約待ち（1番目）", "長浜図書館", "電話"} {
		if !strings.Contains(body, w) {
			t.Errorf("account page lacks %q", w)
		}
	}
	holds, _ := e.Server.Circulation.Holds(ctx, p.ID)
	if len(holds) != 1 {
		t.Fatalf("holds: %+v", holds)
	}
	h := holds[0]
	// 変更: pickup library and contact.
	_, body = do(t, c, "GET", e.URL+fmt.Sprintf("/account/holds/%d/change", h.ID), nil)
	if !strings.Contains(body, "変更する") {
		t.Fatal("change page")
	}
	resp, body = do(t, c, "POST", e.URL+fmt.Sprintf("/account/holds/%d/change", h.ID), url.Values{"csrf": {token}, "pickup_branch": {"ozu"}, "contact": {"mobile"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "予約を変更しました") {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	// 貸出延長: confirmation with the new date, then done; a second try is refused in words.
	loans, _ := e.Server.Circulation.Loans(ctx, p.ID)
	renew := fmt.Sprintf("/account/loans/%d/renew", loans[0].ID)
	_, body = do(t, c, "GET", e.URL+renew, nil)
	if !strings.Contains(body, "延長後の返却期限日") || !strings.Contains(body, "変更する") {
		t.Fatal("renew confirmation")
	}
	resp, body = do(t, c, "POST", e.URL+renew, url.Values{"csrf": {token}})
	if resp.StatusCode != 200 || !strings.Contains(body, "貸出を延長しました") {
		t.Fatalf("renew: %d", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.URL+"/account", nil)
	if !strings.Contains(body, "延長済みです") {
		t.Error("the 注意 column should say 延長済みです")
	}
	resp, body = do(t, c, "POST", e.URL+renew, url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "延長済みです。延長は1回までです。") {
		t.Errorf("second renewal: %d", resp.StatusCode)
	}
	// 取消: confirmation, then cancelled.
	cancel := fmt.Sprintf("/account/holds/%d/cancel", h.ID)
	_, body = do(t, c, "GET", e.URL+cancel, nil)
	if !strings.Contains(body, "予約取消の確認") {
		t.Fatal("cancel confirmation")
	}
	resp, body = do(t, c, "POST", e.URL+cancel, url.Values{"csrf": {token}})
	if resp.StatusCode != 200 || !strings.Contains(body, "予約を取り消しました") {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	if holds, _ := e.Server.Circulation.Holds(ctx, p.ID); len(holds) != 0 {
		t.Errorf("hold not cancelled: %+v", holds)
	}
	// Another patron's hold is not found.
	resp, _ = do(t, c, "GET", e.URL+"/account/holds/999999/cancel", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown hold: %d", resp.StatusCode)
	}
}

// TestLiteModeAndMobilePage: /m/ switches to pages without scripts and
// with only the lite stylesheet (under 1 KB); the 携帯サイト page shows
// both addresses with QR codes.
func TestLiteModeAndMobilePage(t *testing.T) {
	e := demoEnv(t)
	c := browser(t)
	resp, body := do(t, c, "GET", e.URL+"/m/", nil)
	if resp.StatusCode != 200 || strings.Contains(body, "<script") || strings.Count(body, "stylesheet") != 1 || !strings.Contains(body, "かんたん表示") {
		t.Fatalf("lite home: %d", resp.StatusCode)
	}
	if css := regexp.MustCompile(`href="(/assets/lite\.[0-9a-f]+\.css)"`).FindStringSubmatch(body); css == nil {
		t.Error("lite home: no lite stylesheet")
	} else if _, sheet := do(t, c, "GET", e.URL+css[1], nil); len(sheet) == 0 || len(sheet) > 1024 {
		t.Errorf("lite stylesheet is %d bytes; want some, under 1 KB", len(sheet))
	}
	_, body = do(t, c, "GET", e.URL+"/search?q="+url.QueryEscape("こころ"), nil)
	if strings.Contains(body, "<script") || !strings.Contains(body, "こころ") || !strings.Contains(body, "通常の表示にする") {
		t.Error("search in lite mode")
	}
	resp, _ = do(t, c, "GET", e.URL+"/m/?off=1", nil)
	_, body = do(t, c, "GET", e.URL+"/", nil)
	if !strings.Contains(body, "<script") {
		t.Error("the full site did not come back")
	}
	_, body = do(t, c, "GET", e.URL+"/pages/mobile", nil)
	if strings.Count(body, `src="data:image/png;base64,`) != 2 || !strings.Contains(body, "/m/") {
		t.Errorf("mobile page without its QR codes")
	}
}

// TestKioskEndsEverything: on a kiosk the 終了する button logs out and
// clears the cart and the browser's storage; a timed-out session does too.
func TestKioskEndsEverything(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	reg, err := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "端末 二", NameYomi: "タンマツ ニ", BirthDate: "1975-06-06"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	e.Server.Accounts.SetPassword(ctx, p.ID, "Kiosk8")
	c := kioskBrowser(t, e, "counter", "counter-pass-1")
	do(t, c, "GET", e.URL+"/login", nil)
	token := csrfFrom(t, c, e.URL)
	do(t, c, "POST", e.URL+"/login", url.Values{"csrf": {token}, "card": {reg.Card}, "password": {"Kiosk8"}})
	_, body := do(t, c, "GET", e.URL+"/account", nil)
	if !strings.Contains(body, "終了する") || !strings.Contains(body, `class="kiosk"`) || !strings.Contains(body, `data-seconds="120"`) {
		t.Fatal("kiosk account page lacks the 終了する button or the countdown")
	}
	resp, _ := do(t, c, "POST", e.URL+"/logout", url.Values{"csrf": {token}})
	if resp.Header.Get("Clear-Site-Data") == "" {
		t.Error("logout on a kiosk does not clear the site's data")
	}
	if sessionValue(c, e.URL) != "" {
		t.Error("session cookie left after logout")
	}
	// Still a kiosk afterwards.
	_, body = do(t, c, "GET", e.URL+"/login", nil)
	if !strings.Contains(body, `autocomplete="off"`) {
		t.Error("the terminal stopped being a kiosk")
	}
}

// TestEveryPostFormHasAToken crawls the pages a patron and staff see and
// checks that every form that posts carries the CSRF token.
func TestEveryPostFormHasAToken(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "csrf:1", Title: "蜘蛛の糸"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{{Barcode: "CS1", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "検査 三", NameYomi: "ケンサ サン", BirthDate: "1966-03-03", Email: "k@example.jp"})
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	e.Server.Accounts.SetPassword(ctx, p.ID, "Kensa3")
	if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, "CS1", "ozu"); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	do(t, c, "GET", e.URL+"/login", nil)
	token := csrfFrom(t, c, e.URL)
	do(t, c, "POST", e.URL+"/cart/add", url.Values{"csrf": {token}, "record_id": {fmt.Sprint(r.ID)}})
	do(t, c, "POST", e.URL+"/login", url.Values{"csrf": {token}, "card": {reg.Card}, "password": {"Kensa3"}})
	loans, _ := e.Server.Circulation.Loans(ctx, p.ID)
	pages := []string{"/login", "/records/" + fmt.Sprint(r.ID), "/cart", "/reserve", "/account", "/account/password", "/account/email",
		fmt.Sprintf("/account/loans/%d/renew", loans[0].ID)}
	form := regexp.MustCompile(`(?s)<form[^>]*method="post"[^>]*>.*?</form>`)
	checked := 0
	for _, pg := range pages {
		_, body := do(t, c, "GET", e.URL+pg, nil)
		for _, f := range form.FindAllString(body, -1) {
			checked++
			if !strings.Contains(f, `name="csrf" value="`+token+`"`) {
				t.Errorf("%s: a form without the token: %.200s", pg, f)
			}
		}
	}
	// Staff pages.
	s, stoken := staffBrowser(t, e, "counter", "counter-pass-1")
	for _, pg := range []string{"/staff", "/staff/patrons/new", "/staff/patrons/" + reg.Card} {
		_, body := do(t, s, "GET", e.URL+pg, nil)
		for _, f := range form.FindAllString(body, -1) {
			checked++
			if !strings.Contains(f, `name="csrf" value="`+stoken+`"`) {
				t.Errorf("%s: a form without the token: %.200s", pg, f)
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d forms found", checked)
	}
}

// TestReserveRefusalsInWords: every refusal of a reservation is a
// sentence on the 予約受付完了 page, next to its title.
func TestReserveRefusalsInWords(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	var recs []int64
	for i := 0; i < 12; i++ {
		r := &store.Record{Source: fmt.Sprintf("rf:%d", i), Title: fmt.Sprintf("資料%02d", i)}
		if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{{Barcode: fmt.Sprintf("RF%d", i), Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r.ID)
	}
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "断 四郎", NameYomi: "コトワリ シロウ", BirthDate: "1955-04-04"})
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	e.Server.Accounts.SetPassword(ctx, p.ID, "Shiro4")
	c := browser(t)
	do(t, c, "GET", e.URL+"/login", nil)
	token := csrfFrom(t, c, e.URL)
	do(t, c, "POST", e.URL+"/login", url.Values{"csrf": {token}, "card": {reg.Card}, "password": {"Shiro4"}})
	reserve := func(ids []int64, pickup, contact string) string {
		for _, id := range ids {
			do(t, c, "POST", e.URL+"/cart/add", url.Values{"csrf": {token}, "record_id": {fmt.Sprint(id)}})
		}
		_, body := do(t, c, "POST", e.URL+"/reserve", url.Values{"csrf": {token}, "pickup_branch": {pickup}, "contact": {contact}})
		return body
	}
	tests := []struct {
		ids             []int64
		pickup, contact string
		want            string
	}{
		{recs[:1], "ozu", "email", "連絡方法にメールを選ぶには、先に利用照会でメールアドレスを登録してください。"},
		{recs[:1], "atlantis", "phone", "指定された図書館はありません。"},
		{recs[:1], "ozu", "pigeon", "連絡方法は、電話・携帯電話・メールから選んでください。"},
		{recs[:10], "ozu", "phone", "予約しました"},
		{recs[:1], "ozu", "phone", "この資料はすでに予約しています。"},
		{recs[10:11], "ozu", "phone", "予約できる件数の上限（10件）に達しています。"},
	}
	for _, tt := range tests {
		do(t, c, "POST", e.URL+"/cart/clear", url.Values{"csrf": {token}})
		if body := reserve(tt.ids, tt.pickup, tt.contact); !strings.Contains(body, tt.want) {
			t.Errorf("pickup %s contact %s: lacks %q", tt.pickup, tt.contact, tt.want)
		}
	}
}
