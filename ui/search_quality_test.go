package ui_test

import (
	"net/url"
	"strings"
	"testing"
)

type apiResult struct {
	Total int `json:"total"`
	Hits  []struct {
		ID     int64  `json:"id"`
		Title  string `json:"title"`
		Author string `json:"author"`
		ISBN   string `json:"isbn"`
	} `json:"hits"`
	Suggestions []struct {
		Q     string `json:"q"`
		Total int    `json:"total"`
	} `json:"suggestions"`
	RelaxedFrom string `json:"relaxed_from"`
	RelaxedQ    string `json:"relaxed_q"`
	RelaxedKind string `json:"relaxed_kind"`
}

// TestKnownItemSearch looks for real Aozora Bunko and NDL records the way
// patrons type them: the wanted record must be in the top results (the
// top one where the title is typed whole).
func TestKnownItemSearch(t *testing.T) {
	e := demoEnv(t)
	tests := []struct {
		form   string
		q      string
		title  string
		author string
		top    int // the record must be within the first top hits
	}{
		{"kanji title", "羅生門", "羅生門", "芥川竜之介", 1},
		{"hiragana title", "こころ", "こころ", "夏目漱石", 3},
		{"katakana for a hiragana title", "ココロ", "こころ", "夏目漱石", 3},
		{"half-width katakana", "ｺｺﾛ", "こころ", "夏目漱石", 3},
		{"hiragana reading of a kanji title", "らしょうもん", "羅生門", "芥川竜之介", 1},
		{"katakana reading of a kanji title", "ギンガテツドウノヨル", "銀河鉄道の夜", "宮沢賢治", 1},
		{"reading with spaces", "ぎんが てつどう", "銀河鉄道の夜", "宮沢賢治", 5},
		{"kanji without spaces, part of a title", "銀河鉄道", "銀河鉄道の夜", "宮沢賢治", 5},
		{"single kanji", "鼻", "鼻", "芥川竜之介", 5},
		{"author reading in hiragana", "みやざわけんじ ぎんが", "銀河鉄道の夜", "宮沢賢治", 5},
		{"author + title", "夏目漱石 こころ", "こころ", "夏目漱石", 1},
		{"author reading + title", "なつめそうせき こころ", "こころ", "夏目漱石", 1},
		{"title + author, reversed", "舞姫 森鴎外", "舞姫", "森鴎外", 1},
		{"old kanji author", "森鷗外 舞姫", "舞姫", "森鴎外", 1},
		{"old kanji in the author, new in the record", "芥川龍之介 羅生門", "羅生門", "芥川竜之介", 1},
		{"old kanji title and iteration mark", "學問のすゝめ", "学問のすすめ", "福沢諭吉", 1},
		{"new kanji for an old-form author", "福澤諭吉 学問", "学問のすすめ", "福沢諭吉", 1},
		{"full-width letters", "ＣＮＮ", "CNNニュース・リスニング", "", 5},
		{"lower case", "cnn ニュース", "CNNニュース・リスニング", "", 5},
		{"ISBN-13 with hyphens", "978-4-7949-7075-6", "これからの本の話をしよう", "萩野正昭", 1},
		{"ISBN-13 plain", "9784794970756", "これからの本の話をしよう", "萩野正昭", 1},
		{"ISBN-10", "4794970757", "これからの本の話をしよう", "萩野正昭", 1},
		{"ISBN-10 with hyphens", "4-7949-7075-7", "これからの本の話をしよう", "萩野正昭", 1},
		{"ISBN with its prefix", "ISBN978-4-7949-7075-6", "これからの本の話をしよう", "萩野正昭", 1},
		{"ISBN prefix, colon, full width", "ＩＳＢＮ：４－７９４９－７０７５－７", "これからの本の話をしよう", "萩野正昭", 1},
		{"isbn prefix, space, long hyphens", "isbn 978ー4ー7949ー7075ー6", "これからの本の話をしよう", "萩野正昭", 1},
		{"NDL katakana reading", "でんししょせき つくりかた", "電子書籍の作り方がカンタンにわかる本", "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.form, func(t *testing.T) {
			var res apiResult
			getJSON(t, e.URL+"/api/v1/search?per_page=50&q="+url.QueryEscape(tt.q), &res)
			for i, h := range res.Hits {
				if i >= tt.top {
					break
				}
				if h.Title == tt.title && (tt.author == "" || strings.Contains(h.Author, tt.author)) {
					return
				}
			}
			var got []string
			for i, h := range res.Hits {
				if i < 5 {
					got = append(got, h.Title+"/"+h.Author)
				}
			}
			t.Errorf("%q: %s (%s) not in the first %d of %d hits; first: %v", tt.q, tt.title, tt.author, tt.top, res.Total, got)
		})
	}
}

