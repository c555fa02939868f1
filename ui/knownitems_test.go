package ui_test

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
)

// knownHit is a hit of the JSON API as the known-item set judges it.
type knownHit struct {
	Title        string `json:"title"`
	TitleYomi    string `json:"title_yomi"`
	Subtitle     string `json:"subtitle"`
	SubtitleYomi string `json:"subtitle_yomi"`
	Author       string `json:"author"`
	AuthorYomi   string `json:"author_yomi"`
}

// TestKnownItemSet runs the known-item set (see generateKnownItems)
// through the JSON API over the demo library and reports the share of
// each kind answered well; every kind must reach 0.95.
func TestKnownItemSet(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of searches")
	}
	e := demoEnv(t)
	works, err := knownCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	items := generateKnownItems(works)
	if path := os.Getenv("HONDANA_KNOWN_ITEMS_DUMP"); path != "" {
		if err := dumpKnownItems(items, path); err != nil {
			t.Fatal(err)
		}
	}
	type tally struct{ n, pass int }
	rates := map[string]*tally{}
	var kinds []string
	failures := map[string][]string{}
	for _, it := range items {
		tl := rates[it.Kind]
		if tl == nil {
			tl = &tally{}
			rates[it.Kind] = tl
			kinds = append(kinds, it.Kind)
		}
		tl.n++
		u := e.URL + "/api/v1/search?per_page=10&q=" + url.QueryEscape(it.Q)
		if it.Sort != "" {
			u = e.URL + "/api/v1/search?per_page=50&sort=" + it.Sort + "&q=" + url.QueryEscape(it.Q)
		}
		var res struct {
			Total int        `json:"total"`
			Hits  []knownHit `json:"hits"`
		}
		getJSON(t, u, &res)
		if judgeKnownItem(it, res.Hits) {
			tl.pass++
			continue
		}
		var got []string
		for i, h := range res.Hits {
			if i < 3 {
				got = append(got, h.Title+"/"+h.Author)
			}
		}
		failures[it.Kind] = append(failures[it.Kind], fmt.Sprintf("%q (want %s/%s): %d hits, first %q", it.Q, it.Title, it.Author, res.Total, got))
	}
	slices.Sort(kinds)
	var report strings.Builder
	fmt.Fprintf(&report, "known-item set: %d queries\n", len(items))
	for _, k := range kinds {
		tl := rates[k]
		fmt.Fprintf(&report, "  %-40s %4d queries  %.3f in the top 3\n", k, tl.n, float64(tl.pass)/float64(tl.n))
	}
	for _, k := range kinds {
		for _, f := range first(failures[k], 5) {
			fmt.Fprintf(&report, "  miss, %s: %s\n", k, f)
		}
	}
	t.Log(report.String())
	for _, k := range kinds {
		tl := rates[k]
		if tl.n < 100 {
			t.Errorf("kind %q has %d queries, want at least 100", k, tl.n)
		}
		if rate := float64(tl.pass) / float64(tl.n); rate < 0.95 {
			t.Errorf("kind %q: %.3f in the top 3, want at least 0.95; misses:\n  %s", k, rate, strings.Join(first(failures[k], 12), "\n  "))
		}
	}
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

// judgeKnownItem says whether hits answer it well (see knownItem.Check).
func judgeKnownItem(it knownItem, hits []knownHit) bool {
	byAuthor := func(h knownHit) bool {
		return it.Author == "" || strings.Contains(strings.ReplaceAll(h.Author, " ", ""), it.Author)
	}
	top := hits[:min(3, len(hits))]
	switch it.Check {
	case checkOwn:
		if len(top) == 0 {
			return false
		}
		for _, h := range top {
			if !byAuthor(h) {
				return false
			}
		}
		return true
	case checkSorted:
		if len(hits) < 2 {
			return false
		}
		prev := rune(0)
		for _, h := range hits {
			y := h.TitleYomi
			if y == "" {
				y = h.Title
			}
			k := []rune(readingKey(y))
			if len(k) == 0 {
				continue
			}
			if k[0] < prev {
				return false
			}
			prev = k[0]
		}
		return true
	}
	found := false
	for _, h := range top {
		if (it.Title == "" || h.Title == it.Title) && byAuthor(h) {
			found = true
		}
	}
	if !found || it.Check != checkNoJunk {
		return found
	}
	want := readingKey(it.Q)
	for _, h := range top {
		if !strings.Contains(readingKey(h.TitleYomi+h.SubtitleYomi), want) && !strings.Contains(readingKey(h.AuthorYomi), want) &&
			!strings.Contains(readingKey(h.Title+h.Subtitle), want) {
			return false
		}
	}
	return true
}

// readingKey compares readings: tkey, with small kana large, ー as its
// vowel, and the kana readings write two ways made one.
func readingKey(s string) string {
	s = choonToVowel(largeKanaOf(toKata(s)))
	s = strings.NewReplacer("ヴア", "バ", "ヴイ", "ビ", "ヴエ", "ベ", "ヴオ", "ボ", "ヲ", "オ", "ヂ", "ジ", "ヅ", "ズ", "ヴ", "ブ", "ヰ", "イ", "ヱ", "エ").Replace(s)
	return tkey(s)
}
