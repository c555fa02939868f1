package ui_test

// Browser tests: what a patron sees in a real (headless) Chromium over the
// demo library. They need Debian's chromium; without it they are skipped,
// unless HONDANA_REQUIRE_BROWSER=1 (as in CI), which makes a missing browser
// a failure.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"hondana/internal/testbrowser"
)

// browserTimeout bounds a whole browser test, so that nothing hangs.
const browserTimeout = 60 * time.Second

// phoneScreenshot is where TestBrowserPhone leaves a picture for people.
const phoneScreenshot = "/tmp/hondana-phone.png"

// browserTab is one tab of a headless Chromium, pointed at the test
// server; more tabs open in the same browser.
type browserTab struct {
	*testbrowser.Tab
	browser *testbrowser.Browser
}

// newBrowser starts a browser of its own for t (its own profile, so no
// cookies leak between tests) and opens a tab that asks for Japanese.
func newBrowser(t *testing.T) *browserTab {
	t.Helper()
	testbrowser.Require(t)
	env := demoEnv(t) // built before the clock starts: it takes seconds
	b := testbrowser.StartFor(t, browserTimeout)
	return &browserTab{b.NewTab(t, env.URL, browserTimeout), b}
}

// newTab opens a tab in a fresh browser context (its own cookies) of the
// same browser.
func (b *browserTab) newTab(t *testing.T, acceptLanguage string) *browserTab {
	t.Helper()
	nb := &browserTab{b.browser.NewTab(t, b.Base, browserTimeout), b.browser}
	nb.AcceptLanguage(acceptLanguage)
	return nb
}

// with is the same tab, reporting to t (a subtest).
func (b *browserTab) with(t *testing.T) *browserTab { return &browserTab{b.Tab.With(t), b.browser} }

// evalJS evaluates a JavaScript expression in the page.
func evalJS[T any](b *browserTab, expr string) T {
	b.T.Helper()
	return testbrowser.Eval[T](b.Tab, expr)
}

var resultCountRe = regexp.MustCompile(`：(\d+)件`)

