package e2e

// The patron web's finish (issue 18, defects 1–9): each test measures in
// the browser what a patron sees at 360 and 1280 px, with and without
// JavaScript where it matters, and leaves pictures in artifacts/.

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"hondana/internal/testbrowser"
)

// variants are the browsers a layout is tried in: each width, with
// JavaScript and without.
type variant struct {
	Width int64
	JS    bool
}

func (v variant) String() string {
	js := "js"
	if !v.JS {
		js = "nojs"
	}
	return fmt.Sprintf("%d-%s", v.Width, js)
}

var variants = []variant{{360, true}, {360, false}, {1280, true}, {1280, false}}

// open is a tab set up as v says.
func (v variant) open(t *testing.T) *tab {
	b := newTab(t)
	if !v.JS {
		b.NoScript()
	}
	b.setWidth(v.Width)
	return b
}

// box is an element's place on the screen, in CSS pixels.
type box struct{ Left, Top, Width, Height float64 }

func (x box) bottom() float64 { return x.Top + x.Height }

// boxOf is the box of the first element matching css (zero when none).
func (b *tab) boxOf(css string) box {
	b.T.Helper()
	return evalJS[box](b, `(() => { const e = document.querySelector(`+testbrowser.JSString(css)+`); if (!e) return {};
		const r = e.getBoundingClientRect(); return {Left: r.left + scrollX, Top: r.top + scrollY, Width: r.width, Height: r.height}; })()`)
}

// choice is a radio button or check box and its label, measured.
type choice struct {
	Label         string
	Input, Text   box
	LabelBox      box
	Checked       bool
	LabelWraps    bool
	InputInsideLb bool
}

// choices measures the radios and check boxes in the page's main part.
func (b *tab) choices() []choice {
	b.T.Helper()
	return evalJS[[]choice](b, `Array.from(document.querySelectorAll("main input[type=radio], main input[type=checkbox]"), i => {
		const rect = e => { const r = e.getBoundingClientRect(); return {Left: r.left + scrollX, Top: r.top + scrollY, Width: r.width, Height: r.height}; };
		const l = i.closest("label");
		const range = document.createRange();
		const texts = l ? Array.from(l.childNodes).filter(n => n.nodeType === 3 && n.textContent.trim() !== "") : [];
		let text = {};
		if (texts.length) { range.setStart(texts[0], 0); const last = texts[texts.length - 1]; range.setEnd(last, last.textContent.length);
			const r = range.getBoundingClientRect(); text = {Left: r.left + scrollX, Top: r.top + scrollY, Width: r.width, Height: r.height}; }
		return {Label: l ? l.innerText.trim() : "", Input: rect(i), Text: text, LabelBox: l ? rect(l) : {}, Checked: i.checked,
			LabelWraps: !!l, InputInsideLb: !!l && l.contains(i)};
	})`)
}

// checkChoices: every radio and check box is a small square on its
// label's line, before the text, and its label is a tap target at least
// 44 px high.
func checkChoices(t *testing.T, b *tab, page string, want int) {
	t.Helper()
	cs := b.choices()
	if len(cs) < want {
		t.Fatalf("%s: %d radios/check boxes; want at least %d", page, len(cs), want)
	}
	for _, c := range cs {
		in, tx, lb := c.Input, c.Text, c.LabelBox
		switch {
		case !c.InputInsideLb:
			t.Errorf("%s: %q: the input is not inside its label", page, c.Label)
			continue
		case math.Abs(in.Width-in.Height) > 2 || in.Height > 32:
			t.Errorf("%s: %q: the input is %.0f×%.0f px; want a small square", page, c.Label, in.Width, in.Height)
		}
		mid := in.Top + in.Height/2
		if mid < tx.Top || mid > tx.bottom() {
			t.Errorf("%s: %q: the input's middle (y %.0f) is off its text's line (y %.0f–%.0f)", page, c.Label, mid, tx.Top, tx.bottom())
		}
		if in.Left+in.Width > tx.Left+1 {
			t.Errorf("%s: %q: the input (x %.0f–%.0f) is not before its text (x %.0f)", page, c.Label, in.Left, in.Left+in.Width, tx.Left)
		}
		if lb.Height < 44 {
			t.Errorf("%s: %q: the label is %.0f px high; want a tap target of at least 44 px", page, c.Label, lb.Height)
		}
	}
}

