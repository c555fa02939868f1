package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hondana/store"
)

// TestPages fetches every public page as a browser would and checks what a
// patron reads on it.
func TestPages(t *testing.T) {
	e := demoEnv(t)
	kokoro := recordIDBy(t, e, "こころ", "夏目漱石")
	tests := []struct {
		name   string
		path   string
		header []string
		status int
		want   []string
	}{
		{"home", "/", nil, 200, []string{`<html lang="ja">`, "本日の開館状況", "大洲図書館", "長浜図書館", "肱川図書館", "河辺図書館", "開館 09:00〜19:00", "年末年始の休館について", "新着資料", `action="/search"`}},
		{"home in English by header", "/", []string{"Accept-Language", "en-GB,en;q=0.8,ja;q=0.5"}, 200, []string{`<html lang="en">`, "Open today", "Ozu Library", "Open 09:00–19:00"}},
		{"home in Japanese when ja comes first", "/", []string{"Accept-Language", "ja,en;q=0.8"}, 200, []string{`<html lang="ja">`, "本日の開館状況"}},
		{"home in English by switch", "/?lang=en", nil, 200, []string{`<html lang="en">`, "Open today", `href="/?lang=ja"`}},
		{"menu", "/", nil, 200, []string{"トップページ", "図書館の概要", "利用案内", "お知らせ", "予約の方法", "蔵書検索", "新着資料", "利用照会", "貸出ベスト", "予約ベスト", "図書館カレンダー", "携帯サイトの情報", "ボランティア募集", "雑誌スポンサー募集", "うちどく", "学校関係", "視聴覚センター", "地域資料"}},
		{"search form", "/search", nil, 200, []string{"蔵書検索", `name="q"`}},
		{"search results", "/search?q=" + url.QueryEscape("銀河鉄道の夜"), nil, 200, []string{"「銀河鉄道の夜」の検索結果", "銀河鉄道の夜", "宮沢賢治", "絞り込み", "分類（NDC）", "9 文学", "所蔵館", "貸出状況", "出版年", "関連度順", "貸出可"}},
		{"search facet selected", "/search?q=" + url.QueryEscape("宮沢賢治") + "&branch=ozu", nil, 200, []string{`aria-current="true">大洲図書館`, "絞り込みを解除"}},
		{"search ndc class", "/search?q=" + url.QueryEscape("宮沢賢治") + "&ndc=9", nil, 200, []string{`aria-current="true">9 文学`, `ndc=913`}},
		{"search ndc division", "/search?q=" + url.QueryEscape("宮沢賢治") + "&ndc=913", nil, 200, []string{`aria-current="true">913`, `>9 文学</a>`}},
		{"search no hits", "/search?q=" + url.QueryEscape("きんかくじ"), nil, 200, []string{"該当する資料は見つかりませんでした", "ひらがな・カタカナ・漢字"}},
		{"search relaxed", "/search?q=" + url.QueryEscape("natsume souseki"), nil, 200, []string{"「natsume souseki」の検索結果はありませんでした。「ナツメ ソウセキ」の結果を表示しています。", "「ナツメ ソウセキ」の検索結果", "こころ", `class="hit"`}},
		{"search relaxed English", "/search?lang=en&q=" + url.QueryEscape("坊ちゃん"), nil, 200, []string{"Nothing was found for “坊ちゃん”. Showing results for “坊っちゃん”.", "坊っちゃん"}},
		{"search paging", "/search?q=" + url.QueryEscape("夏目漱石"), nil, 200, []string{`rel="next"`, "1 / "}},
		{"search bad page", "/search?q=a&page=-2", nil, 422, []string{"ページ番号の値が正しくありません", `role="alert"`}},
		{"search bad page English", "/search?q=a&page=-2&lang=en", nil, 422, []string{"Invalid value for page number (page)"}},
		{"search hostile", "/search?q=" + url.QueryEscape(`"title:* +- <script>alert(1)</script>`), nil, 200, []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}},
		{"record", "/records/" + kokoro, nil, 200, []string{"<h1>こころ", "夏目漱石", "所蔵一覧", "請求記号", "913/ナ", "この資料の予約"}},
		{"record unknown", "/records/123456789", nil, 404, []string{"指定された資料は見つかりませんでした"}},
		{"isbn link", "/isbn/4-7949-7075-7", nil, 200, []string{"これからの本の話をしよう", "晶文社", "978-4-7949-7075-6"}},
		{"isbn unknown", "/isbn/9784000000000", nil, 404, []string{"見つかりませんでした"}},
		{"new arrivals", "/new", nil, 200, []string{"新着資料（30日以内）", "すべて", `class="hit"`}},
		{"new arrivals class", "/new?ndc=0", nil, 200, []string{`aria-current="page">0 総記`}},
		{"calendar", "/calendar?branch=ozu&month=2026-12", nil, 200, []string{"大洲図書館 2026年12月", "年末年始休館", "休館日", `<span>09:00</span><span class="to">〜</span><span>19:00</span>`, "前の月", "次の月"}},
		{"calendar today", "/calendar", nil, 200, []string{"2026年11月", `today`}},
		{"calendar bad branch", "/calendar?branch=nowhere", nil, 422, []string{"指定された図書館はありません"}},
		{"news", "/news", nil, 200, []string{"お知らせ", "年末年始の休館について", "おはなし会のお知らせ"}},
		{"branches", "/branches", nil, 200, []string{"各館のご案内", "〒795-0065 愛媛県大洲市東若宮17番地5", `href="tel:0893-59-4111"`, "0893-59-4123"}},
		{"content page", "/pages/reserve", nil, 200, []string{"予約の方法", "カートに入れる", "予約を確定する", "30分後"}},
		{"content page English title", "/pages/guide?lang=en", nil, 200, []string{"How to use the library"}},
		{"content unknown", "/pages/nothing", nil, 404, []string{"ページが見つかりません"}},
		{"loan ranking", "/ranking/loans?period=year", nil, 200, []string{"貸出ベスト", "今月", "今年", `aria-current="page">今年`, `class="rank"`}},
		{"hold ranking", "/ranking/holds", nil, 200, []string{"予約ベスト", "件"}},
		{"unknown page", "/no/such/page", nil, 404, []string{"ページが見つかりません", "お探しのページは見つかりませんでした"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, hdr, body := call(t, "GET", e.URL+tt.path, "", tt.header...)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.400s", status, tt.status, body)
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q", ct)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

func TestNewsItemPage(t *testing.T) {
	e := demoEnv(t)
	var res struct {
		News []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"news"`
	}
	getJSON(t, e.URL+"/api/v1/news", &res)
	if len(res.News) == 0 {
		t.Fatal("no news")
	}
	status, _, body := call(t, "GET", e.URL+"/news/"+jsonInt(res.News[0].ID), "")
	if status != http.StatusOK || !strings.Contains(body, res.News[0].Title) || !strings.Contains(body, "<p>") {
		t.Errorf("news page %d: %.300s", status, body)
	}
}

// TestAssets: the stylesheet is served under its hashed URL, cacheable.
func TestAssets(t *testing.T) {
	e := demoEnv(t)
	_, _, home := call(t, "GET", e.URL+"/", "")
	i := strings.Index(home, `href="/assets/app.`)
	if i < 0 {
		t.Fatal("no stylesheet link")
	}
	href := home[i+6 : i+6+strings.Index(home[i+6:], `"`)]
	status, hdr, body := call(t, "GET", e.URL+href, "")
	if status != 200 || !strings.Contains(hdr.Get("Cache-Control"), "immutable") || !strings.Contains(hdr.Get("Content-Type"), "text/css") || !strings.Contains(body, "max-width") {
		t.Errorf("%s: %d %v", href, status, hdr)
	}
	if status, _, _ := call(t, "GET", e.URL+"/assets/app.00000000.css", ""); status != 404 {
		t.Errorf("stale asset: %d", status)
	}
}

// TestNoHostReflection: the mobile page's addresses and QR codes name the
// configured public URL whatever Host a request claims, and without one
// the address the server listens on; behind HTTPS the language cookie is
// Secure like the others.
func TestNoHostReflection(t *testing.T) {
	e := demoEnv(t)
	get := func(base, path string, header ...string) (http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Host = "evil.example"
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Header, string(b)
	}
	if _, body := get(e.URL, "/pages/mobile"); strings.Contains(body, "evil.example") || !strings.Contains(body, "http://opac.example.jp/m/") {
		t.Errorf("with base_url set, the mobile page links to %q", body[strings.Index(body, "<main"):][:400])
	}
	cfg := testConfig(t.TempDir(), false)
	cfg.BaseURL, cfg.Addr = "", "127.0.0.1:8123"
	cfg.Web.SecureCookies = true
	bare, err := newEnvOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer bare.App.Close()
	if err := bare.Server.Content.SavePage(context.Background(), 0, store.Page{Slug: "mobile", Title: "携帯サイトの情報"}); err != nil {
		t.Fatal(err)
	}
	if _, body := get(bare.URL, "/pages/mobile"); strings.Contains(body, "evil.example") || !strings.Contains(body, "http://127.0.0.1:8123/m/") {
		t.Errorf("without base_url, the mobile page links elsewhere than the listening address: %s", body)
	}
	h, _ := get(bare.URL, "/?lang=en")
	if ck := h.Get("Set-Cookie"); !strings.Contains(ck, "lang=en") || !strings.Contains(ck, "Secure") {
		t.Errorf("language cookie behind HTTPS: %q", ck)
	}
}
