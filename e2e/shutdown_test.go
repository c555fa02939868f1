package e2e

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShutdownDuringImportAndRebuild stops the server with SIGTERM (as
// systemd does) while an import from the staff pages and a reindex are
// running. The server must cancel both, wait for them and close the index
// and the database after them: it exits cleanly, logs no error, and the
// next start finds everything committed before the signal — the import's
// saved batches, a hold and a loan — with an index in step.
func TestShutdownDuringImportAndRebuild(t *testing.T) {
	ready(t)
	data := filepath.Join(t.TempDir(), "data")
	first := startProcess(t, data)
	first.use(t)

	// Committed before the signal: a hold and a loan of the demo patron.
	var login struct{ Token string }
	call(t, "POST", "/login", "", map[string]string{"card": "100001000", "password": "demo1234"}, http.StatusOK, &login)
	p := patron{Card: "100001000", Token: login.Token}
	recs := findRecords(t, "夏目漱石", 2, renewable)
	holdID := placeHold(t, p, recs[0].ID, "ozu")
	it, _ := recs[1].onShelf()
	loanID := checkout(t, p, it)

	// An import big enough to be cut short, and a reindex beside it.
	const rows = 60000
	var csv bytes.Buffer
	csv.WriteString("id,title,title_yomi,author,year\n")
	for i := range rows {
		fmt.Fprintf(&csv, "shutdown-%d,試験取込 第%d巻,シケントリコミ,停止 太郎,2001\n", i, i)
	}
	c := staffBrowser(t, first.base)
	jobURL := upload(t, c, first.base, "shutdown.csv", csv.Bytes())
	saved := 0
	running := regexp.MustCompile(`(\d+)件を保存`)
	for deadline := time.Now().Add(60 * time.Second); saved == 0; {
		body := get(t, c, first.base+jobURL)
		if m := running.FindStringSubmatch(body); m != nil {
			saved, _ = strconv.Atoi(m[1])
		}
		if strings.Contains(body, "件の誤りを飛ばしました") {
			t.Fatal("the import ended before the signal; make the file larger")
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import saved nothing in a minute:\n%s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	postForm(t, c, first.base, "/staff/reindex", url.Values{})
	// Signal once the new index is being written beside the old one.
	building := filepath.Join(data, "index.bleve.*")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if found, _ := filepath.Glob(building); len(found) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reindex wrote nothing in 30 s")
		}
	}

	if err := first.terminate(60 * time.Second); err != nil {
		t.Fatalf("after SIGTERM the server did not exit cleanly: %v\n%s", err, first.logTail())
	}
	if log := first.logTail(); strings.Contains(log, "level=ERROR") || strings.Contains(log, "panic") {
		t.Errorf("errors in the log of the shutdown:\n%s", log)
	}
	// The reindex was cancelled and cleaned up after, not cut off
	// half-way by the end of the process.
	if left, _ := filepath.Glob(building); len(left) > 0 {
		t.Errorf("a build left %v behind", left)
	}

	second := startProcess(t, data)
	second.use(t)
	var holds struct{ Holds []struct{ ID int64 } }
	var loans struct{ Loans []struct{ ID int64 } }
	call(t, "POST", "/login", "", map[string]string{"card": "100001000", "password": "demo1234"}, http.StatusOK, &login)
	call(t, "GET", "/me/holds", login.Token, nil, http.StatusOK, &holds)
	call(t, "GET", "/me/loans", login.Token, nil, http.StatusOK, &loans)
	if !hasID(holds.Holds, holdID) || !hasID(loans.Loans, loanID) {
		t.Errorf("after the restart: hold %d in %v, loan %d in %v", holdID, holds.Holds, loanID, loans.Loans)
	}
	// Every batch the import committed is there and searchable: at least
	// what the job page showed before the signal, in whole batches.
	var res struct{ Total int }
	call(t, "GET", "/search?per_page=1&q="+url.QueryEscape("試験取込"), "", nil, http.StatusOK, &res)
	if res.Total < saved || res.Total%2000 != 0 && res.Total != rows {
		t.Errorf("after the restart %d imported records are searchable; the job had saved %d before the signal, in batches of 2000", res.Total, saved)
	}
	// The staff see the import as cut short, with what it had saved,
	// unless it had saved everything: on an idle machine it may end
	// before the reindex begins (2 s of writes), or as the signal comes.
	endedBefore := res.Total == rows
	if page := get(t, staffBrowser(t, second.base), second.base+"/staff/import"); !strings.Contains(page, "shutdown.csv") || !endedBefore && !strings.Contains(page, "中断") {
		t.Errorf("the import page after the restart does not show the import as interrupted")
	}
	second.stop()
	if log := second.logTail(); strings.Contains(log, "level=ERROR") || strings.Contains(log, "out of step") {
		t.Errorf("the next start was not clean:\n%s", log)
	}
	fmt.Fprintf(os.Stderr, "e2e: SIGTERM during an import (%d saved when sent) and a reindex; after the restart %d searchable\n", saved, res.Total)
}

func hasID(list []struct{ ID int64 }, id int64) bool {
	for _, x := range list {
		if x.ID == id {
			return true
		}
	}
	return false
}

// terminate sends SIGTERM and waits up to d for the process to end; the
// error is its exit status.
func (s *server) terminate(d time.Duration) error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	ended := make(chan error, 1)
	go func() { ended <- s.done() }()
	select {
	case err := <-ended:
		return err
	case <-time.After(d):
		_ = s.cmd.Process.Kill()
		<-ended
		return fmt.Errorf("still running %v after SIGTERM", d)
	}
}

// staffBrowser is an HTTP client with the demo staff account logged in
// through the staff login form, as a browser without JavaScript.
func staffBrowser(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get(t, c, base+"/staff/login")
	resp := postForm(t, c, base, "/staff/login", url.Values{"username": {"staff"}, "password": {"demo-staff-pass"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff login: %d", resp.StatusCode)
	}
	return c
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return b.String()
}

// csrf is the form token, which the server keeps in a cookie as well.
func csrf(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "hondana_csrf" {
			return ck.Value
		}
	}
	t.Fatal("no CSRF cookie")
	return ""
}

// postForm posts a form with the CSRF token.
func postForm(t *testing.T, c *http.Client, base, path string, form url.Values) *http.Response {
	t.Helper()
	form.Set("csrf", csrf(t, c, base))
	resp, err := c.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// upload sends a file to the staff import page and returns the job page's
// path it redirects to.
func upload(t *testing.T, c *http.Client, base, name string, content []byte) string {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", csrf(t, c, base))
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	resp, err := c.Post(base+"/staff/import", w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/jobs/") {
		t.Fatalf("import upload: %d %s", resp.StatusCode, loc)
	}
	return loc
}
