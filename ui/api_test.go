package ui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// call makes one request and returns status, headers and body.
func call(t *testing.T, method, u, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// TestAPIScenarios walks every public route with good and bad input: the
// status, and fragments of the body a client relies on.
func TestAPIScenarios(t *testing.T) {
	e := demoEnv(t)
	long := strings.Repeat("あ", 10000)
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		header []string
		status int
		want   []string
		not    []string
	}{
		{"branches", "GET", "/api/v1/branches", "", nil, 200, []string{`"code":"ozu"`, `"name":"大洲図書館"`, `"address":"〒795-0065 愛媛県大洲市東若宮17番地5"`, `"phone":"0893-59-4111"`, `"fax":"0893-59-4123"`, `"code":"kawabe"`}, nil},
		{"search", "GET", "/api/v1/search?q=" + url.QueryEscape("銀河鉄道の夜"), "", nil, 200, []string{`"total":`, `"title":"銀河鉄道の夜"`, `"author":"宮沢賢治"`, `"title_yomi":"ギンガテツドウノヨル"`, `"facets":`, `"ndc":[`, `"material_type":[{"value":"book"`, `"branch":[`, `"year":[`, `"available":`, `"holds_waiting":`}, nil},
		{"search paged", "GET", "/api/v1/search?q=" + url.QueryEscape("夏目漱石") + "&page=2&per_page=5", "", nil, 200, []string{`"page":2`, `"per_page":5`}, nil},
		{"search filters", "GET", "/api/v1/search?q=" + url.QueryEscape("宮沢賢治") + "&ndc=9&material_type=book&branch=ozu&available=true&year_from=1950&year_to=2000&sort=newest", "", nil, 200, []string{`"total":`, `"author":"宮沢賢治"`}, nil},
		{"search filter only", "GET", "/api/v1/search?ndc=0", "", nil, 200, []string{`"total":`, `"ndc":"0`}, nil},
		{"search sort title", "GET", "/api/v1/search?q=" + url.QueryEscape("芥川") + "&sort=title", "", nil, 200, []string{`"hits":[{`}, nil},
		{"search empty", "GET", "/api/v1/search?q=", "", nil, 422, []string{`"code":"query_required"`, `検索する言葉`}, nil},
		{"search blank", "GET", "/api/v1/search?q=%20%E3%80%80", "", nil, 422, []string{`"code":"query_required"`}, nil},
		{"search english message", "GET", "/api/v1/search", "", []string{"Accept-Language", "en-US,en;q=0.9"}, 422, []string{`"code":"query_required"`, `"message":"Give words to search for, or a filter."`}, nil},
		{"query syntax is text", "GET", "/api/v1/search?q=" + url.QueryEscape("title:*"), "", nil, 200, []string{`"total":`}, nil},
		{"operators only", "GET", "/api/v1/search?q=" + url.QueryEscape("+-"), "", nil, 200, []string{`"total":0`, `"hits":[]`}, nil},
		{"unbalanced quotes", "GET", "/api/v1/search?q=" + url.QueryEscape(`"こころ`), "", nil, 200, []string{`"title":"こころ"`}, nil},
		{"regexp and fuzzy syntax", "GET", "/api/v1/search?q=" + url.QueryEscape(`/.*/ こころ~2 ^5 (a OR b)`), "", nil, 200, []string{`"total":`}, nil},
		{"10 KB query", "GET", "/api/v1/search?q=" + url.QueryEscape(long), "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"q"`}, nil},
		{"invalid UTF-8 only", "GET", "/api/v1/search?q=%FF%FE%E3%81", "", nil, 422, []string{`"code":"query_required"`}, nil},
		{"invalid UTF-8 around words", "GET", "/api/v1/search?q=%FF%E3%81%93%E3%81%93%E3%82%8D%FE", "", nil, 200, []string{`"title":"こころ"`}, nil},
		{"NUL byte", "GET", "/api/v1/search?q=%00%E3%81%93%E3%81%93%E3%82%8D%00", "", nil, 200, []string{`"title":"こころ"`}, nil},
		{"emoji", "GET", "/api/v1/search?q=" + url.QueryEscape("📚🐈 こころ"), "", nil, 200, []string{`"title":"こころ"`}, nil},
		{"negative page", "GET", "/api/v1/search?q=a&page=-1", "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"page"`}, nil},
		{"zero page", "GET", "/api/v1/search?q=a&page=0", "", nil, 422, []string{`"code":"invalid_parameter"`}, nil},
		{"huge page", "GET", "/api/v1/search?q=a&page=99999999999999999999", "", nil, 422, []string{`"code":"invalid_parameter"`}, nil},
		{"page past the end of paging", "GET", "/api/v1/search?q=a&page=1000000", "", nil, 422, []string{`"code":"invalid_parameter"`, `10000`}, nil},
		{"per_page too big", "GET", "/api/v1/search?q=a&per_page=1000", "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"per_page"`}, nil},
		{"per_page not a number", "GET", "/api/v1/search?q=a&per_page=ten", "", nil, 422, []string{`"code":"invalid_parameter"`}, nil},
		{"bad sort", "GET", "/api/v1/search?q=a&sort=random", "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"sort"`}, nil},
		{"bad ndc", "GET", "/api/v1/search?q=a&ndc=9x", "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"ndc"`}, nil},
		{"unknown material type", "GET", "/api/v1/search?q=a&material_type=scroll", "", nil, 422, []string{`"code":"invalid_parameter"`}, nil},
		{"unknown branch", "GET", "/api/v1/search?q=a&branch=tokyo", "", nil, 422, []string{`"code":"unknown_branch"`}, nil},
		{"bad available", "GET", "/api/v1/search?q=a&available=maybe", "", nil, 422, []string{`"code":"invalid_parameter"`}, nil},
		{"bad year", "GET", "/api/v1/search?q=a&year_from=19999", "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"year_from"`}, nil},
		{"record", "GET", "/api/v1/records/" + recordIDBy(t, e, "こころ", "夏目漱石"), "", nil, 200, []string{`"title":"こころ"`, `"items":[{`, `"barcode":`, `"branch":`, `"location":`, `"call_number":"913/ナ`, `"status":`, `"due_date":`, `"series":`, `"subjects":`, `"description":`}, nil},
		{"record unknown", "GET", "/api/v1/records/99999999", "", nil, 404, []string{`"code":"record_not_found"`}, nil},
		{"record not a number", "GET", "/api/v1/records/abc", "", nil, 404, []string{`"code":"record_not_found"`}, nil},
		{"record negative", "GET", "/api/v1/records/-5", "", nil, 404, []string{`"code":"record_not_found"`}, nil},
		{"record huge id", "GET", "/api/v1/records/99999999999999999999999", "", nil, 404, []string{`"code":"record_not_found"`}, nil},
		{"new arrivals", "GET", "/api/v1/new-arrivals?days=30", "", nil, 200, []string{`"hits":[{`, `"acquired_on":"2026-1`}, nil},
		{"new arrivals page 2", "GET", "/api/v1/new-arrivals?days=60&page=2&per_page=10", "", nil, 200, []string{`"page":2`}, nil},
		{"new arrivals bad days", "GET", "/api/v1/new-arrivals?days=-3", "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"days"`}, nil},
		{"new arrivals too many days", "GET", "/api/v1/new-arrivals?days=100000", "", nil, 422, []string{`"code":"invalid_parameter"`}, nil},
		{"loan ranking month", "GET", "/api/v1/rankings/loans?period=month&limit=5", "", nil, 200, []string{`"ranking":[{"rank":1,"record_id":`, `"title":`, `"author":`, `"count":`}, nil},
		{"loan ranking year", "GET", "/api/v1/rankings/loans?period=year", "", nil, 200, []string{`"rank":1`}, nil},
		{"loan ranking all", "GET", "/api/v1/rankings/loans?period=all&limit=100", "", nil, 200, []string{`"rank":1`}, nil},
		{"loan ranking bad period", "GET", "/api/v1/rankings/loans?period=week", "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"period"`}, nil},
		{"loan ranking bad limit", "GET", "/api/v1/rankings/loans?limit=0", "", nil, 422, []string{`"code":"invalid_parameter"`}, nil},
		{"hold ranking", "GET", "/api/v1/rankings/holds?limit=20", "", nil, 200, []string{`"ranking":[{"rank":1`}, nil},
		{"calendar", "GET", "/api/v1/calendar?branch=ozu&month=2026-12", "", nil, 200, []string{`"branch":"ozu"`, `"month":"2026-12"`,
			`{"date":"2026-12-01","open":true,"opens_at":"09:00","closes_at":"19:00","note":""}`,
			`{"date":"2026-12-07","open":false,"opens_at":null,"closes_at":null,"note":"休館日"}`,
			`{"date":"2026-12-29","open":false,"opens_at":null,"closes_at":null,"note":"年末年始休館"}`,
			`{"date":"2026-12-05","open":true,"opens_at":"09:00","closes_at":"17:00","note":""}`}, nil},
		{"calendar holiday", "GET", "/api/v1/calendar?branch=kawabe&month=2027-01", "", nil, 200, []string{`{"date":"2027-01-11","open":false,"opens_at":null,"closes_at":null,"note":"成人の日（休館）"}`, `"date":"2027-01-14","open":false`}, nil},
		{"calendar month end", "GET", "/api/v1/calendar?branch=ozu&month=2027-03", "", nil, 200, []string{`{"date":"2027-03-31","open":false,"opens_at":null,"closes_at":null,"note":"月末整理日（休館）"}`}, nil},
		{"calendar demo closure", "GET", "/api/v1/calendar?branch=nagahama&month=2026-12", "", nil, 200, []string{`{"date":"2026-12-11","open":false,"opens_at":null,"closes_at":null,"note":"蔵書点検のため休館"}`}, nil},
		{"calendar default month", "GET", "/api/v1/calendar?branch=ozu", "", nil, 200, []string{`"month":"2026-11"`, `"date":"2026-11-30"`}, nil},
		{"calendar unknown branch", "GET", "/api/v1/calendar?branch=atlantis", "", nil, 422, []string{`"code":"unknown_branch"`}, nil},
		{"calendar bad month", "GET", "/api/v1/calendar?branch=ozu&month=2026-13", "", nil, 422, []string{`"code":"invalid_parameter"`, `"field":"month"`}, nil},
		{"news", "GET", "/api/v1/news", "", nil, 200, []string{`"news":[{"id":`, `"date":"2026-11-26"`, `"title":"年末年始の休館について"`, `"body":`}, nil},
		{"unknown route", "GET", "/api/v1/nothing", "", nil, 404, []string{`"code":"not_found"`}, nil},
		{"wrong method", "DELETE", "/api/v1/branches", "", nil, 405, []string{`"code":"method_not_allowed"`}, nil},
		{"test clock bad JSON", "POST", "/api/v1/test/clock", `{"advance":`, nil, 400, []string{`"code":"bad_request"`}, nil},
		{"test clock bad duration", "POST", "/api/v1/test/clock", `{"advance":"soon"}`, nil, 422, []string{`"code":"invalid_clock"`}, nil},
		{"test clock negative", "POST", "/api/v1/test/clock", `{"advance":"-1h"}`, nil, 422, []string{`"code":"invalid_clock"`}, nil},
		{"test clock both", "POST", "/api/v1/test/clock", `{"advance":"1h","set":"2026-11-27T10:00:00+09:00"}`, nil, 422, []string{`"code":"invalid_clock"`}, nil},
		{"test clock set", "POST", "/api/v1/test/clock", `{"set":"2026-11-27T10:00:00+09:00","unknown":1}`, nil, 200, []string{`"now":"2026-11-27T10:00:0`}, nil},
		{"test clock advance", "POST", "/api/v1/test/clock", `{"advance":"30m"}`, nil, 200, []string{`"now":"2026-11-27T10:30:0`}, nil},
		{"test clock days", "POST", "/api/v1/test/clock", `{"advance":"1d"}`, nil, 200, []string{`"now":"2026-11-28T10:30:0`}, nil},
		{"test clock back", "POST", "/api/v1/test/clock", `{"set":"2026-11-27T10:00:00+09:00"}`, nil, 200, []string{`"now":"2026-11-27T10:00:0`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, hdr, body := call(t, tt.method, e.URL+tt.path, tt.body, tt.header...)
			if status != tt.status {
				t.Fatalf("status %d, want %d; body %.300s", status, tt.status, body)
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if !json.Valid([]byte(body)) {
				t.Fatalf("invalid JSON: %.300s", body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s\n%.600s", w, body)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("body has %s", n)
				}
			}
		})
	}
}

// recordIDFor finds the id of the first record with exactly this title.
func recordIDFor(t *testing.T, e *testEnv, title string) string {
	t.Helper()
	return recordIDBy(t, e, title, "")
}

// recordIDBy finds the id of the first record with exactly this title by
// this author ("": any).
func recordIDBy(t *testing.T, e *testEnv, title, author string) string {
	t.Helper()
	var res struct {
		Hits []struct {
			ID     int64  `json:"id"`
			Title  string `json:"title"`
			Author string `json:"author"`
		} `json:"hits"`
	}
	getJSON(t, e.URL+"/api/v1/search?per_page=50&q="+url.QueryEscape(strings.TrimSpace(title+" "+author)), &res)
	for _, h := range res.Hits {
		if h.Title == title && strings.Contains(h.Author, author) {
			return jsonInt(h.ID)
		}
	}
	t.Fatalf("no record titled %s by %q", title, author)
	return ""
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	status, _, body := call(t, "GET", u, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", u, status, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func TestTestClockAbsentWithoutFlag(t *testing.T) {
	cfg := testConfig(t.TempDir(), false)
	cfg.TestClock = false
	e, err := newEnvOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.App.Close()
	status, _, body := call(t, "POST", e.URL+"/api/v1/test/clock", `{"advance":"1h"}`)
	if status != http.StatusNotFound {
		t.Fatalf("status %d, want 404: %s", status, body)
	}
}