// TestRadiosSitOnTheirLabels (issue 18, 1): on 予約の確認 and 予約の変更 the
// 連絡方法 radios sit on their labels' lines, and the whole label, 44 px
// high, chooses: a tap near its top edge, far right of the text, works.
func TestRadiosSitOnTheirLabels(t *testing.T) {
	p := newPatron(t)
	recs := findRecords(t, "宮沢賢治", 2, func(record) bool { return true })
	hold := placeHold(t, p, recs[0].ID, "ozu")
	for _, v := range variants {
		t.Run(v.String(), func(t *testing.T) {
			b := v.open(t)
			b.Open(fmt.Sprintf("/records/%d", recs[1].ID))
			b.addToCart()
			b.Open("/reserve")
			b.login(p.Card, p.Password)
			if h := b.Text("main h1"); h != "予約の確認" {
				t.Fatalf("heading %q; want 予約の確認", h)
			}
			checkChoices(t, b, "予約の確認", 3)
			b.shot("radios", "reserve-"+v.String())

			// A tap on the label, away from the radio and its text.
			lb := evalJS[box](b, `(() => { const l = document.querySelector('input[name="contact"][value="mobile"]').closest("label").getBoundingClientRect();
				return {Left: l.left, Top: l.top, Width: l.width, Height: l.height}; })()`)
			b.Do("tap the label of 携帯電話", chromedp.MouseClickXY(lb.Left+lb.Width*0.8, lb.Top+4))
			if !evalJS[bool](b, `document.querySelector('input[name="contact"][value="mobile"]').checked`) {
				t.Errorf("a tap on the label of 携帯電話 (at its top edge, far right) did not choose it")
			}

			b.Open(fmt.Sprintf("/account/holds/%d/change", hold))
			if h := b.Text("main h1"); h != "予約の変更" {
				t.Fatalf("heading %q; want 予約の変更", h)
			}
			checkChoices(t, b, "予約の変更", 3)
			b.shot("radios", "change-"+v.String())
		})
	}
}

// TestKioskForgetsTheStranger (issue 18, 3; R42): on a kiosk a cart built
// without logging in and a search are gone after the idle time, so the
// next person's login does not carry them; every page says it is a
// kiosk and goes back to the start by itself; the switch says it is on.
func TestKioskForgetsTheStranger(t *testing.T) {
	p := newPatron(t)
	rec := findRecords(t, "宮沢賢治", 1, func(record) bool { return true })[0]
	for _, v := range []variant{{360, true}, {1280, false}} {
		t.Run(v.String(), func(t *testing.T) {
			b := v.open(t)
			b.makeKiosk()
			if u := b.Location(); u.Path != "/kiosk" || u.Query().Get("on") != "1" {
				t.Errorf("after the switch the page is %s; want /kiosk?on=1", u)
			}
			if s := b.Text("main p.notice"); s != "この端末をキオスクにしました。" {
				t.Errorf("the switch's page says %q; want この端末をキオスクにしました。", s)
			}
			if s := b.MainText(); !strings.Contains(s, "この端末はキオスクです。") {
				t.Errorf("/kiosk?on=1 does not say the terminal is a kiosk: %q", s)
			}

			b.Open(fmt.Sprintf("/records/%d", rec.ID))
			b.addToCart()
			mark, h1 := b.boxOf(".kiosk-mark"), b.boxOf("main h1")
			if got := b.Text(".kiosk-mark"); got != "館内端末" || mark.Height == 0 || mark.Top > h1.Top {
				t.Errorf("kiosk marker %q at %+v; want 館内端末 above the page's heading (%+v)", got, mark, h1)
			}
			if refresh := b.kioskRefresh(); refresh != "120;url=/" {
				t.Errorf("the anonymous cart page on a kiosk goes back with %q; want 120;url=/", refresh)
			}
			if s := b.Text(".kiosk-bar .countdown"); !strings.Contains(s, "最初の画面に戻") {
				t.Errorf("the kiosk bar says %q; want when it goes back to the start", s)
			}
			b.shot("kiosk", "cart-"+v.String())

			// A search typed and shown: the results page goes back too.
			b.Open("/search?q=" + url.QueryEscape("宮沢賢治"))
			if r := b.kioskRefresh(); r != "120;url=/" {
				t.Errorf("a search on a kiosk goes back with %q; want 120;url=/", r)
			}

			// Two idle minutes later the next person logs in: no cart.
			advanceClock(t, "3m")
			b.Open("/cart")
			if n := len(b.Texts("main ol.hits li.hit")); n != 0 {
				t.Fatalf("after 3 idle minutes the kiosk's cart still holds %d titles", n)
			}
			b.Open("/login?next=%2Freserve")
			b.login(p.Card, p.Password)
			if u := b.Location(); u.Path != "/cart" {
				t.Errorf("the next person's 予約 led to %s; want the (empty) cart", u)
			}
			if n := len(b.Texts("main ol.hits li.hit")); n != 0 {
				t.Errorf("the next person found %d titles of the stranger in the cart", n)
			}

			// Within the idle time the cart stays: only idling clears it.
			b.Open(fmt.Sprintf("/records/%d", rec.ID))
			b.addToCart()
			advanceClock(t, "1m")
			b.Open("/cart")
			if n := len(b.Texts("main ol.hits li.hit")); n != 1 {
				t.Errorf("a minute later the cart holds %d titles; want the 1 just added", n)
			}
			b.Press("カートを空にする")
		})
	}
}

