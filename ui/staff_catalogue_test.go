package ui_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
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
	jobPage := importFile(t, e, c, token, "books.csv",
		[]byte("title,title_yomi,author,isbn,ndc,year\n肱川あらし,ヒジカワ アラシ,大洲花子,,451,2020\n,ヨミダケ,,,,\n長浜の町並み,ナガハマ ノ マチナミ,,,291,2019\n"))
	if !strings.Contains(jobPage, "2件を保存、1件の誤りを飛ばしました") || !strings.Contains(jobPage, "飛ばしたレコード") || !strings.Contains(jobPage, `<progress value="100"`) {
		t.Fatalf("import report: %s", jobPage)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/reindex", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reindex: %d", resp.StatusCode)
	}
	jobURL := e.URL + resp.Header.Get("Location")
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
		// Print pages need a scan of the session or a card (TestPrintPages),
		// the way to a hold form a card and a title (TestStaffFind).
		if r.Method != "GET" || !strings.HasPrefix(r.Path, "/staff") || strings.HasPrefix(r.Path, "/staff/jobs/") ||
			strings.HasPrefix(r.Path, "/staff/print/") || r.Path == "/staff/patrons/hold-for" {
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

// upload posts a file to the staff import page and returns the answer.
func upload(t *testing.T, e *testEnv, c *http.Client, token, name string, content []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", token)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.URL+"/staff/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// importFile imports a file from the staff page and returns the job's
// page once it is done.
func importFile(t *testing.T, e *testEnv, c *http.Client, token, name string, content []byte) string {
	t.Helper()
	resp, body := upload(t, e, c, token, name, content)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/jobs/") {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	jobURL := e.URL + resp.Header.Get("Location")
	for range 300 {
		resp, body = do(t, c, "GET", jobURL, nil)
		if resp.Header.Get("Refresh") == "" {
			return body
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the import of %s did not end in 30 s", name)
	return ""
}

// TestImportLimitsFromTheBrowser: a file that would have taken the server
// to gigabytes (a few kilobytes of gzip holding one 20 MiB line) stops
// with an error after the records before it; a JSON file is named as
// such at once; a file of no record says so instead of "0 saved".
func TestImportLimitsFromTheBrowser(t *testing.T) {
	e := accountsEnv(t)
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte("title,title_yomi\n大洲の桜,オオズ ノ サクラ\n" + strings.Repeat("あ", 7<<20) + ",x\n後の本,アト ノ ホン\n"))
	zw.Close()
	page := importFile(t, e, c, token, "bomb.csv.gz", z.Bytes())
	if !strings.Contains(page, "too large") || !strings.Contains(page, "1件を保存") {
		t.Errorf("the bomb's report: %s", page[strings.Index(page, "<main"):])
	}
	resp, body := upload(t, e, c, token, "records.json", []byte(`[{"leader":"00000nam a2200000 i 4500","fields":[]}]`))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "JSON のファイル") {
		t.Errorf("a JSON file: %d", resp.StatusCode)
	}
	if page := importFile(t, e, c, token, "empty.csv", []byte("title,author\n")); !strings.Contains(page, "no records") {
		t.Errorf("a file of no record: %s", page[strings.Index(page, "<main"):])
	}
}

// TestInterruptedImportShown: an import a crash cut short is shown as
// interrupted on the next start, with what it had saved, and its upload
// does not lie about in the data directory; finished jobs are listed too.
func TestInterruptedImportShown(t *testing.T) {
	cfg := testConfig(t.TempDir(), false)
	first, err := newEnvOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := first.App.Accounts.AddStaff(ctx, 0, "counter", library.RoleLibrarian, "counter-pass-1"); err != nil {
		t.Fatal(err)
	}
	c, token := staffBrowser(t, first, "counter", "counter-pass-1")
	importFile(t, first, c, token, "done.csv", []byte("title\n大洲の桜\n"))
	first.App.Close()

	// What a crash in the middle of an import leaves.
	uploads := filepath.Join(cfg.DataDir, "uploads")
	started := testNow.Add(-time.Minute)
	rec := fmt.Sprintf(`{"ID":"deadbeef","Kind":"import","File":"big.csv","Format":"csv","Started":%q,"State":"running","Saved":4000}`,
		started.Format(time.RFC3339))
	os.WriteFile(filepath.Join(uploads, "deadbeef.json"), []byte(rec), 0o600)
	os.WriteFile(filepath.Join(uploads, "deadbeef.upload"), []byte("title\n"+strings.Repeat("本\n", 1000)), 0o600)

	second, err := newEnvOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer second.App.Close()
	c, _ = staffBrowser(t, second, "counter", "counter-pass-1")
	_, page := do(t, c, "GET", second.URL+"/staff/import", nil)
	main := page[strings.Index(page, "<main"):]
	if !strings.Contains(main, "big.csv") || !strings.Contains(main, "中断") || !strings.Contains(main, "done.csv") || !strings.Contains(main, "1件を保存") {
		t.Errorf("the import page: %s", main)
	}
	if _, job := do(t, c, "GET", second.URL+"/staff/jobs/deadbeef", nil); !strings.Contains(job, "中断しました") || !strings.Contains(job, "4000 件") {
		t.Errorf("the interrupted job's page: %s", job[strings.Index(job, "<main"):])
	}
	entries, _ := os.ReadDir(uploads)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			t.Errorf("%s left in the upload directory", e.Name())
		}
	}
	if info, err := os.Stat(uploads); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("upload directory: %v %v", info.Mode(), err)
	}
}