// resultCount reads N from the result heading "「…」の検索結果：N件".
func resultCount(t *testing.T, heading string) int {
	t.Helper()
	m := resultCountRe.FindStringSubmatch(heading)
	if m == nil {
		t.Fatalf("result heading %q has no count", heading)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var facetCountRe = regexp.MustCompile(`^(.+?)\s*\((\d+)\)$`)

// TestBrowserSearchWithoutJavaScript follows a patron without JavaScript:
// the header search box, the result list, a facet, a record.
func TestBrowserSearchWithoutJavaScript(t *testing.T) {
	b := newBrowser(t)
	b.NoScript()

	if st := b.Open("/"); st != 200 {
		t.Fatalf("GET / = %d", st)
	}
	if st := b.Follow("search from the header box", chromedp.SendKeys(chromedp.ID("q"), "ぎんがてつどう\n")); st != 200 {
		t.Fatalf("search page status %d", st)
	}
	if u := b.Location(); u.Path != "/search" || u.Query().Get("q") != "ぎんがてつどう" {
		t.Errorf("after submitting, the page is %s; want /search?q=ぎんがてつどう", u)
	}
	heading := b.Text("section.list h2")
	if !strings.Contains(heading, "「ぎんがてつどう」の検索結果") {
		t.Errorf("result heading = %q; want it to say 「ぎんがてつどう」の検索結果", heading)
	}
	total := resultCount(t, heading)
	titles := b.Texts("ol.hits li.hit h3 a")
	if !slices.Contains(titles, "銀河鉄道の夜") {
		t.Fatalf("hits %q do not include 銀河鉄道の夜", titles)
	}
	if total < len(titles) {
		t.Errorf("heading says %d results but %d hits are listed", total, len(titles))
	}

	// Narrow by library: take a value that changes the count.
	const group = `//aside[contains(@class,"facets")]//section[h3="所蔵館"]`
	links := b.XTexts(group + `//li[a]`)
	if len(links) == 0 {
		t.Fatalf("no links in the 所蔵館 facet; facets: %q", b.Texts("aside.facets h3"))
	}
	pick, label, want := -1, "", 0
	for i, l := range links {
		m := facetCountRe.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("facet entry %q is not \"name (count)\"", l)
		}
		n, _ := strconv.Atoi(m[2])
		if n != total {
			pick, label, want = i, m[1], n
			break
		}
	}
	if pick < 0 {
		t.Fatalf("every 所蔵館 facet value %q has the full count %d", links, total)
	}
	b.Follow("click facet "+label, chromedp.Click(chromedp.Search(fmt.Sprintf(`%s//li[a][%d]/a`, group, pick+1))))
	heading = b.Text("section.list h2")
	if got := resultCount(t, heading); got != want {
		t.Errorf("after choosing %s: heading %q; want %d results (the facet's count)", label, heading, want)
	}
	if sel := b.XTexts(group + `//strong[@aria-current="true"]`); len(sel) != 1 || sel[0] != label {
		t.Errorf("selected 所蔵館 = %q; want %q shown as <strong aria-current>", sel, label)
	}
	if len(b.XTexts(group+`//a[contains(@class,"clear")]`)) != 1 {
		t.Errorf("no 絞り込みを解除 link in the 所蔵館 facet once %s is chosen", label)
	}

	// Open a hit: 銀河鉄道の夜 if it is still listed, else the first.
	titles = b.Texts("ol.hits li.hit h3 a")
	if len(titles) == 0 {
		t.Fatalf("no hits after choosing %s", label)
	}
	hit := max(slices.Index(titles, "銀河鉄道の夜"), 0)
	title := titles[hit]
	b.Follow("click hit "+title, chromedp.Click(chromedp.Search(fmt.Sprintf(`(//ol[contains(@class,"hits")]//li[contains(@class,"hit")]//h3/a)[%d]`, hit+1))))
	if u := b.Location(); !strings.HasPrefix(u.Path, "/records/") {
		t.Fatalf("clicking the hit led to %s; want /records/…", u)
	}
	if h1 := b.Text("main h1"); !strings.HasPrefix(h1, title) {
		t.Errorf("record heading = %q; want %q", h1, title)
	}
	if h := b.Text("#copies-h"); h != "所蔵一覧" {
		t.Errorf("copies heading = %q; want 所蔵一覧", h)
	}
	heads := b.Texts("table.copies thead th")
	for _, h := range []string{"所蔵館", "請求記号", "状態"} {
		if !slices.Contains(heads, h) {
			t.Errorf("copies table headers %q lack %s", heads, h)
		}
	}
	type copyRow struct {
		Branch, CallNumber, Status string
	}
	rows := evalJS[[]copyRow](b, `Array.from(document.querySelectorAll("table.copies tbody tr"), tr => {
		const cell = l => { const td = tr.querySelector('td[data-label="' + l + '"]'); return td ? td.innerText.trim() : ""; };
		return {Branch: cell("所蔵館"), CallNumber: cell("請求記号"), Status: cell("状態")};
	})`)
	if len(rows) == 0 {
		t.Fatalf("the 所蔵一覧 table has no rows")
	}
	atBranch := false
	for i, r := range rows {
		if r.Branch == "" || r.CallNumber == "" || r.Status == "" {
			t.Errorf("copy row %d = %+v; want 所蔵館, 請求記号 and 状態 filled in", i+1, r)
		}
		atBranch = atBranch || r.Branch == label
	}
	if !atBranch {
		t.Errorf("the search said this title is held at %s, but its copies are at %+v", label, rows)
	}
}

// TestBrowserLanguage: Japanese for a Japanese browser, English by the
// switch, and the choice is remembered on the next page.
func TestBrowserLanguage(t *testing.T) {
	b := newBrowser(t)

	for _, tc := range []struct {
		acceptLanguage string
		wantLang       string
		want           []string
	}{
		{"ja", "ja", []string{"本日の開館状況", "大洲図書館", "本文へジャンプ"}},
		{"ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "ja", []string{"本日の開館状況", "大洲図書館"}},
		{"en-US,en;q=0.9", "en", []string{"Open today", "Ozu Library"}},
	} {
		t.Run(tc.acceptLanguage, func(t *testing.T) {
			tab := b.newTab(t, tc.acceptLanguage)
			tab.Open("/")
			if l := evalJS[string](tab, `document.documentElement.lang`); l != tc.wantLang {
				t.Errorf("<html lang> = %q; want %q", l, tc.wantLang)
			}
			body := tab.BodyText()
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page does not show %q", w)
				}
			}
		})
	}

	t.Run("switch", func(t *testing.T) {
		tab := b.newTab(t, "ja")
		tab.Open("/")
		if h := tab.Text("#today-h"); !strings.HasPrefix(h, "本日の開館状況") {
			t.Errorf("today heading = %q; want 本日の開館状況", h)
		}
		if names := tab.Texts(".branches-today a"); !slices.Contains(names, "大洲図書館") {
			t.Errorf("branches today = %q; want 大洲図書館 among them", names)
		}
		if sw := tab.Text("a.lang"); sw != "English" {
			t.Fatalf("language switch says %q; want English", sw)
		}
		tab.Follow("click English", chromedp.Click(chromedp.CSS("a.lang")))
		if h := tab.Text("#today-h"); !strings.HasPrefix(h, "Open today") {
			t.Errorf("after the switch, today heading = %q; want Open today", h)
		}
		if names := tab.Texts(".branches-today a"); !slices.Contains(names, "Ozu Library") {
			t.Errorf("after the switch, branches = %q; want Ozu Library", names)
		}
		if l := evalJS[string](tab, `document.documentElement.lang`); l != "en" {
			t.Errorf("after the switch, <html lang> = %q; want en", l)
		}

		// A plain link, no ?lang=: the cookie must carry the choice.
		tab.Follow("click Ozu Library", chromedp.Click(chromedp.Search(`//ul[contains(@class,"branches-today")]//a[.="Ozu Library"]`)))
		u := tab.Location()
		if u.Query().Has("lang") {
			t.Fatalf("the branch link carries ?lang= (%s); it should not need to", u)
		}
		if h := tab.Text("main h1"); h != "Calendar" {
			t.Errorf("next page %s heading = %q; want Calendar (still English)", u.Path, h)
		}
		if h := tab.Text("main h2"); !strings.HasPrefix(h, "Ozu Library") {
			t.Errorf("next page subheading = %q; want Ozu Library …", h)
		}
		if sw := tab.Text("a.lang"); sw != "日本語" {
			t.Errorf("switch on the English page says %q; want 日本語", sw)
		}

		// And back to Japanese, which sticks too.
		tab.Follow("click 日本語", chromedp.Click(chromedp.CSS("a.lang")))
		if h := tab.Text("main h1"); h != "図書館カレンダー" {
			t.Errorf("after switching back, heading = %q; want 図書館カレンダー", h)
		}
		tab.Open("/")
		if h := tab.Text("#today-h"); !strings.HasPrefix(h, "本日の開館状況") {
			t.Errorf("after switching back, home heading = %q; want 本日の開館状況", h)
		}
	})
}