// kioskRefresh says how a kiosk page goes back to the start, as
// "seconds;url=/": without JavaScript by its <meta http-equiv="refresh">
// (inside <noscript>), with it by app.js's countdown, which must then be
// there and running; "" when neither.
func (b *tab) kioskRefresh() string {
	b.T.Helper()
	return evalJS[string](b, `(() => {
		const m = document.querySelector('meta[http-equiv="refresh"]');
		if (m) return m.content;
		const cd = document.querySelector(".countdown[data-seconds]"), ns = document.querySelector("head noscript");
		const want = ns ? (ns.textContent.match(/content="([^"]*)"/) || [])[1] : "";
		return cd && want && want.startsWith(cd.dataset.seconds + ";") ? want : "";
	})()`)
}

// TestLiteModeOnAPhone (issue 18, 4): in lite mode the first hit comes
// before any filter, the filters fold after the results, and the copies
// table is a list on a phone.
func TestLiteModeOnAPhone(t *testing.T) {
	rec := findRecords(t, "夏目漱石", 1, func(r record) bool { return len(r.Items) >= 2 })[0]
	for _, v := range []variant{{360, false}, {1280, false}} {
		t.Run(v.String(), func(t *testing.T) {
			b := v.open(t)
			b.Open("/m/")
			b.Open("/search?q=" + url.QueryEscape("夏目漱石"))
			hit, filters := b.boxOf("ol.hits li.hit"), b.boxOf("#filters")
			if hit.Height == 0 || filters.Height == 0 {
				t.Fatalf("lite search: hit %+v, filters %+v; want both", hit, filters)
			}
			if hit.Top > filters.Top {
				t.Errorf("the first hit starts at y %.0f, below the filters at %.0f; want results first", hit.Top, filters.Top)
			}
			if hit.Top > 700 {
				t.Errorf("the first hit starts at y %.0f; want it on the first screen (< 700)", hit.Top)
			}
			if evalJS[bool](b, `document.querySelector("details#filters").open`) {
				t.Errorf("the filters are unfolded; want them folded under 絞り込み")
			}
			if s := b.Text("details#filters summary"); s != "絞り込み" {
				t.Errorf("the filters' toggle says %q; want 絞り込み", s)
			}
			for _, c := range b.choices() {
				if math.Abs(c.Input.Width-c.Input.Height) > 2 {
					t.Errorf("lite: %q: the check box is %.0f×%.0f px; want a small square", c.Label, c.Input.Width, c.Input.Height)
				}
			}
			b.shot("lite", "search-"+v.String())

			b.Open(fmt.Sprintf("/records/%d", rec.ID))
			cell := b.boxOf(`table.copies td[data-label="所蔵館"]`)
			display := evalJS[string](b, `getComputedStyle(document.querySelector('table.copies td')).display`)
			if v.Width < 480 {
				if display != "block" || cell.Width < 300 {
					t.Errorf("at %d px the copies table's cells are %s, 所蔵館 %.0f px wide; want a list (blocks) across the screen", v.Width, display, cell.Width)
				}
			} else if display != "table-cell" {
				t.Errorf("at %d px the copies table's cells are %s; want a table", v.Width, display)
			}
			b.shot("lite", "record-"+v.String())
			b.Open("/m/?off=1")
		})
	}
}

