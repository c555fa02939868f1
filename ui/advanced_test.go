package ui_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hondana/internal/testbrowser"
)

// advancedHit is a hit of the JSON API as the 詳細検索 tests read it.
type advancedHit struct {
	Title     string `json:"title"`
	TitleYomi string `json:"title_yomi"`
	Author    string `json:"author"`
	Publisher string `json:"publisher"`
	NDC       string `json:"ndc"`
	Year      int    `json:"year"`
	ISBN      string `json:"isbn"`
}

// TestAdvancedSearchAPI: the field search of R82 through the API's
// parameters, each hit holding what the conditions ask, combined with
// the words, the facets and the sorts; and every bad value a 422 naming
// its parameter, in the reader's language.
func TestAdvancedSearchAPI(t *testing.T) {
	e := demoEnv(t)
	tests := []struct {
		name  string
		query string
		check func(h advancedHit) bool
		min   int // hits at least
	}{
		{"title contains", "title=" + url.QueryEscape("銀河"), func(h advancedHit) bool { return strings.Contains(h.Title, "銀河") }, 5},
		{"title prefix (brackets aside)", "title=" + url.QueryEscape("銀河") + "&title_match=prefix", func(h advancedHit) bool { return strings.HasPrefix(tkey(h.Title), "銀河") }, 3},
		{"title exact", "title=" + url.QueryEscape("銀河鉄道の夜") + "&title_match=exact", func(h advancedHit) bool { return h.Title == "銀河鉄道の夜" }, 2},
		{"title exact by its reading", "title=" + url.QueryEscape("ぎんがてつどうのよる") + "&title_match=exact", func(h advancedHit) bool { return h.Title == "銀河鉄道の夜" }, 2},
		{"author exact", "author=" + url.QueryEscape("宮沢賢治") + "&author_match=exact", func(h advancedHit) bool { return strings.Contains(h.Author, "宮沢賢治") }, 100},
		{"author exact and title contains", "author=" + url.QueryEscape("宮沢賢治") + "&author_match=exact&title=" + url.QueryEscape("夜"),
			func(h advancedHit) bool {
				return strings.Contains(h.Author, "宮沢賢治") && strings.Contains(h.Title, "夜")
			}, 3},
		{"publisher contains", "publisher=" + url.QueryEscape("岩波"), func(h advancedHit) bool { return strings.Contains(h.Publisher, "岩波") }, 10},
		{"publisher exact", "publisher=" + url.QueryEscape("岩波書店") + "&publisher_match=exact", func(h advancedHit) bool { return h.Publisher == "岩波書店" }, 10},
		{"ndc prefix of four digits", "ndc=913.6", func(h advancedHit) bool { return strings.HasPrefix(strings.ReplaceAll(h.NDC, ".", ""), "9136") }, 1},
		{"isbn with a prefix", "isbn=" + url.QueryEscape("ISBN978-4-7949-7075-6"), func(h advancedHit) bool { return h.ISBN == "9784794970756" }, 1},
		{"words, fields, facets and a sort", "q=" + url.QueryEscape("夜") + "&author=" + url.QueryEscape("宮沢") + "&ndc=9&material_type=book&year_from=1900&year_to=2030&sort=title",
			func(h advancedHit) bool {
				return strings.Contains(h.Author, "宮沢") && h.NDC[:1] == "9" && h.Year >= 1900
			}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res struct {
				Total int           `json:"total"`
				Hits  []advancedHit `json:"hits"`
			}
			getJSON(t, e.URL+"/api/v1/search?per_page=100&"+tt.query, &res)
			if res.Total < tt.min {
				t.Errorf("%s: %d hits, want at least %d", tt.query, res.Total, tt.min)
			}
			for _, h := range res.Hits {
				if !tt.check(h) {
					t.Errorf("%s: hit %+v does not hold the conditions", tt.query, h)
				}
			}
		})
	}
	// Sort by title reading within a field search.
	var sorted struct {
		Hits []advancedHit `json:"hits"`
	}
	getJSON(t, e.URL+"/api/v1/search?per_page=100&sort=title&author_match=exact&author="+url.QueryEscape("宮沢賢治"), &sorted)
	var keys []string
	for _, h := range sorted.Hits {
		keys = append(keys, readingKey(h.TitleYomi))
	}
	if len(keys) < 50 || !slices.IsSorted(keys) {
		t.Errorf("by title reading: %d hits, sorted %t", len(keys), slices.IsSorted(keys))
	}

	bad := []struct {
		query, field, ja, en string
	}{
		{"title=a&title_match=fuzzy", "title_match", "書名の一致のしかたの値が正しくありません", "Invalid value for how the title matches (title_match)"},
		{"isbn=12345", "isbn", "ISBNの値が正しくありません", "Invalid value for ISBN (isbn)"},
		{"ndc=91x", "ndc", "分類の値が正しくありません", "give an NDC class"},
		{"ndc=9.13", "ndc", "分類の値が正しくありません", "give an NDC class"},
		{"year_from=2000&year_to=1990", "year_to", "出版年の範囲は、始まりを終わり以前にしてください", "the first year must not come after the last"},
		{"publisher=" + strings.Repeat("あ", 300), "publisher", "出版者の値が正しくありません", "Invalid value for publisher"},
	}
	for _, b := range bad {
		status, _, body := call(t, "GET", e.URL+"/api/v1/search?"+b.query, "")
		if status != 422 || !strings.Contains(body, `"code":"invalid_parameter"`) || !strings.Contains(body, `"field":"`+b.field+`"`) || !strings.Contains(body, b.ja) {
			t.Errorf("%s: %d %s; want 422 invalid_parameter naming %s, saying %s", b.query, status, body, b.field, b.ja)
		}
		status, _, body = call(t, "GET", e.URL+"/api/v1/search?"+b.query, "", "Accept-Language", "en")
		if status != 422 || !strings.Contains(body, b.en) {
			t.Errorf("%s in English: %d %s; want %s", b.query, status, body, b.en)
		}
		status, _, body = call(t, "GET", e.URL+"/search?"+b.query, "")
		if status != 422 || !strings.Contains(body, b.ja) {
			t.Errorf("page %s: %d; want 422 saying %s", b.query, status, b.ja)
		}
	}
}