// TestBrowserPhone: on a small phone no page scrolls sideways, and the
// search button is big enough to hit with a thumb.
func TestBrowserPhone(t *testing.T) {
	b := newBrowser(t)
	const width, height = 360, 740
	b.Do("emulate a phone", chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch))

	// A record page: the first hit of an author search.
	b.Open("/search?q=" + url.QueryEscape("夏目漱石"))
	record := evalJS[string](b, `(document.querySelector("ol.hits h3 a") || {}).pathname || ""`)
	if record == "" {
		t.Fatal("no hit for 夏目漱石 to open a record page from")
	}

	type box struct {
		ScrollWidth, InnerWidth float64
		ButtonW, ButtonH        float64
		Wide                    []string
	}
	measure := fmt.Sprintf(`(() => {
		const de = document.documentElement, btn = document.querySelector("form.searchbar button");
		const r = btn ? btn.getBoundingClientRect() : {width: 0, height: 0};
		const wide = [];
		for (const e of document.querySelectorAll("body *")) {
			const x = e.getBoundingClientRect();
			if (x.width > 0 && x.right > %d.5 && wide.length < 5) {
				wide.push(e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "") + " right=" + Math.round(x.right));
			}
		}
		return {ScrollWidth: de.scrollWidth, InnerWidth: window.innerWidth, ButtonW: r.width, ButtonH: r.height, Wide: wide};
	})()`, width)
	for _, page := range []struct {
		name, path string
		status     int64
	}{
		{"home", "/", 200},
		{"search", "/search?q=" + url.QueryEscape("夏目漱石"), 200},
		{"record", record, 200},
		{"calendar", "/calendar", 200},
		{"new", "/new", 200},
		{"ranking", "/ranking/loans", 200},
		{"guide", "/pages/guide", 200},
		{"branches", "/branches", 200},
		{"news", "/news", 200},
		{"not found", "/records/99999999", 404},
	} {
		t.Run(page.name, func(t *testing.T) {
			b := b.with(t)
			if st := b.Open(page.path); st != page.status {
				t.Fatalf("status %d; want %d", st, page.status)
			}
			m := evalJS[box](b, measure)
			// A mobile browser zooms out to fit a page that is too wide,
			// and then innerWidth grows with it (to 508 for a 500 px
			// element): scrollWidth <= innerWidth alone would pass.
			if m.InnerWidth != width {
				t.Errorf("window.innerWidth = %v; want %d (the page zoomed out to fit?)", m.InnerWidth, width)
			}
			if m.ScrollWidth > m.InnerWidth || m.ScrollWidth > width {
				t.Errorf("page scrolls sideways: scrollWidth %v > innerWidth %v; too wide: %q", m.ScrollWidth, m.InnerWidth, m.Wide)
			}
			if m.ButtonH < 44 || m.ButtonW < 44 {
				t.Errorf("search button is %.0f×%.0f px; want at least 44×44 for a finger", m.ButtonW, m.ButtonH)
			}
		})
	}

	// On a phone the calendar hides its notes to fit; a closed day must
	// still say so in text (or to a screen reader), not by colour alone
	// (WCAG 1.4.1): innerText skips what display:none hides.
	t.Run("calendar closed days", func(t *testing.T) {
		b := b.with(t)
		b.Open("/calendar?branch=ozu&month=2026-12")
		silent := evalJS[[]string](b, `Array.from(document.querySelectorAll("table.calendar td.closed"))
			.filter(td => td.innerText.replace(/[0-9]+/, "").trim() === "" && !(td.getAttribute("aria-label") || "").trim())
			.map(td => td.querySelector(".num").textContent)`)
		if len(silent) > 0 {
			t.Errorf("on a %d px screen, closed days %v are marked by colour only (no visible or spoken 休館)", width, silent)
		}
	})

	// A picture for people to look at; nothing is asserted on pixels.
	b.Open("/search?q=" + url.QueryEscape("夏目漱石"))
	ctx, cancel := context.WithTimeout(b.Ctx, testbrowser.StepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(phoneScreenshot, png, 0o644); err != nil {
		t.Logf("could not keep the screenshot: %v", err)
	} else {
		t.Logf("phone screenshot: %s", phoneScreenshot)
	}
}