// TestMobileLayout (issue 18, 5): one search box on the search page;
// results before the filters, with a 絞り込み link at the top that leads
// to them; the menu in three groups with 44 px targets; the hours in
// the 360 px calendar.
func TestMobileLayout(t *testing.T) {
	for _, v := range variants {
		t.Run(v.String(), func(t *testing.T) {
			b := v.open(t)
			b.Open("/search?q=" + url.QueryEscape("夏目漱石"))
			if n := len(b.Texts(`input[type="search"], input[type="text"]`)); n != 1 {
				t.Errorf("the search page has %d search boxes; want 1", n)
			}
			hit, filters := b.boxOf("ol.hits li.hit"), b.boxOf("#filters")
			toggle := b.boxOf("a.to-filters")
			if v.Width < 800 {
				if hit.Top > filters.Top {
					t.Errorf("the first hit (y %.0f) comes after the filters (y %.0f)", hit.Top, filters.Top)
				}
				if toggle.Height < 44 || toggle.Top > hit.Top {
					t.Errorf("the 絞り込み link %+v: want it above the first hit (y %.0f), 44 px high", toggle, hit.Top)
				}
				b.Do("follow 絞り込み", chromedp.Click(chromedp.CSS("a.to-filters")))
				if u := b.Location(); u.Fragment != "filters" {
					t.Errorf("絞り込み led to %s; want #filters", u)
				}
				if y := evalJS[float64](b, `document.querySelector("#filters").getBoundingClientRect().top`); math.Abs(y) > 2 {
					t.Errorf("after 絞り込み the filters start %.0f px from the top of the screen; want 0", y)
				}
			} else {
				if filters.Left+filters.Width > hit.Left || math.Abs(filters.Top-hit.Top) > 200 {
					t.Errorf("at %d px the filters %+v do not stand left of the hits %+v", v.Width, filters, hit)
				}
				if toggle.Height != 0 {
					t.Errorf("at %d px the 絞り込み link shows (%+v)", v.Width, toggle)
				}
			}
			b.shot("layout", "search-"+v.String())

			// The menu: 探す / 利用する / 図書館について, every link 44 px.
			menu := "nav.menu-wide"
			if v.Width < 900 {
				menu = "details.menu"
				b.Do("open the menu", chromedp.Click(chromedp.CSS("details.menu > summary")))
				if h := b.boxOf("details.menu > summary").Height; h < 44 {
					t.Errorf("the メニュー button is %.0f px high; want 44", h)
				}
			}
			if got := b.Texts(menu + " .menu-h"); !slices.Equal(got, []string{"探す", "利用する", "図書館について"}) {
				t.Errorf("menu groups %q; want 探す, 利用する, 図書館について", got)
			}
			type link struct {
				Text   string
				Height float64
			}
			links := evalJS[[]link](b, `Array.from(document.querySelectorAll(`+testbrowser.JSString(menu+" a")+`), a => ({Text: a.innerText.trim(), Height: a.getBoundingClientRect().height}))`)
			if len(links) < 15 {
				t.Errorf("the menu has %d links; want the site's pages", len(links))
			}
			for _, l := range links {
				if l.Height < 44 {
					t.Errorf("menu link %s is %.0f px high; want 44", l.Text, l.Height)
				}
			}
			b.shot("layout", "menu-"+v.String())

			// The calendar shows each open day's hours.
			b.Open("/calendar")
			type day struct {
				Hours            string
				Height, Overflow float64
			}
			days := evalJS[[]day](b, `Array.from(document.querySelectorAll("table.calendar td.open"), td => { const h = td.querySelector(".hours");
				return {Hours: h ? h.innerText.replace(/\s+/g, " ").trim() : "", Height: h ? h.getBoundingClientRect().height : 0, Overflow: td.scrollWidth - td.clientWidth}; })`)
			if len(days) == 0 {
				t.Fatal("no open day in the calendar")
			}
			for _, d := range days {
				if d.Height == 0 || !strings.Contains(d.Hours, ":") {
					t.Errorf("an open day shows hours %q (%.0f px high); want them visible", d.Hours, d.Height)
					break
				}
				if d.Overflow > 0 {
					t.Errorf("an open day's hours %q overflow the cell by %.0f px", d.Hours, d.Overflow)
					break
				}
			}
			if sw := evalJS[float64](b, `document.documentElement.scrollWidth`); sw > float64(v.Width) {
				t.Errorf("the calendar scrolls sideways: %v > %d", sw, v.Width)
			}
			b.shot("layout", "calendar-"+v.String())
		})
	}
}

