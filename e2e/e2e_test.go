package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hondana/internal/testbrowser"
)

// TestReserveCart: a patron with JavaScript puts two titles in the cart,
// reserves them, logs in on the way, and finds them in 予約中一覧.
func TestReserveCart(t *testing.T) {
	b := newTab(t)
	reserveTwoTitles(t, b, newPatron(t))
}

// TestReserveCartWithoutJavaScript: the same, with scripts off.
func TestReserveCartWithoutJavaScript(t *testing.T) {
	b := newTab(t)
	b.NoScript()
	reserveTwoTitles(t, b, newPatron(t))
}

func reserveTwoTitles(t *testing.T, b *tab, p patron) {
	t.Helper()
	if st := b.Open("/"); st != http.StatusOK {
		t.Fatalf("GET / = %d", st)
	}
	titles := []string{"こころ", "羅生門"}
	for _, title := range titles {
		b.searchFor(title)
		b.openHit(title)
		b.addToCart()
	}

	// Open the cart from the menu.
	b.Follow("open カート from the menu", chromedp.Click(chromedp.Search(`//nav[contains(@class,"menu-wide")]//a[@href="/cart"]`)))
	if h := b.Text("main h1"); h != "カート" {
		t.Errorf("cart heading = %q; want カート", h)
	}
	if got := b.Texts("main ol.hits li.hit h3 a"); !slices.Equal(got, titles) {
		t.Fatalf("cart lists %q; want %q", got, titles)
	}

	// 予約する needs a login, and comes back to the reservation after it.
	b.pressLink("予約する")
	if u := b.Location(); u.Path != "/login" || u.Query().Get("next") != "/reserve" {
		t.Fatalf("予約する without a login led to %s; want /login?next=/reserve", u)
	}
	b.login(p.Card, p.Password)
	if u := b.Location(); u.Path != "/reserve" {
		t.Fatalf("after the login the page is %s; want /reserve", u)
	}
	if h := b.Text("main h1"); h != "予約の確認" {
		t.Errorf("reservation heading = %q; want 予約の確認", h)
	}
	if got := b.Texts("main ol li a"); !slices.Equal(got, titles) {
		t.Errorf("reservation page lists %q; want %q", got, titles)
	}
	choosePickup(t, b, "長浜図書館")
	b.Do("choose 電話", chromedp.Click(chromedp.CSS(`input[name="contact"][value="phone"]`)))
	if !evalJS[bool](b, `document.querySelector('input[name="contact"][value="phone"]').checked`) {
		t.Errorf("電話 is not chosen after clicking it")
	}
	b.Press("予約を確定する")
	if h := b.Text("main h1"); h != "予約受付完了" {
		t.Fatalf("after 予約を確定する the heading is %q; want 予約受付完了 (page: %q)", h, b.MainText())
	}
	results := b.Texts("main ul.outcomes li")
	if len(results) != len(titles) {
		t.Fatalf("done page lists %q; want one line per title %q", results, titles)
	}
	for _, title := range titles {
		if !slices.ContainsFunc(results, func(r string) bool { return strings.Contains(r, title) && strings.Contains(r, "予約しました") }) {
			t.Errorf("done page %q: no 予約しました for %s", results, title)
		}
	}

	// 利用照会 lists both under 予約中一覧.
	b.Follow("click 利用照会へ戻る", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="利用照会へ戻る"]`)))
	if u := b.Location(); u.Path != "/account" {
		t.Fatalf("利用照会へ戻る led to %s", u)
	}
	if n := len(b.Texts(`meta[http-equiv="refresh"]`)); n != 0 {
		t.Errorf("the account page refreshes itself outside kiosk mode")
	}
	if h := b.Text("#holds-h"); h != "予約中一覧" {
		t.Errorf("holds heading = %q; want 予約中一覧", h)
	}
	rows := b.holdRows()
	for _, title := range titles {
		i := slices.IndexFunc(rows, func(r holdRow) bool { return r.Title == title })
		if i < 0 {
			t.Errorf("予約中一覧 %+v does not list %s", rows, title)
			continue
		}
		r := rows[i]
		if !strings.HasPrefix(r.Status, "予約待ち") && !strings.HasPrefix(r.Status, "回送中") && !strings.HasPrefix(r.Status, "取置中") {
			t.Errorf("%s: status %q; want 予約待ち（n番目）, 回送中 or 取置中", title, r.Status)
		}
		if r.Pickup != "長浜図書館" || r.Contact != "電話" {
			t.Errorf("%s: pickup %q, contact %q; want 長浜図書館, 電話", title, r.Pickup, r.Contact)
		}
	}
	// The cart is empty once everything was reserved.
	b.Open("/cart")
	if n := len(b.Texts("main ol.hits li.hit")); n != 0 {
		t.Errorf("after reserving, the cart still has %d titles", n)
	}
}

// choosePickup picks the library named name in the 受取館 list.
func choosePickup(t *testing.T, b *tab, name string) {
	t.Helper()
	code := evalJS[string](b, `(Array.from(document.querySelectorAll("#pickup option")).find(o => o.innerText.trim() === `+testbrowser.JSString(name)+`) || {value: ""}).value`)
	if code == "" {
		t.Fatalf("no %s among the pickup libraries %q", name, b.Texts("#pickup option"))
	}
	b.Do("choose "+name, chromedp.SetValue(chromedp.ID("pickup"), code))
	if got := evalJS[string](b, `document.querySelector("#pickup").selectedOptions[0].innerText.trim()`); got != name {
		t.Fatalf("pickup shows %q; want %s", got, name)
	}
}

// TestReserveRefusedTitle: a title the patron has on loan is refused, the
// other one in the cart is reserved; the page says that only some were
// placed and which, and the refused title stays in the cart with its
// reason. Reserving it alone again places none, and says so.
func TestReserveRefusedTitle(t *testing.T) {
	p := newPatron(t)
	recs := findRecords(t, "夏目漱石", 2, renewable)
	onLoan, other := recs[0], recs[1]
	it, _ := onLoan.onShelf()
	checkout(t, p, it)
	const why = "この資料は現在借りているため、予約できません。"

	for _, variant := range []string{"js", "nojs"} {
		t.Run(variant, func(t *testing.T) {
			b := newTab(t)
			if variant == "nojs" {
				b.NoScript()
				// The first run placed the other title's hold: cancel it.
				cancelAllHolds(t, p)
			}
			b.Open("/login")
			b.login(p.Card, p.Password)
			if u := b.Location(); u.Path != "/account" {
				t.Fatalf("after the login the page is %s; want /account", u)
			}
			for _, r := range []record{onLoan, other} {
				b.Open(fmt.Sprintf("/records/%d", r.ID))
				b.addToCart()
			}
			b.pressLink("予約する")
			if u := b.Location(); u.Path != "/reserve" {
				t.Fatalf("予約する led to %s; want /reserve", u)
			}
			b.Press("予約を確定する")
			if h := b.Text("main h1"); h != "一部の資料を予約しました" {
				t.Fatalf("heading %q; want 一部の資料を予約しました (page: %q)", h, b.MainText())
			}
			if s := b.Text(`main [role="status"]`); s != "1件の予約を受け付けました。1件は予約できませんでした。理由は下にあります。" {
				t.Errorf("summary %q", s)
			}
			type result struct{ Title, Status, Message string }
			results := evalJS[[]result](b, `Array.from(document.querySelectorAll("main ul.outcomes li"), li => ({
				Title: (li.querySelector("a") || {innerText: ""}).innerText.trim(),
				Status: (li.querySelector(".ok, .out") || {innerText: ""}).innerText.trim(),
				Message: (li.querySelector(".field-error") || {innerText: ""}).innerText.trim()}))`)
			want := []result{
				{other.Title, "予約しました", ""},
				{onLoan.Title, "予約できませんでした", why},
			}
			if !slices.Equal(results, want) {
				t.Errorf("done page results %+v; want %+v", results, want)
			}
			b.shot("reserve", "reserved-some-"+variant)

			// The refused title waits in the cart, with why.
			b.Follow("open the cart from the page", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="カート"]`)))
			if got := b.Texts("main ol.hits li.hit h3"); !slices.Equal(got, []string{onLoan.Title}) {
				t.Fatalf("the cart holds %q; want only the refused %s", got, onLoan.Title)
			}
			if got := b.Text("main ol.hits li.hit .field-error"); got != why {
				t.Errorf("the cart says %q for the refused title; want %s", got, why)
			}

			// Alone, it is refused again: nothing placed, and the page says so.
			b.pressLink("予約する")
			b.Press("予約を確定する")
			if h := b.Text("main h1"); h != "予約できませんでした" {
				t.Errorf("heading %q; want 予約できませんでした", h)
			}
			if s := b.Text(`main [role="status"]`); s != "1件とも予約できませんでした。理由は下にあります。" {
				t.Errorf("summary %q", s)
			}
			if n := strings.Count(b.MainText(), "予約受付完了"); n != 0 {
				t.Errorf("the page says 予約受付完了 though nothing was placed")
			}
			b.shot("reserve", "reserved-none-"+variant)
			b.Open("/cart")
			if got := b.Texts("main ol.hits li.hit h3"); !slices.Equal(got, []string{onLoan.Title}) {
				t.Errorf("after the second refusal the cart holds %q; want %s", got, onLoan.Title)
			}
		})
	}
}

