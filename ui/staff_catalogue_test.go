package ui_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hondana/library"
	"hondana/search"
)

// TestCataloguePages: staff catalogue a title with its first copy (readings
// required, NDC and ISBN checked, barcodes unique), find it in the OPAC,
// add and withdraw copies (not one on loan), import a file from the
// browser and rebuild the index.
func TestCataloguePages(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	form := url.Values{"csrf": {token}, "title": {"大洲の歴史"}, "title_yomi": {""}, "author": {"大洲太郎"}, "author_yomi": {"オオズ タロウ"},
		"year": {"2025"}, "ndc": {"21"}, "isbn": {"978-4-00-000000-1"}, "material_type": {"book"}, "barcode": {"NEW-1"}, "branch": {"ozu"},
		"location": {"郷土資料"}, "call_number": {"218.3/オ"}}
	resp, body := do(t, c, "POST", e.URL+"/staff/records/new", form)
	if resp.StatusCode != 422 || strings.Count(body, `class="field-error"`) != 3 {
		t.Fatalf("bad record: %d, want errors for the reading, NDC and ISBN: %d in %s", resp.StatusCode, strings.Count(body, `class="field-error"`), body[strings.Index(body, "<main"):])
	}
	form.Set("title_yomi", "オオズ ノ レキシ")
	form.Set("ndc", "218.3")
	form.Set("isbn", "4-7949-7075-7")
	resp, _ = do(t, c, "POST", e.URL+"/staff/records/new", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("catalogue: %d", resp.StatusCode)
	}
	page := e.URL + resp.Header.Get("Location")
	page = page[:strings.Index(page, "?")]
	if err := e.Cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	res, _ := e.Cat.Search(ctx, search.Query{Text: "おおずのれきし"})
	if res.Total != 1 {
		t.Fatalf("the new title is not found by its reading: %d", res.Total)
	}
	// A second title with the same barcode is refused.
	form.Set("title", "別の本")
	resp, body = do(t, c, "POST", e.URL+"/staff/records/new", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "その資料番号はすでに使われています") {
		t.Errorf("duplicate barcode: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", page+"/copies", url.Values{"csrf": {token}, "barcode": {"NEW-2"}, "branch": {"nagahama-x"}})
	if resp.StatusCode != 422 {
		t.Errorf("copy at an unknown branch: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", page+"/copies", url.Values{"csrf": {token}, "barcode": {"NEW-2"}, "branch": {"ozu"}, "location": {"開架"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add copy: %d", resp.StatusCode)
	}
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "借 一", NameYomi: "カリ イチ", BirthDate: "1990-01-01"})
	if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, "NEW-1", "ozu"); err != nil {
		t.Fatal(err)
	}
	resp, body = do(t, c, "POST", page+"/withdraw", url.Values{"csrf": {token}, "barcode": {"NEW-1"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "除籍できません") {
		t.Errorf("withdraw a copy on loan: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", page+"/withdraw", url.Values{"csrf": {token}, "barcode": {"NEW-2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("withdraw: %d", resp.StatusCode)
	}
	resp, body = do(t, c, "GET", page, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("record page %s: %d %.300s", page, resp.StatusCode, body)
	}
	if strings.Contains(body, "NEW-2") || !strings.Contains(body, "NEW-1") {
		t.Errorf("the withdrawn copy is still listed, or the other is gone: %s", body[strings.Index(body, "<main"):])
	}

	// Import a CSV from the browser: good rows kept, a bad one reported.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", token)
	fw, _ := mw.CreateFormFile("file", "books.csv")
	fw.Write([]byte("title,title_yomi,author,isbn,ndc,year\n肱川あらし,ヒジカワ アラシ,大洲花子,,451,2020\n,ヨミダケ,,,,\n長浜の町並み,ナガハマ ノ マチナミ,,,291,2019\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", e.URL+"/staff/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	b := make([]byte, 1<<16)
	for {
		n, err := resp.Body.Read(b)
		out.Write(b[:n])
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/jobs/") {
		t.Fatalf("import: %d %s", resp.StatusCode, out.String())
	}
	jobURL := e.URL + resp.Header.Get("Location")
	var jobPage string
	for i := 0; i < 100; i++ {
		resp, jobPage = do(t, c, "GET", jobURL, nil)
		if resp.Header.Get("Refresh") == "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(jobPage, "2件を保存、1件の誤りを飛ばしました") || !strings.Contains(jobPage, "飛ばしたレコード") || !strings.Contains(jobPage, `<progress value="100"`) {
		t.Fatalf("import report: %s", jobPage)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/reindex", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reindex: %d", resp.StatusCode)
	}
	jobURL = e.URL + resp.Header.Get("Location")
	for i := 0; i < 100; i++ {
		resp, jobPage = do(t, c, "GET", jobURL, nil)
		if resp.Header.Get("Refresh") == "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(jobPage, "検索索引を作り直しました") {
		t.Fatalf("reindex report: %s", jobPage)
	}
	if res, _ := e.Cat.Search(ctx, search.Query{Text: "ひじかわあらし"}); res.Total != 1 {
		t.Errorf("imported title not found: %d", res.Total)
	}
	resp, _ = do(t, c, "GET", e.URL+"/staff/transit?branch=ozu", nil)
	if resp.StatusCode != 200 {
		t.Errorf("transit page: %d", resp.StatusCode)
	}
}

// TestEveryStaffPageRenders opens every staff page, logged in as an
// admin, on the demo library: none may fail.
func TestEveryStaffPageRenders(t *testing.T) {
	e := demoEnv(t)
	c, _ := staffBrowser(t, e, "staff", "demo-staff-pass")
	var id int64
	e.DB.Reader().QueryRow(`SELECT id FROM news LIMIT 1`).Scan(&id)
	pages := 0
	for _, r := range e.Server.Routes() {
		if r.Method != "GET" || !strings.HasPrefix(r.Path, "/staff") || strings.HasPrefix(r.Path, "/staff/jobs/") {
			continue
		}
		path := strings.NewReplacer(":id", "1", ":card", "100001000", ":slug", "about").Replace(r.Path)
		if strings.HasPrefix(r.Path, "/staff/news/") {
			path = "/staff/news/" + jsonInt(id)
		}
		for _, q := range []string{"", "?branch=nagahama&card=100001000&q=" + url.QueryEscape("佐藤")} {
			resp, body := do(t, c, "GET", e.URL+path+q, nil)
			pages++
			if resp.StatusCode >= 400 {
				t.Errorf("GET %s%s: %d %.200s", path, q, resp.StatusCode, body)
			}
		}
	}
	if pages < 30 {
		t.Errorf("only %d pages", pages)
	}
}