// TestAccountLists (issue 18, 6): 利用照会 lists 貸出日 and 予約日; the cells
// of a row share a line; notes are a list and not a column of their own
// on a phone, where each loan and hold is a card without empty lines.
func TestAccountLists(t *testing.T) {
	ps := newPatrons(t, 2)
	p, other := ps[0], ps[1]
	// One copy each, so that the other patron's hold waits for this
	// patron's copy instead of taking another from the shelf.
	recs := findRecords(t, "夏目漱石", 2, singleCopy)
	for _, r := range recs {
		checkout(t, p, r.Items[0])
	}
	// The first loan gets two notes: someone waits for it, and (after
	// the clock moves past the due date) it is overdue.
	placeHold(t, other, recs[0].ID, "ozu")
	placeHold(t, p, findRecords(t, "宮沢賢治", 1, func(record) bool { return true })[0].ID, "nagahama")
	advanceClock(t, "400h") // 16 days and a bit: past the 14-day loan
	for _, v := range variants {
		t.Run(v.String(), func(t *testing.T) {
			b := v.open(t)
			b.Open("/account")
			b.login(p.Card, p.Password)
			loans := b.loanRows()
			if len(loans) != 2 {
				t.Fatalf("貸出中一覧 %+v; want 2 loans", loans)
			}
			heads := b.Texts(`section[aria-labelledby="loans-h"] thead th`)
			if !slices.Contains(heads, "貸出日") {
				t.Errorf("貸出中一覧 columns %q; want 貸出日", heads)
			}
			if h := b.Texts(`section[aria-labelledby="holds-h"] thead th`); !slices.Contains(h, "予約日") {
				t.Errorf("予約中一覧 columns %q; want 予約日", h)
			}
			if d := b.Text(`section[aria-labelledby="loans-h"] td[data-label="貸出日"]`); !strings.Contains(d, "年") {
				t.Errorf("貸出日 %q; want a date", d)
			}
			if d := b.Text(`section[aria-labelledby="holds-h"] td[data-label="予約日"]`); !strings.Contains(d, "年") {
				t.Errorf("予約日 %q; want a date", d)
			}
			row := evalJS[int](b, `Array.from(document.querySelectorAll('section[aria-labelledby="loans-h"] tbody tr')).findIndex(tr => tr.cells[0].innerText.trim() === `+testbrowser.JSString(recs[0].Title)+`) + 1`)
			if row == 0 {
				t.Fatalf("貸出中一覧 %+v does not list %s", loans, recs[0].Title)
			}
			waited := fmt.Sprintf(`section[aria-labelledby="loans-h"] tbody tr:nth-child(%d)`, row)
			notes := b.Texts(waited + ` td[data-label="注意"] li`)
			if !slices.Equal(notes, []string{"他の利用者が予約しています", "返却期限日が過ぎています"}) {
				t.Errorf("the notes of %s: %q; want two list items", recs[0].Title, notes)
			}

			// Every cell's first line of text on one baseline (a row's
			// title link no lower than its other cells).
			firstLines := `Array.from(document.querySelector('section[aria-labelledby="loans-h"] tbody tr').cells).filter(td => td.innerText.trim() !== "" && getComputedStyle(td).display === "table-cell").map(td => {
				const w = document.createTreeWalker(td, NodeFilter.SHOW_TEXT); let n = w.nextNode(); while (n && !n.textContent.trim()) n = w.nextNode();
				const r = document.createRange(); r.selectNodeContents(n); return r.getClientRects()[0].bottom; })`
			if v.Width >= 800 {
				tops := evalJS[[]float64](b, firstLines)
				if spread := slices.Max(tops) - slices.Min(tops); len(tops) < 2 || spread > 3 {
					t.Errorf("the loan row's cells' first lines are %.0f px apart (%v); want one line", spread, tops)
				}
				// A title on two lines (a long one; here its column made
				// narrow) keeps the row on its first line.
				tops = evalJS[[]float64](b, `(() => { const td = document.querySelector('section[aria-labelledby="loans-h"] tbody tr td.title');
					td.style.width = "3em"; td.style.maxWidth = "3em"; return `+firstLines+`; })()`)
				if spread := slices.Max(tops) - slices.Min(tops); len(tops) < 2 || spread > 3 {
					t.Errorf("with the title on two lines the row's first lines are %.0f px apart (%v); want one line", spread, tops)
				}
				b.Open("/account")
			}

			// On a phone: cards; no empty 注意 line; notes as wide as the card.
			if v.Width < 600 {
				display := evalJS[string](b, `getComputedStyle(document.querySelector('section[aria-labelledby="loans-h"] tbody tr')).display`)
				if display != "block" {
					t.Errorf("at %d px a loan row is %s; want a card (block)", v.Width, display)
				}
				empty := evalJS[int](b, `Array.from(document.querySelectorAll('table.list td')).filter(td => td.innerText.trim() === "" && td.getBoundingClientRect().height > 0).length`)
				if empty != 0 {
					t.Errorf("%d empty lines show in the cards", empty)
				}
				nb := b.boxOf(waited + ` td[data-label="注意"] ul`)
				if nb.Width < 150 {
					t.Errorf("the notes stand in a %.0f px column; want them across the card", nb.Width)
				}
			}
			b.shot("account", "account-"+v.String())
		})
	}
}