// TestBrowserAdvancedSearch fills in 詳細検索 in Chromium, with
// JavaScript and without: the same results either way, the conditions
// shown above them, and with JavaScript an address without the empty
// fields.
func TestBrowserAdvancedSearch(t *testing.T) {
	b := newBrowser(t)
	for _, js := range []bool{true, false} {
		name := "with JavaScript"
		if !js {
			name = "without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			tab := b.newTab(t, "ja")
			if !js {
				tab.NoScript()
			}
			if st := tab.Open("/search"); st != 200 {
				t.Fatalf("GET /search = %d", st)
			}
			tab.Follow("follow the link to 詳細検索", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="詳細検索"]`)))
			if u := tab.Location(); u.Path != "/search/advanced" {
				t.Fatalf("the link led to %s", u)
			}
			tab.Do("fill in the form",
				chromedp.SendKeys(chromedp.ID("adv-title"), "ぎんがてつどう"),
				chromedp.SetValue(chromedp.ID("adv-title-match"), "prefix"),
				chromedp.SendKeys(chromedp.ID("adv-author"), "宮沢賢治"),
				chromedp.SetValue(chromedp.ID("adv-author-match"), "exact"),
				chromedp.SetValue(chromedp.ID("adv-sort"), "title"),
			)
			if st := tab.Press("検索"); st != 200 {
				t.Fatalf("search: %d", st)
			}
			u := tab.Location()
			q := u.Query()
			if u.Path != "/search" || q.Get("title") != "ぎんがてつどう" || q.Get("title_match") != "prefix" || q.Get("author_match") != "exact" || q.Get("sort") != "title" {
				t.Errorf("the form went to %s", u)
			}
			if _, sent := q["publisher"]; sent == js {
				t.Errorf("JavaScript %t: the empty publisher field was sent %t (%s)", js, sent, u.RawQuery)
			}
			titles := tab.Texts("ol.hits li.hit h3 a")
			if len(titles) == 0 {
				t.Fatalf("no hits; page: %.400s", tab.MainText())
			}
			for _, title := range titles {
				if !strings.HasPrefix(title, "銀河鉄道") && !strings.HasPrefix(title, "〔「銀河鉄道") {
					t.Errorf("hit %q does not begin with 銀河鉄道", title)
				}
			}
			cond := tab.Text(".conditions")
			for _, want := range []string{"書名：「ぎんがてつどう」（前方一致）", "著者名：「宮沢賢治」（完全一致）", "条件を変更する"} {
				if !strings.Contains(cond, want) {
					t.Errorf("conditions %q lack %q", cond, want)
				}
			}
			// Back to the form to change them: it shows them.
			tab.Follow("change the conditions", chromedp.Click(chromedp.Search(`//div[contains(@class,"conditions")]//a`)))
			if v := testbrowserValue(tab, "#adv-title"); v != "ぎんがてつどう" {
				t.Errorf("the form shows title %q", v)
			}
			if v := testbrowserValue(tab, `select[name="author_match"]`); v != "exact" {
				t.Errorf("the form shows author_match %q", v)
			}
		})
	}
}

// testbrowserValue is the value of the first form field matching css.
func testbrowserValue(tab *browserTab, css string) string {
	return evalJS[string](tab, `(document.querySelector(`+testbrowser.JSString(css)+`) || {value: ""}).value`)
}