// TestSearchNarrows checks that adding an author's name narrows a title
// word, and that an exact title outranks titles that merely contain it.
func TestSearchNarrows(t *testing.T) {
	e := demoEnv(t)
	var wide, narrow apiResult
	getJSON(t, e.URL+"/api/v1/search?q="+url.QueryEscape("舞姫"), &wide)
	getJSON(t, e.URL+"/api/v1/search?q="+url.QueryEscape("舞姫 森鴎外"), &narrow)
	if narrow.Total == 0 || narrow.Total >= wide.Total {
		t.Errorf("舞姫 %d hits, 舞姫 森鴎外 %d: the author should narrow", wide.Total, narrow.Total)
	}
	for _, h := range narrow.Hits {
		if !strings.Contains(h.Author, "森鴎外") && !strings.Contains(h.Title, "森鴎外") {
			t.Errorf("hit %s / %s does not match the author", h.Title, h.Author)
		}
	}
	var res apiResult
	getJSON(t, e.URL+"/api/v1/search?q="+url.QueryEscape("銀河"), &res)
	if res.Total < 2 || res.Hits[0].Title == "" {
		t.Fatalf("銀河: %d hits", res.Total)
	}
}

// TestNoHitsSuggests: a search that finds nothing is no dead end (R80):
// the hits of its nearest relaxed form come at once, saying which, and
// suggestions to try besides.
func TestNoHitsSuggests(t *testing.T) {
	e := demoEnv(t)
	tests := []struct{ q, relaxed, kind, suggestion, title string }{
		{"natsume souseki", "ナツメ ソウセキ", "romaji", "ナツメ ソウセキ", ""},
		{"natsume soseki", "ナツメ ソウセキ", "romaji", "ナツメ ソウセキ", ""},
		{"ginga tetsudou", "ギンガ テツドウ", "romaji", "ギンガ テツドウ", "銀河鉄道の夜"},
		{"銀河鉄道の夜 存在しないことば", "銀河鉄道の夜 OR 存在しないことば", "any_word", "銀河鉄道の夜", "銀河鉄道の夜"},
		{"坊ちゃん", "坊っちゃん", "spelling", "", "坊っちゃん"},
		{"銀河鉄道の液", "銀河鉄道の夜", "one_char", "", "銀河鉄道の夜"},
		{"蜘蛛の意図", "クモノイト", "reading", "", "蜘蛛の糸"},
	}
	for _, tt := range tests {
		var res apiResult
		getJSON(t, e.URL+"/api/v1/search?q="+url.QueryEscape(tt.q), &res)
		if res.RelaxedFrom != tt.q || res.RelaxedQ != tt.relaxed || res.RelaxedKind != tt.kind || res.Total == 0 {
			t.Errorf("%q: relaxed_from %q, relaxed_q %q, kind %q, %d hits; want %q, %q, %q and hits",
				tt.q, res.RelaxedFrom, res.RelaxedQ, res.RelaxedKind, res.Total, tt.q, tt.relaxed, tt.kind)
		}
		if tt.title != "" && (len(res.Hits) == 0 || res.Hits[0].Title != tt.title) {
			t.Errorf("%q: hits %+v, want %s first", tt.q, res.Hits, tt.title)
		}
		if tt.suggestion == "" {
			continue
		}
		found := false
		for _, s := range res.Suggestions {
			if s.Q == tt.suggestion && s.Total > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: suggestions %+v, want %q", tt.q, res.Suggestions, tt.suggestion)
		}
	}
	// A search that finds something is not relaxed.
	var res apiResult
	getJSON(t, e.URL+"/api/v1/search?q="+url.QueryEscape("坊っちゃん"), &res)
	if res.RelaxedFrom != "" || res.Total == 0 {
		t.Errorf("坊っちゃん: relaxed_from %q, %d hits; want no relaxing", res.RelaxedFrom, res.Total)
	}
	// Nothing near: no hits, no relaxing.
	getJSON(t, e.URL+"/api/v1/search?q="+url.QueryEscape("きんかくじ"), &res)
	if res.RelaxedFrom != "" || res.Total != 0 {
		t.Errorf("きんかくじ: relaxed_from %q, %d hits; want none", res.RelaxedFrom, res.Total)
	}
}