// TestAccessibilityDetails (issue 18, 7): what axe-core does not judge.
// The home page has an h1; the login pages put the cursor in the first
// field; Japanese pages label their landmarks in Japanese; English pages
// mark Japanese titles lang="ja".
func TestAccessibilityDetails(t *testing.T) {
	b := newTab(t)
	b.Open("/")
	if h := b.Texts("h1"); len(h) != 1 || h[0] == "" {
		t.Errorf("home page h1s: %q; want one", h)
	}
	for _, page := range []struct{ path, first string }{{"/login", "card"}, {"/staff/login", "username"}} {
		b.Open(page.path)
		// Chromium runs autofocus at a rendering step after the load
		// event, so a loaded machine may need a moment.
		id := ""
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if id = evalJS[string](b, `document.activeElement ? document.activeElement.id : ""`); id == page.first || time.Now().After(deadline) {
				break
			}
		}
		if id != page.first {
			t.Errorf("%s: the cursor is in %q; want #%s", page.path, id, page.first)
		}
	}
	b.Open("/search?q=" + url.QueryEscape("夏目漱石"))
	for _, l := range evalJS[[]string](b, `Array.from(document.querySelectorAll("[aria-label]"), e => e.getAttribute("aria-label"))`) {
		if !strings.ContainsFunc(l, func(r rune) bool { return r > 0x3000 }) {
			t.Errorf("aria-label %q on a Japanese page; want Japanese", l)
		}
	}
	b.AcceptLanguage("en")
	b.Open("/search?q=" + url.QueryEscape("夏目漱石"))
	if h := b.Text(".pager"); h == "" {
		t.Fatal("no pager on the English results")
	}
	if l := evalJS[string](b, `document.querySelector("nav.pager").getAttribute("aria-label")`); l != "Pages" {
		t.Errorf("English pager labelled %q; want Pages", l)
	}
	untagged := evalJS[[]string](b, `Array.from(document.querySelectorAll("ol.hits li.hit h3")).filter(h => h.closest("[lang]").lang !== "ja").map(h => h.innerText)`)
	if len(untagged) != 0 {
		t.Errorf("Japanese titles without lang=ja on an English page: %q", untagged)
	}
}