// TestBrowserKeyboard: Tab reaches the skip link first, then the search box.
func TestBrowserKeyboard(t *testing.T) {
	b := newBrowser(t)
	path := "/search?q=" + url.QueryEscape("こころ")
	b.Open(path)

	type focused struct {
		Tag, ID, Class, Text, Href string
		Left, Width                float64
	}
	const active = `(() => { const e = document.activeElement, r = e.getBoundingClientRect();
		return {Tag: e.tagName.toLowerCase(), ID: e.id, Class: String(e.className), Text: (e.innerText || "").trim(),
			Href: e.getAttribute("href") || "", Left: r.left, Width: r.width}; })()`
	tab := chromedp.KeyEvent(kb.Tab)

	b.Do("press Tab", tab)
	first := evalJS[focused](b, active)
	if first.Tag != "a" || first.Text != "本文へジャンプ" || first.Href != "#main" {
		t.Errorf("first Tab focuses %+v; want the skip link 本文へジャンプ to #main", first)
	}
	if first.Left < 0 || first.Width == 0 {
		t.Errorf("the focused skip link is off screen (left %v, width %v); it must show when focused", first.Left, first.Width)
	}

	var seen []string
	reached := false
	for i := 0; i < 6 && !reached; i++ {
		b.Do("press Tab", tab)
		f := evalJS[focused](b, active)
		seen = append(seen, f.Tag+"#"+f.ID+" "+f.Text)
		reached = f.ID == "q"
	}
	if !reached {
		t.Errorf("the header search box #q is not reached by Tab; focus went %q", seen)
	}

	// The skip link, used, takes the reader to the main content.
	b.Open(path)
	b.Do("press Tab, Enter", tab, chromedp.KeyEvent(kb.Enter))
	if h := evalJS[string](b, `location.hash`); h != "#main" {
		t.Errorf("after Enter on the skip link, location.hash = %q; want #main", h)
	}
}

