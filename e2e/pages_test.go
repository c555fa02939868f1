package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hondana/internal/testbrowser"
)

// widths are the two screens every page is tried at: a small phone and a
// desktop.
var widths = []int64{360, 1280}

// setWidth makes the tab a phone (360 px, touch, honouring the viewport
// meta) or a desktop window of that width.
func (b *tab) setWidth(w int64) {
	b.T.Helper()
	if w < 800 {
		b.Do("emulate a phone", chromedp.EmulateViewport(w, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait, chromedp.EmulateTouch))
		return
	}
	b.Do("emulate a desktop", chromedp.EmulateViewport(w, 900))
}

// shot leaves a whole-page picture in artifacts/dir/name.png, for people
// (nothing is asserted on pixels).
func (b *tab) shot(dir, name string) {
	b.T.Helper()
	d := filepath.Join("artifacts", dir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		b.T.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(b.Ctx, testbrowser.StepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.T.Errorf("%s: screenshot: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
		b.T.Error(err)
	}
}

// submit presses the submit button of the page's form posting to action,
// whatever the page's language.
func (b *tab) submit(action string) {
	b.T.Helper()
	b.Follow("submit "+action, chromedp.Click(chromedp.CSS(`main form[method="post"][action="`+action+`"] button[type="submit"]`)))
}

// tourPage is a page of the tour: a short name for pictures and reports,
// and its address (or a step that gets there).
type tourPage struct {
	name string
	path string
	go_  func(b *tab) // instead of path: steps that lead to the page
}

// TestEveryPageAccessible opens every public and patron page at 360 and
// 1280 px, in Japanese and English, runs axe-core over it (WCAG 2.2 AA:
// no violation allowed) and leaves a picture of each Japanese page in
// artifacts/pages/.
func TestEveryPageAccessible(t *testing.T) {
	needAxe(t)
	p := newPatron(t)
	recs := findRecords(t, "夏目漱石", 3, renewable)
	it, _ := recs[0].onShelf()
	loan := checkout(t, p, it)
	hold := placeHold(t, p, recs[1].ID, "nagahama")
	toReserve := recs[2]
	call(t, "PUT", "/me/email", p.Token, map[string]string{"email": "tour@example.jp"}, 200, nil)

	b := &tab{suite.browser.NewTab(t, suite.base, 15*time.Minute)}
	b.Open("/news")
	newsItem := evalJS[string](b, `(document.querySelector('main a[href^="/news/"]') || {pathname: ""}).pathname`)
	slugs := evalJS[[]string](b, `Array.from(new Set(Array.from(document.querySelectorAll('a[href^="/pages/"]'), a => a.pathname)))`)
	// A series with volumes, for the series pages (巻数順予約).
	b.Open("/search?q=" + url.QueryEscape("全集"))
	series := ""
	if href := evalJS[string](b, `(() => { const a = document.querySelector('ol.hits li.hit h3 a'); return a ? a.pathname : ""; })()`); href != "" {
		b.Open(href)
		series = evalJS[string](b, `(() => { const a = document.querySelector('a[href*="/series?name="]'); return a ? new URL(a.href).searchParams.get("name") : ""; })()`)
	}

	public := []tourPage{
		{name: "home", path: "/"},
		{name: "search-empty", path: "/search"},
		{name: "search", path: "/search?q=" + url.QueryEscape("こころ")},
		{name: "search-many", path: "/search?q=" + url.QueryEscape("夏目漱石")},
		{name: "search-none", path: "/search?q=zzzzqqqq"},
		{name: "advanced", path: "/search/advanced"},
		{name: "record", path: fmt.Sprintf("/records/%d", recs[0].ID)},
		{name: "new", path: "/new"},
		{name: "calendar", path: "/calendar"},
		{name: "news", path: "/news"},
		{name: "news-item", path: newsItem},
		{name: "branches", path: "/branches"},
		{name: "rank-loans", path: "/ranking/loans"},
		{name: "rank-holds", path: "/ranking/holds"},
		{name: "login", path: "/login"},
		{name: "kiosk", path: "/kiosk"},
		{name: "not-found", path: "/records/999999999"},
		{name: "cart-empty", path: "/cart"},
	}
	for _, s := range slugs {
		public = append(public, tourPage{name: "page-" + strings.TrimPrefix(s, "/pages/"), path: s})
	}
	patronPages := []tourPage{
		{name: "cart", go_: func(b *tab) {
			b.Open(fmt.Sprintf("/records/%d", toReserve.ID))
			b.submit("/cart/add")
		}},
		{name: "reserve", path: "/reserve"},
		{name: "reserved", go_: func(b *tab) { b.submit("/reserve") }},
		{name: "account", path: "/account"},
		{name: "password", path: "/account/password"},
		{name: "email", path: "/account/email"},
		{name: "renew", path: fmt.Sprintf("/account/loans/%d/renew", loan)},
		{name: "cancel", path: fmt.Sprintf("/account/holds/%d/cancel", hold)},
		{name: "change", path: fmt.Sprintf("/account/holds/%d/change", hold)},
		{name: "favourites", path: "/account/favourites"},
		{name: "card", path: "/account/card"},
		{name: "history", path: "/account/history"},
		{name: "history-off", path: "/account/history/off"},
		{name: "history-clear", path: "/account/history/clear"},
	}
	if series != "" {
		public = append(public, tourPage{name: "series", path: "/series?name=" + url.QueryEscape(series)})
		patronPages = append(patronPages, tourPage{name: "series-reserve", path: "/reserve/series?name=" + url.QueryEscape(series)})
	}
	lite := []tourPage{
		{name: "lite-home", path: "/m/"},
		{name: "lite-search", path: "/search?q=" + url.QueryEscape("夏目漱石")},
		{name: "lite-record", path: fmt.Sprintf("/records/%d", recs[0].ID)},
		{name: "lite-calendar", path: "/calendar"},
		{name: "lite-account", path: "/account"},
	}

	counts := map[string]int{}
	var report []string
	visit := func(b *tab, w int64, lang string, pg tourPage) {
		key := fmt.Sprintf("%s-%d-%s", pg.name, w, lang)
		if pg.go_ != nil {
			pg.go_(b)
		} else {
			b.Open(pg.path)
		}
		if lang == "ja" {
			b.shot("pages", key)
		}
		vs := b.axe()
		counts[key] = len(vs)
		for _, v := range vs {
			report = append(report, key+": "+v.String())
			t.Errorf("%s (%s): %s", key, b.Location().RequestURI(), v)
		}
	}
	for _, w := range widths {
		for _, lang := range []string{"ja", "en"} {
			b := &tab{suite.browser.NewTab(t, suite.base, 15*time.Minute)}
			b.setWidth(w)
			b.AcceptLanguage(lang)
			for _, pg := range public {
				visit(b, w, lang, pg)
			}
			b.AcceptLanguage("ja")
			b.Open("/login?next=%2Faccount")
			b.login(p.Card, p.Password)
			b.AcceptLanguage(lang)
			for _, pg := range patronPages {
				visit(b, w, lang, pg)
			}
			for _, pg := range lite {
				visit(b, w, lang, pg)
			}
			b.Open("/m/?off=1")
		}
		// A kiosk: the 館内端末 bar on every page, larger type, and a
		// countdown instead of a timed refresh (with JavaScript).
		k := &tab{suite.browser.NewTab(t, suite.base, 5*time.Minute)}
		k.setWidth(w)
		k.makeKiosk()
		for _, pg := range []tourPage{{name: "kiosk-home", path: "/"}, {name: "kiosk-search", path: "/search?q=" + url.QueryEscape("こころ")},
			{name: "kiosk-login", path: "/login"}} {
			visit(k, w, "ja", pg)
		}
		k.Open("/login?next=%2Faccount")
		k.login(p.Card, p.Password)
		visit(k, w, "ja", tourPage{name: "kiosk-account", path: "/account"})
	}
	writeAxeReport(t, counts, report)
}

// writeAxeReport leaves the number of violations per page (and what they
// are) in artifacts/axe.txt.
func writeAxeReport(t *testing.T, counts map[string]int, report []string) {
	keys := make([]string, 0, len(counts))
	total := 0
	for k, n := range counts {
		keys = append(keys, k)
		total += n
	}
	sort.Strings(keys)
	var sb strings.Builder
	fmt.Fprintf(&sb, "axe-core %s: %d violations on %d page views\n", strings.Join(axeTags, ","), total, len(keys))
	for _, k := range keys {
		fmt.Fprintf(&sb, "%-28s %d\n", k, counts[k])
	}
	sb.WriteString("\n" + strings.Join(report, "\n") + "\n")
	if err := os.MkdirAll("artifacts", 0o755); err == nil {
		_ = os.WriteFile(filepath.Join("artifacts", "axe.txt"), []byte(sb.String()), 0o644)
	}
	t.Logf("axe-core: %d violations on %d page views (artifacts/axe.txt)", total, len(keys))
}
