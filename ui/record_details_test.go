package ui_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestRecordPageDetails: a record page shows the physical description,
// the ISBN with its hyphens, links to the exact NDC class and to each
// subject, and the other volumes of its series in order (issue 17,
// item 6); the links lead to searches that find the record.
func TestRecordPageDetails(t *testing.T) {
	t.Parallel()
	e := demoEnv(t)

	status, _, body := call(t, "GET", e.URL+"/isbn/9784794970756", "")
	if status != 200 {
		t.Fatalf("/isbn/9784794970756: %d", status)
	}
	for _, want := range []string{
		`<dd class="isbn">978-4-7949-7075-6</dd>`,
		"<dt>形態</dt><dd>301p ; 19cm</dd>",
		`<a href="/search?ndc=023">023</a>`,
		`<a href="/search?subject=` + lowerEscape("電子書籍") + `&amp;subject_match=exact">電子書籍</a>、<a href="/search?subject=` + lowerEscape("電子出版") + `&amp;subject_match=exact">電子出版</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("record page lacks %s", want)
		}
	}
	for _, link := range []string{"/search?ndc=023", "/search?subject=" + url.QueryEscape("電子出版") + "&subject_match=exact"} {
		if _, _, res := call(t, "GET", e.URL+link, ""); !strings.Contains(res, "これからの本の話をしよう") {
			t.Errorf("%s does not find the record", link)
		}
	}

	// A numbered series: 2009, 2010 … 2012, the record itself marked.
	var res struct {
		Hits []struct {
			ID     int64  `json:"id"`
			Title  string `json:"title"`
			Volume string `json:"volume"`
		} `json:"hits"`
	}
	series := "インプレスR&Dインターネットメディア総合研究所「新産業調査レポートシリーズ」"
	getJSON(t, e.URL+"/api/v1/search?per_page=50&series_match=exact&series="+url.QueryEscape(series), &res)
	if len(res.Hits) < 10 {
		t.Fatalf("the series has %d records in the demo; want 10 or more", len(res.Hits))
	}
	id := jsonInt(res.Hits[0].ID)
	_, _, body = call(t, "GET", e.URL+"/records/"+id, "")
	list := regexp.MustCompile(`(?s)<ol class="volumes">(.*?)</ol>`).FindStringSubmatch(body)
	if list == nil {
		t.Fatalf("record %s lists no volumes of its series", id)
	}
	items := regexp.MustCompile(`<li>(?:<a href="/records/\d+">|<strong aria-current="page">)(\S+) `).FindAllStringSubmatch(list[1], -1)
	var vols []string
	for _, it := range items {
		vols = append(vols, it[1])
	}
	if len(vols) != len(res.Hits) || !sortedStrings(vols) || vols[0] != "2009" {
		t.Errorf("volumes listed %q; want all %d of the series from 2009 on, in order", vols, len(res.Hits))
	}
	if n := strings.Count(list[1], `aria-current="page"`); n != 1 {
		t.Errorf("%d volumes marked as this record; want 1", n)
	}

	// A publisher's series of unnumbered titles lists nothing.
	kokoro := recordIDBy(t, e, "こころ", "夏目漱石")
	if _, _, body := call(t, "GET", e.URL+"/records/"+kokoro, ""); strings.Contains(body, `class="volumes"`) {
		t.Errorf("こころ lists volumes of an unnumbered series")
	}
}

// lowerEscape is a query value as Go's templates escape it in an href.
func lowerEscape(s string) string {
	return strings.ToLower(url.QueryEscape(s))
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			return false
		}
	}
	return true
}