// TestBrowserCalendar: the month grid marks closed days, and the branch
// picker works without JavaScript.
func TestBrowserCalendar(t *testing.T) {
	b := newBrowser(t)
	b.NoScript()

	type cell struct {
		Num   int
		Class string
		Note  string
		Hours string
	}
	const read = `Array.from(document.querySelectorAll("table.calendar tbody td:not(.empty)"), td => ({
		Num: Number(td.querySelector(".num").textContent),
		Class: td.className,
		Note: ((td.querySelector(".note") || {}).innerText || "").trim(),
		Hours: ((td.querySelector(".hours") || {}).innerText || "").trim()}))`
	check := func(t *testing.T, branch string, closedWeekdays ...time.Weekday) {
		t.Helper()
		cells := evalJS[[]cell](b, read)
		if len(cells) != 31 {
			t.Fatalf("%s: December has %d day cells; want 31", branch, len(cells))
		}
		for i, c := range cells {
			d := time.Date(2026, 12, i+1, 0, 0, 0, 0, time.UTC)
			classes := strings.Fields(c.Class)
			closed := slices.Contains(classes, "closed")
			if c.Num != i+1 {
				t.Errorf("%s: cell %d shows day %d", branch, i+1, c.Num)
			}
			if !slices.Contains(classes, fmt.Sprintf("wd%d", d.Weekday())) {
				t.Errorf("%s: Dec %d (%s) is in the wrong column: class %q", branch, i+1, d.Weekday(), c.Class)
			}
			switch {
			case i+1 >= 29:
				if !closed || !strings.Contains(c.Note, "年末年始") {
					t.Errorf("%s: Dec %d class %q note %q; want closed with a 年末年始 note", branch, i+1, c.Class, c.Note)
				}
			case slices.Contains(closedWeekdays, d.Weekday()):
				if !closed || c.Note == "" {
					t.Errorf("%s: Dec %d (%s) class %q note %q; want closed, with a note", branch, i+1, d.Weekday(), c.Class, c.Note)
				}
			case i+1 == 1 || i+1 == 2:
				// Tue 1 and Wed 2 December are ordinary days for ozu and kawabe.
				if closed || c.Hours == "" {
					t.Errorf("%s: Dec %d class %q hours %q; want open with hours", branch, i+1, c.Class, c.Hours)
				}
			}
		}
	}

	b.Open("/calendar?branch=ozu&month=2026-12")
	if h := b.Text("main h2"); h != "大洲図書館 2026年12月" {
		t.Errorf("calendar heading = %q; want 大洲図書館 2026年12月", h)
	}
	if wd := b.Texts("table.calendar thead th"); strings.Join(wd, "") != "日月火水木金土" {
		t.Errorf("weekday headers = %q; want 日…土", wd)
	}
	check(t, "ozu", time.Monday)

	// Pick another library and press the button (no script to do it).
	b.Do("choose 河辺図書館", chromedp.SetValue(chromedp.ID("cb"), "kawabe"))
	if st := b.Follow("submit the branch form", chromedp.Click(chromedp.CSS("form.calpick button"))); st != 200 {
		t.Fatalf("branch form: status %d", st)
	}
	u := b.Location()
	if u.Path != "/calendar" || u.Query().Get("branch") != "kawabe" || u.Query().Get("month") != "2026-12" {
		t.Errorf("branch form led to %s; want /calendar?branch=kawabe&month=2026-12", u)
	}
	if h := b.Text("main h2"); h != "河辺図書館 2026年12月" {
		t.Errorf("after switching, heading = %q; want 河辺図書館 2026年12月", h)
	}
	if v := evalJS[string](b, `document.getElementById("cb").value`); v != "kawabe" {
		t.Errorf("after switching, the picker shows %q; want kawabe", v)
	}
	check(t, "kawabe", time.Monday, time.Thursday)

	// With JavaScript, choosing a library is enough (app.js submits).
	if _, err := chromedp.Call(b.Ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatalf("enable scripts: %v", err)
	}
	b.Open("/calendar?branch=ozu&month=2026-12")
	b.Follow("choose 長浜図書館 with JavaScript", chromedp.Evaluate[chromedp.Void](
		`(() => { const s = document.getElementById("cb"); s.value = "nagahama"; s.dispatchEvent(new Event("change")); })()`))
	if h := b.Text("main h2"); h != "長浜図書館 2026年12月" {
		t.Errorf("after choosing with JavaScript, heading = %q; want 長浜図書館 2026年12月", h)
	}
}