// cancelAllHolds cancels every hold of the patron through the API.
func cancelAllHolds(t *testing.T, p patron) {
	t.Helper()
	var res struct{ Holds []struct{ ID int64 } }
	call(t, "GET", "/me/holds", p.Token, nil, http.StatusOK, &res)
	for _, h := range res.Holds {
		call(t, "DELETE", fmt.Sprintf("/me/holds/%d", h.ID), p.Token, nil, http.StatusNoContent, nil)
	}
}

// pressLink follows the link with the given text in the page's main part
// (a link that looks like a button, such as 予約する).
func (b *tab) pressLink(label string) {
	b.T.Helper()
	b.Follow("follow "+label, chromedp.Click(chromedp.Search(`//main//a[normalize-space()=`+testbrowser.XPathString(label)+`]`)))
}

// TestCancelHold: 取消 in 予約中一覧, confirmed, removes the hold.
func TestCancelHold(t *testing.T) {
	p := newPatron(t)
	recs := findRecords(t, "宮沢賢治", 2, func(record) bool { return true })
	for _, r := range recs {
		placeHold(t, p, r.ID, "ozu")
	}
	gone, kept := recs[0].Title, recs[1].Title

	b := newTab(t)
	b.Open("/account")
	b.login(p.Card, p.Password)
	b.clickInRow("holds-h", gone, "取消")
	if h := b.Text("main h1"); h != "予約取消の確認" {
		t.Errorf("cancel page heading %q; want 予約取消の確認", h)
	}
	if s := b.Text("main p strong"); s != gone {
		t.Errorf("cancel page names %q; want %s", s, gone)
	}
	b.Press("変更する")
	if h := b.Text("main h1"); h != "予約を取り消しました" {
		t.Fatalf("after 変更する the heading is %q; want 予約を取り消しました (page: %q)", h, b.MainText())
	}
	if n := b.Text("main p.notice"); n != "「"+gone+"」の予約を取り消しました。" {
		t.Errorf("notice %q; want 「%s」の予約を取り消しました。", n, gone)
	}
	b.Follow("click 利用照会へ戻る", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="利用照会へ戻る"]`)))
	var titles []string
	for _, r := range b.holdRows() {
		titles = append(titles, r.Title)
	}
	if !slices.Equal(titles, []string{kept}) {
		t.Errorf("予約中一覧 after cancelling = %q; want only %s", titles, kept)
	}
}

// TestChangeHold: 変更 in 予約中一覧 moves the pickup to another library.
func TestChangeHold(t *testing.T) {
	p := newPatron(t)
	r := findRecords(t, "宮沢賢治", 1, func(record) bool { return true })[0]
	placeHold(t, p, r.ID, "ozu")

	b := newTab(t)
	b.Open("/account")
	b.login(p.Card, p.Password)
	rows := b.holdRows()
	if len(rows) != 1 || rows[0].Pickup != "大洲図書館" {
		t.Fatalf("予約中一覧 %+v; want the one hold, at 大洲図書館", rows)
	}
	b.clickInRow("holds-h", r.Title, "変更")
	if h := b.Text("main h1"); h != "予約の変更" {
		t.Errorf("change page heading %q; want 予約の変更", h)
	}
	if got := evalJS[string](b, `document.querySelector("#pickup").selectedOptions[0].innerText.trim()`); got != "大洲図書館" {
		t.Errorf("the change form starts at %q; want the current 大洲図書館", got)
	}
	choosePickup(t, b, "河辺図書館")
	b.Press("変更する")
	if h := b.Text("main h1"); h != "予約を変更しました" {
		t.Fatalf("after 変更する the heading is %q; want 予約を変更しました (page: %q)", h, b.MainText())
	}
	b.Follow("click 利用照会へ戻る", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="利用照会へ戻る"]`)))
	rows = b.holdRows()
	if len(rows) != 1 || rows[0].Title != r.Title || rows[0].Pickup != "河辺図書館" {
		t.Errorf("予約中一覧 after the change %+v; want %s at 河辺図書館", rows, r.Title)
	}
}