// TestWordsAndDetails (issue 18, 8).
func TestWordsAndDetails(t *testing.T) {
	p := newPatron(t)
	rec := findRecords(t, "宮沢賢治", 1, func(r record) bool {
		branches := map[string]bool{}
		for _, it := range r.Items {
			if it.Status == "on_shelf" {
				branches[it.Branch] = true
			}
		}
		return r.HoldsWaiting == 0 && len(branches) >= 2
	})[0]
	placeHold(t, p, rec.ID, "ozu")
	b := newTab(t)

	// Japanese: 〜 between hours on the home page and the calendar alike.
	b.Open("/")
	if s := b.Text(".branches-today .open"); s != "" && !strings.Contains(s, "〜") {
		t.Errorf("home page hours %q; want 〜", s)
	}
	b.Open("/calendar")
	if s := b.Text("table.calendar td.open .hours"); !strings.Contains(s, "〜") {
		t.Errorf("calendar hours %q; want 〜 as on the home page", s)
	}
	// The description, OpenGraph and the icon.
	b.Open("/")
	meta := evalJS[map[string]string](b, `Object.fromEntries(Array.from(document.querySelectorAll('meta[name="description"], meta[property^="og:"]'), m => [m.getAttribute("name") || m.getAttribute("property"), m.content]))`)
	for _, k := range []string{"description", "og:title", "og:description", "og:site_name"} {
		if meta[k] == "" {
			t.Errorf("home page: no %s (%v)", k, meta)
		}
	}
	icon := evalJS[string](b, `(document.querySelector('link[rel="icon"]') || {href: ""}).href`)
	if icon == "" {
		t.Error("no icon link")
	} else if resp, err := http.Get(icon); err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("icon %s: %v %v", icon, err, resp)
	} else {
		resp.Body.Close()
	}
	if resp, err := http.Get(suite.base + "/favicon.ico"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/favicon.ico: %v %v", err, resp)
	} else {
		resp.Body.Close()
	}
	b.Open(fmt.Sprintf("/records/%d", rec.ID))
	if d := evalJS[string](b, `document.querySelector('meta[name="description"]').content`); !strings.HasPrefix(d, rec.Title) {
		t.Errorf("record page description %q; want it to start with the title %s", d, rec.Title)
	}
	// /pages/mobile does not say its heading twice.
	b.Open("/pages/mobile")
	h1 := b.Text("main h1")
	for _, h := range b.Texts("main h2") {
		if h == h1 {
			t.Errorf("/pages/mobile repeats its heading %q", h)
		}
	}
	// 予約する leads to /reserve, without a stray "?".
	b.Open(fmt.Sprintf("/records/%d", rec.ID))
	b.addToCart()
	b.pressLink("予約する")
	if u := b.Location(); strings.Contains(u.String(), "reserve?") || strings.HasSuffix(u.String(), "?") {
		t.Errorf("予約する led to %s; want no stray ?", u)
	}
	b.login(p.Card, p.Password)
	b.Open("/account/email")
	if s := b.MainText(); strings.Contains(s, "お借りの資料") {
		t.Error("the e-mail page says お借りの資料")
	}

	// English.
	b.AcceptLanguage("en")
	b.Open("/search?q=" + url.QueryEscape(rec.Title))
	var avail, holds string
	for _, h := range evalJS[[]struct{ ID, Avail, Holds string }](b, `Array.from(document.querySelectorAll("ol.hits li.hit"), li => ({ID: li.querySelector("h3 a").pathname.split("/").pop(),
		Avail: li.querySelector(".avail").innerText, Holds: (li.querySelector(".holds") || {innerText: ""}).innerText}))`) {
		if h.ID == fmt.Sprint(rec.ID) {
			avail, holds = h.Avail, h.Holds
		}
	}
	if holds != "1 hold" {
		t.Errorf("English hit with one hold says %q; want 1 hold", holds)
	}
	if strings.Contains(avail, "、") {
		t.Errorf("English availability %q has a Japanese 、", avail)
	}
	b.Open("/calendar")
	if s := b.MainText(); strings.Contains(s, "休館日") {
		t.Error("the English calendar says 休館日")
	}
	if s := b.Text("table.calendar td.open .hours"); !strings.Contains(s, "–") {
		t.Errorf("English calendar hours %q; want –", s)
	}
	b.Open("/cart")
	b.pressLink("Reserve")
	if s := b.MainText(); strings.Contains(s, "How we tell you") || !strings.Contains(s, "Contact method") {
		t.Error("the English reserve page does not say Contact method")
	}
}

// TestNoLeadingSlashWithoutAuthor (issue 18, 8): a title without an author
// shows no "／" before its publisher, in the results and the cart.
func TestNoLeadingSlashWithoutAuthor(t *testing.T) {
	var rec struct{ ID int64 }
	call(t, "POST", "/staff/records", staffToken(t), map[string]any{"title": "著者のない試験資料", "publisher": "大洲市", "material_type": "book"}, http.StatusCreated, &rec)
	b := newTab(t)
	b.Open("/search?q=" + url.QueryEscape("著者のない試験資料"))
	meta := b.Text("ol.hits li.hit .meta")
	if meta == "" || strings.HasPrefix(meta, "／") {
		t.Errorf("hit meta %q; want it to start with the publisher", meta)
	}
	b.Open(fmt.Sprintf("/records/%d", rec.ID))
	b.addToCart()
	if m := b.Text("main ol.hits li.hit .meta"); strings.HasPrefix(m, "／") || m != "大洲市" {
		t.Errorf("cart meta %q; want 大洲市", m)
	}
	b.Press("カートを空にする")
}