// TestBrowserBadInput: nonsense in the address bar gives a normal page
// with a Japanese explanation, never a blank page or a server error.
func TestBrowserBadInput(t *testing.T) {
	b := newBrowser(t)
	for _, tc := range []struct {
		name, path string
		status     int64 // 0: any status below 500
		want       string
	}{
		{"query syntax", `/search?q=%22%22%22title:*`, 200, "検索結果"},
		{"open brackets", `/search?q=(((`, 200, "検索結果"},
		{"too long", "/search?q=" + strings.Repeat("%E3%81%82", 300), 422, "256文字以内"},
		{"page 0", "/search?q=" + url.QueryEscape("こころ") + "&page=0", 422, "1以上の整数"},
		{"no such record", "/records/99999999", 404, "指定された資料は見つかりませんでした"},
		{"bad month", "/calendar?branch=ozu&month=2026-13", 422, "YYYY-MM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := b.with(t)
			st := b.Open(tc.path)
			if st >= 500 || (tc.status != 0 && st != tc.status) {
				t.Errorf("status %d; want %d", st, tc.status)
			}
			body := b.BodyText()
			if strings.TrimSpace(body) == "" {
				t.Fatal("blank page")
			}
			main := b.Text("main")
			if !strings.Contains(main, tc.want) {
				t.Errorf("main text %q; want it to contain %q", main, tc.want)
			}
			if h1 := b.Text("main h1"); h1 == "" {
				t.Error("no heading")
			}
			if l := evalJS[string](b, `document.documentElement.lang`); l != "ja" {
				t.Errorf("<html lang> = %q; want ja", l)
			}
			if strings.Contains(body, "申し訳ありません") {
				t.Errorf("the page says an internal error happened: %q", main)
			}
			if n := len(b.Texts("form.searchbar #q")); n != 1 {
				t.Errorf("no search box to try again (%d)", n)
			}
		})
	}
}