// TestRenew: a loan is renewed once; a second time, and a loan someone
// else waits for, show why not and offer no button.
func TestRenew(t *testing.T) {
	ps := newPatrons(t, 2)
	p, other := ps[0], ps[1]
	rec := findRecords(t, "芥川竜之介", 1, renewable)[0]
	it, _ := rec.onShelf()
	checkout(t, p, it)

	b := newTab(t)
	b.Open("/account")
	b.login(p.Card, p.Password)
	row := loanRowOf(t, b, rec.Title)
	if row.RenewHref == "" || row.Notes != "" {
		t.Fatalf("loan %+v; want a 貸出延長 button and no notes", row)
	}
	b.clickInRow("loans-h", rec.Title, "貸出延長")
	if h := b.Text("main h1"); h != "貸出延長の確認" {
		t.Errorf("renew page heading %q; want 貸出延長の確認", h)
	}
	fields := evalJS[map[string]string](b, `Object.fromEntries(Array.from(document.querySelectorAll("main dl.fields dt"), dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))`)
	newDue := fields["延長後の返却期限日"]
	if newDue == "" {
		t.Fatalf("the confirmation shows no 延長後の返却期限日: %v", fields)
	}
	b.Press("変更する")
	if h := b.Text("main h1"); h != "貸出を延長しました" {
		t.Fatalf("after 変更する the heading is %q; want 貸出を延長しました (page: %q)", h, b.MainText())
	}
	if n := b.Text("main p.notice"); !strings.Contains(n, newDue) {
		t.Errorf("notice %q does not give the new due date %s", n, newDue)
	}
	b.Follow("click 利用照会へ戻る", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="利用照会へ戻る"]`)))
	row = loanRowOf(t, b, rec.Title)
	if row.Notes != "延長済みです" || row.RenewHref != "" || row.Renewals != "1" || row.Due != newDue {
		t.Errorf("after renewing: %+v; want 注意 延長済みです, 延長 1, due %s, no 貸出延長 button", row, newDue)
	}

	// A title another patron waits for, and no copy on the shelf for them.
	single := findRecords(t, "宮沢賢治", 1, singleCopy)[0]
	loanID := checkout(t, p, single.Items[0])
	placeHold(t, other, single.ID, "ozu")
	b.Open("/account")
	row = loanRowOf(t, b, single.Title)
	if row.Notes != "他の利用者が予約しています" || row.RenewHref != "" || slices.Contains(row.Buttons, "貸出延長") {
		t.Errorf("a loan someone reserved: %+v; want 注意 他の利用者が予約しています and no 貸出延長 button", row)
	}
	// Typing the address gives the reason, and no button to go on.
	b.Open(fmt.Sprintf("/account/loans/%d/renew", loanID))
	if e := b.Text("main p.error"); e != "他の利用者が予約しています。" {
		t.Errorf("renew page of a reserved loan says %q; want 他の利用者が予約しています。", e)
	}
	if n := len(b.Texts("main form button")); n != 0 {
		t.Errorf("renew page of a reserved loan has %d buttons; want none", n)
	}
}

func loanRowOf(t *testing.T, b *tab, title string) loanRow {
	t.Helper()
	rows := b.loanRows()
	i := slices.IndexFunc(rows, func(r loanRow) bool { return r.Title == title })
	if i < 0 {
		t.Fatalf("貸出中一覧 %+v does not list %s", rows, title)
	}
	return rows[i]
}

// TestForcedPasswordChange: the first login with the temporary password
// leads to the password form, which refuses symbols and then takes a
// good password.
func TestForcedPasswordChange(t *testing.T) {
	p := registerPatrons(t, 1)[0]
	b := newTab(t)
	b.Open("/login")
	b.login(p.Card, tempPassword)
	if u := b.Location(); u.Path != "/account/password" {
		t.Fatalf("login with the temporary password led to %s; want /account/password", u)
	}
	if n := b.Text("main p.notice"); !strings.HasPrefix(n, "仮パスワードでログインしました") {
		t.Errorf("notice %q; want 仮パスワードでログインしました…", n)
	}
	// Nothing else until the password is changed.
	b.Open("/account")
	if u := b.Location(); u.Path != "/account/password" {
		t.Errorf("/account with a temporary password shows %s; want /account/password", u)
	}

	fill := func(old, pw string) {
		t.Helper()
		b.Do("fill in the password form",
			chromedp.SendKeys(chromedp.ID("old_password"), old),
			chromedp.SendKeys(chromedp.ID("new_password"), pw),
			chromedp.SendKeys(chromedp.ID("new_password_confirm"), pw))
		b.Press("変更する")
	}
	fill(tempPassword, "ab!1")
	if e := b.Text("#new-err"); !strings.HasPrefix(e, "記号や空白は使えません") {
		t.Errorf("new password error %q; want 記号や空白は使えません…", e)
	}
	if inv := evalJS[string](b, `document.getElementById("new_password").getAttribute("aria-invalid") || ""`); inv != "true" {
		t.Errorf("new_password aria-invalid = %q; want true", inv)
	}
	fill(tempPassword, newPassword)
	if u := b.Location(); u.Path != "/account" {
		t.Fatalf("after a good password the page is %s; want /account (page: %q)", u, b.MainText())
	}
	if n := b.Text("main p.notice"); n != "パスワードを変更しました。" {
		t.Errorf("notice %q; want パスワードを変更しました。", n)
	}
}

// TestKioskIdleLogout: on a kiosk the session ends after two idle minutes
// on the server, and the account page refreshes itself to the start.
func TestKioskIdleLogout(t *testing.T) {
	p := newPatron(t)
	b := newTab(t)
	b.makeKiosk()
	b.Open("/login")
	b.login(p.Card, p.Password)
	if u := b.Location(); u.Path != "/account" {
		t.Fatalf("after the login the page is %s; want /account", u)
	}
	if !evalJS[bool](b, `document.body.classList.contains("kiosk")`) {
		t.Errorf("the page is not in kiosk mode (no body.kiosk)")
	}
	if refresh := b.kioskRefresh(); refresh != "120;url=/" {
		t.Errorf("the kiosk account page goes back with %q; want 120;url=/", refresh)
	}

	advanceClock(t, "3m")
	b.Open("/account")
	if u := b.Location(); u.Path != "/login" {
		t.Errorf("after 3 idle minutes /account shows %s; want the login page", u)
	}
	if h := b.Text("main h1"); h != "利用照会 ログイン" {
		t.Errorf("heading %q; want 利用照会 ログイン", h)
	}
}

// TestPhoneScreenshots: on a 360 px phone the patron's main pages do not
// scroll sideways; whole-page pictures are left in artifacts/ for people
// (nothing is asserted on pixels).
func TestPhoneScreenshots(t *testing.T) {
	const width, height = 360, 740
	p := newPatron(t)
	// Something in both lists, so the tables show.
	rec := findRecords(t, "夏目漱石", 1, renewable)[0]
	it, _ := rec.onShelf()
	checkout(t, p, it)
	placeHold(t, p, findRecords(t, "宮沢賢治", 1, func(record) bool { return true })[0].ID, "nagahama")

	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	b := newTab(t)
	b.Do("emulate a phone", chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch))

	type box struct {
		ScrollWidth, InnerWidth float64
		Wide                    []string
	}
	measure := fmt.Sprintf(`(() => {
		const wide = [];
		for (const e of document.querySelectorAll("body *")) {
			const x = e.getBoundingClientRect();
			if (x.width > 0 && x.right > %d.5 && wide.length < 5) {
				wide.push(e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "") + " right=" + Math.round(x.right));
			}
		}
		return {ScrollWidth: document.documentElement.scrollWidth, InnerWidth: window.innerWidth, Wide: wide};
	})()`, width)
	shoot := func(name string) {
		t.Helper()
		m := evalJS[box](b, measure)
		if m.InnerWidth != width {
			t.Errorf("%s: window.innerWidth = %v; want %d (the page zoomed out to fit?)", name, m.InnerWidth, width)
		}
		if m.ScrollWidth > width {
			t.Errorf("%s: page scrolls sideways: scrollWidth %v > %d; too wide: %q", name, m.ScrollWidth, width, m.Wide)
		}
		ctx, cancel := context.WithTimeout(b.Ctx, testbrowser.StepTimeout)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			t.Fatalf("%s: screenshot: %v", name, err)
		}
		path := filepath.Join("artifacts", name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		t.Logf("screenshot: e2e/%s", path)
	}

	b.Open("/search?q=" + url.QueryEscape("こころ"))
	if n := len(b.Texts("ol.hits li.hit")); n == 0 {
		t.Fatal("no hits for こころ")
	}
	shoot("phone-search")

	b.Open("/search?q=" + url.QueryEscape("羅生門"))
	b.openHit("羅生門")
	shoot("phone-record")
	b.addToCart()
	b.Open("/search?q=" + url.QueryEscape("こころ"))
	b.openHit("こころ")
	b.addToCart()
	if n := len(b.Texts("main ol.hits li.hit")); n != 2 {
		t.Errorf("the cart has %d titles; want 2", n)
	}
	shoot("phone-cart")

	b.Open("/login")
	b.login(p.Card, p.Password)
	if u := b.Location(); u.Path != "/account" {
		t.Fatalf("after the login the page is %s; want /account", u)
	}
	if len(b.loanRows()) != 1 || len(b.holdRows()) != 1 {
		t.Errorf("account lists %d loans, %d holds; want 1 and 1", len(b.loanRows()), len(b.holdRows()))
	}
	shoot("phone-account")
}