// TestBirthDateAsPeopleReadIt (issue 18, 8): staff see a patron's birth
// date as 1985年4月15日, not 1985-04-15.
func TestBirthDateAsPeopleReadIt(t *testing.T) {
	p := registerPatrons(t, 1)[0]
	b := newTab(t)
	b.staffLogin()
	b.Open("/staff/patrons/" + p.Card)
	s := b.MainText()
	if !strings.Contains(s, "1985年4月15日") || strings.Contains(s, birthDate) {
		t.Errorf("the staff patron page shows the birth date as %q", s)
	}
}

// TestDemoBranchesAsTheSeed (issue 18, 9): the main library's address,
// telephone and fax are the seed's, with its postal code.
func TestDemoBranchesAsTheSeed(t *testing.T) {
	for _, v := range []variant{{360, true}, {1280, true}} {
		t.Run(v.String(), func(t *testing.T) {
			b := v.open(t)
			b.Open("/branches")
			s := b.MainText()
			for _, want := range []string{"〒795-0065 愛媛県大洲市東若宮17番地5", "0893-59-4111", "0893-59-4123"} {
				if !strings.Contains(s, want) {
					t.Errorf("各館のご案内 lacks %s", want)
				}
			}
			b.shot("demo", "branches-"+v.String())
		})
	}
}

// advanceVirtualTime runs the page's clock (its timers and Date.now)
// forward by ms milliseconds of virtual time, as fast as the page goes,
// and waits until it has: the kiosk's two minutes in a moment, with no
// real time in the test.
func (b *tab) advanceVirtualTime(ms float64) {
	b.T.Helper()
	done := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(b.Ctx)
	defer cancel()
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev.(type) {
		case *emulation.EventVirtualTimeBudgetExpired, emulation.EventVirtualTimeBudgetExpired:
			select {
			case done <- struct{}{}:
			default:
			}
		}
	}); err != nil {
		b.T.Fatalf("listen: %v", err)
	}
	if _, err := chromedp.Call(b.Ctx, emulation.SetVirtualTimePolicy,
		emulation.SetVirtualTimePolicyParams{Policy: emulation.VirtualTimePolicyAdvance, Budget: &ms}); err != nil {
		b.T.Fatalf("virtual time: %v", err)
	}
	select {
	case <-done:
	case <-time.After(testbrowser.StepTimeout):
		b.T.Fatalf("%v ms of virtual time did not pass", ms)
	}
}

// TestKioskCountdownWarns (issue 18, 3; WCAG 2.2.1): with JavaScript a
// kiosk page counts down from the last touch, warns 30 s before the end
// with a 続けて使う button that starts the count again, and goes back to
// the start when nobody touches it. Virtual time: no waiting.
func TestKioskCountdownWarns(t *testing.T) {
	b := variant{360, true}.open(t)
	b.makeKiosk()
	b.Open("/search?q=" + url.QueryEscape("こころ"))
	if !evalJS[bool](b, `document.querySelector(".kiosk-warn").hidden`) {
		t.Fatal("the warning shows at once")
	}
	b.advanceVirtualTime(95_000)
	if evalJS[bool](b, `document.querySelector(".kiosk-warn").hidden`) {
		t.Errorf("95 s without a touch: no warning")
	}
	if s := b.Text(".countdown"); !strings.Contains(s, "あと 2") {
		t.Errorf("after 95 s the countdown says %q; want about 25 s left", s)
	}
	b.Do("press 続けて使う", chromedp.Click(chromedp.CSS(".kiosk-more")))
	b.advanceVirtualTime(2_000)
	if !evalJS[bool](b, `document.querySelector(".kiosk-warn").hidden`) {
		t.Errorf("続けて使う did not hide the warning")
	}
	if s := b.Text(".countdown"); !strings.Contains(s, "あと 11") {
		t.Errorf("after 続けて使う the countdown says %q; want the two minutes again", s)
	}
	if u := b.Location(); u.Path != "/search" {
		t.Fatalf("the page left the search early: %s", u)
	}
	b.advanceVirtualTime(125_000)
	var u *url.URL
	for range 50 {
		if u = b.Location(); u.Path == "/" {
			break
		}
		b.advanceVirtualTime(100)
	}
	if u.Path != "/" || u.RawQuery != "" {
		t.Errorf("two idle minutes later the kiosk shows %s; want the start page", u)
	}
}
