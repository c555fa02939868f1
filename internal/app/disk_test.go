package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"hondana/internal/testdisk"
)

// TestFullDisk fills the disk under a running server, as a library's
// server fills it one day. Before, a goroutine of the search index
// panicked when the disk filled between the database write and the index
// write, and the server died again at every start while the disk stayed
// full. Now: nothing panics; a write answers 503 storage_unavailable,
// saying in Japanese and English that the library cannot save right now
// (the JSON API, and the counter's page); searches and pages still work;
// /healthz answers 503 saying what fails; a restart on the still-full
// disk serves read-only, saying so in the log and on the staff home and
// login pages; and once space is freed, writes work again (after a
// restart: a read-only server stays read-only).
func TestFullDisk(t *testing.T) {
	mnt := testdisk.Small(t, 24<<20)
	cfg := Default()
	cfg.DataDir = filepath.Join(mnt, "data")
	cfg.Pepper = "test-pepper"
	log := &lockedBuffer{}

	s := startServer(t, cfg, log)
	staffToken := s.staffToken(t)
	card := s.apiJSON(t, staffToken, "POST", "/api/v1/staff/patrons",
		`{"name":"大洲 花子","name_yomi":"オオズ ハナコ","birth_date":"1990-04-01"}`, 201)["card"].(string)
	var items []string
	for i := range 10 {
		items = append(items, fmt.Sprintf(`{"barcode":"FD-%d","branch":"ozu"}`, i))
	}
	s.apiJSON(t, staffToken, "POST", "/api/v1/staff/records",
		`{"title":"銀河鉄道の夜","author":"宮沢賢治","items":[`+strings.Join(items, ",")+`]}`, 201)
	s.apiJSON(t, staffToken, "POST", "/api/v1/staff/records", `{"title":"風の又三郎","author":"宮沢賢治"}`, 201)
	web := s.staffBrowser(t)
	s.waitIndexed(t, "風の又三郎")
	// Room inside the files SQLite has, as there is in any database
	// that has deleted rows: the first changes after the disk fills
	// still fit in it, and the index, which has no such room, is the
	// first to fail. (A commit of over 1000 pages folds the WAL into the
	// database file at once.)
	for _, stmt := range []string{
		`INSERT INTO news(day, title, body, created_at) VALUES('2026-12-01', 'x', '` + strings.Repeat("空", 1600000) + `', 'x')`,
		`DELETE FROM news`,
	} {
		if err := s.app.DB.Tx(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec(stmt); return err }); err != nil {
			t.Fatal(err)
		}
	}

	var frees []func()
	fill := func() { frees = append(frees, testdisk.Fill(t, mnt)) }
	// full tops the disk up and runs check until it says it saw what it
	// looks for: on a full disk a little space comes and goes (each try
	// of the index worker writes part of a segment, then removes it).
	full := func(what string, check func() bool) {
		t.Helper()
		for range 20 {
			fill()
			if check() {
				return
			}
		}
		t.Errorf("not seen in 20 tries on a full disk: %s", what)
	}

	fill()
	// Write until the disk refuses: every answer is a 201 or the 503.
	desc := strings.Repeat("本", 3000)
	var body []byte
	saved := 0
	for i := 0; body == nil; i++ {
		if i == 2000 {
			t.Fatal("2000 records saved on a full disk")
		}
		resp, b := s.do(t, staffToken, "POST", "/api/v1/staff/records", "",
			fmt.Sprintf(`{"title":"満杯 %d","description":"%s"}`, i, desc))
		switch resp.StatusCode {
		case 201:
			saved++
		case 503:
			body = b
		default:
			t.Fatalf("record %d on a full disk: %d %s", i, resp.StatusCode, b)
		}
	}
	t.Logf("%d records saved after the disk filled", saved)
	if !strings.Contains(string(body), `"code":"storage_unavailable"`) || !strings.Contains(string(body), "保存ができません") {
		t.Errorf("a write on a full disk: %s; want storage_unavailable saying the library cannot save", body)
	}
	if saved > 0 {
		// Those were saved to the database but not to the index: its
		// worker fails (where it panicked before) and says so.
		s.waitHealth(t, "index: failing")
	}
	full("a write refused in English", func() bool {
		resp, b := s.do(t, staffToken, "POST", "/api/v1/staff/records", "en", `{"title":"英語で","description":"`+desc+`"}`)
		if resp.StatusCode == 503 && !strings.Contains(string(b), "cannot save anything right now") {
			t.Errorf("in English: %s", b)
		}
		return resp.StatusCode == 503
	})
	lent := 0
	full("the counter says it cannot save", func() bool {
		page, status := web.postStatus(t, "/staff/counter/checkout", url.Values{"card": {card}, "barcode": {fmt.Sprintf("FD-%d", lent)}})
		if status == 503 && !strings.Contains(page, "保存ができません") {
			t.Errorf("the counter's answer on a full disk lacks the storage message:\n%s", page)
		}
		lent++
		return status == 503
	})
	s.checkReads(t)
	full("/healthz: 503, the database failing", func() bool {
		status, body := s.get(t, "/healthz")
		return status == 503 && strings.Contains(body, "database: failing")
	})
	s.stop(t)

	// Stopping gave back what SQLite held: take that too, and start
	// again on a disk as full as it was.
	fill()
	s = startServer(t, cfg, log)
	if s.app.ReadOnly() == nil {
		t.Fatal("started on a full disk, and not read-only")
	}
	if !strings.Contains(log.String(), "READ-ONLY") {
		t.Errorf("the log does not say the server is read-only:\n%s", log)
	}
	if health := s.health(t, 503); !strings.Contains(health, "database: read-only since start") {
		t.Errorf("/healthz read-only:\n%s", health)
	}
	s.checkReads(t)
	home := web.get(t, s.url("/staff"), 200)
	if !strings.Contains(home, "読み取り専用で起動しています") {
		t.Errorf("the staff home does not say the server is read-only:\n%s", home)
	}
	if login := s.page(t, "/staff/login?lang=en"); !strings.Contains(login, "started read-only") {
		t.Errorf("the staff login page does not say the server is read-only:\n%s", login)
	}
	s.apiJSON(t, staffToken, "POST", "/api/v1/staff/records", `{"title":"読み取り専用"}`, 503)
	s.stop(t)

	for _, free := range frees {
		free()
	}
	s = startServer(t, cfg, log)
	if err := s.app.ReadOnly(); err != nil {
		t.Fatalf("with room again: still read-only: %v", err)
	}
	s.apiJSON(t, staffToken, "POST", "/api/v1/staff/records", `{"title":"空きができた日"}`, 201)
	s.waitIndexed(t, "空きができた日")
	s.health(t, 200)
	s.stop(t)
}

// server is an App running on a port of its own.
type server struct {
	app  *App
	base string
	done chan error
	stop func(t *testing.T)
}

// startServer builds an App from cfg and runs it until the test stops it.
func startServer(t *testing.T, cfg Config, log io.Writer) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = l.Addr().String()
	l.Close()
	a, err := New(context.Background(), cfg, Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{app: a, base: "http://" + cfg.Addr, done: make(chan error, 1)}
	go func() { s.done <- a.Run(ctx) }()
	var once sync.Once
	s.stop = func(t *testing.T) {
		once.Do(func() {
			cancel()
			if err := <-s.done; err != nil {
				t.Errorf("Run: %v", err)
			}
			if err := a.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	t.Cleanup(func() { s.stop(t) })
	for {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			return s
		}
		select {
		case err := <-s.done:
			t.Fatalf("the server ended: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *server) url(path string) string { return s.base + path }

// do sends a request of the API with the bearer token, in lang ("": the
// default, Japanese), and returns the answer and its body.
func (s *server) do(t *testing.T, token, method, path, lang, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url(path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
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
	return resp, b
}

// apiJSON sends a request of the API, wants the status, and returns the
// JSON object answered.
func (s *server) apiJSON(t *testing.T, token, method, path, body string, want int) map[string]any {
	t.Helper()
	resp, b := s.do(t, token, method, path, "", body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	var out map[string]any
	if len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return out
}

// staffToken adds a staff account and logs it in to the API.
func (s *server) staffToken(t *testing.T) string {
	t.Helper()
	if err := s.app.Accounts.AddStaff(context.Background(), 0, "kanri", "admin", "kanri-password-1"); err != nil {
		t.Fatal(err)
	}
	return s.apiJSON(t, "", "POST", "/api/v1/staff/login", `{"username":"kanri","password":"kanri-password-1"}`, 200)["token"].(string)
}

// checkReads: searches, a record's page and the staff home answer.
func (s *server) checkReads(t *testing.T) {
	t.Helper()
	res := s.apiJSON(t, "", "GET", "/api/v1/search?q="+url.QueryEscape("風の又三郎"), "", 200)
	if !strings.Contains(fmt.Sprint(res), "風の又三郎") {
		t.Errorf("search: %v", res)
	}
	if page := s.page(t, "/search?q="+url.QueryEscape("銀河鉄道")); !strings.Contains(page, "銀河鉄道の夜") {
		t.Errorf("search page:\n%s", page)
	}
}

// get gets path without a session.
func (s *server) get(t *testing.T, path string) (status int, body string) {
	t.Helper()
	resp, err := http.Get(s.url(path))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// page gets a page without a session and wants a 200.
func (s *server) page(t *testing.T, path string) string {
	t.Helper()
	status, body := s.get(t, path)
	if status != 200 {
		t.Errorf("GET %s: %d", path, status)
	}
	return body
}

// waitIndexed waits for the index worker to make title searchable.
func (s *server) waitIndexed(t *testing.T, title string) {
	t.Helper()
	for i := 0; ; i++ {
		res := s.apiJSON(t, "", "GET", "/api/v1/search?q="+url.QueryEscape(title), "", 200)
		if strings.Contains(fmt.Sprint(res), title) {
			return
		}
		if i == 3000 {
			t.Fatalf("%s not searchable after 30 s", title)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// health reads /healthz and wants the status.
func (s *server) health(t *testing.T, want int) string {
	t.Helper()
	status, body := s.get(t, "/healthz")
	if status != want {
		t.Errorf("/healthz: %d, want %d:\n%s", status, want, body)
	}
	return body
}

// waitHealth waits for /healthz to say line.
func (s *server) waitHealth(t *testing.T, line string) {
	t.Helper()
	for i := 0; ; i++ {
		_, body := s.get(t, "/healthz")
		if strings.Contains(body, line) {
			return
		}
		if i == 3000 {
			t.Fatalf("/healthz did not say %q within 30 s:\n%s", line, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// browser is a staff member's browser: cookies, and the form token.
type browser struct {
	c    *http.Client
	s    *server
	csrf string
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// staffBrowser logs the staff account in through the login form.
func (s *server) staffBrowser(t *testing.T) *browser {
	t.Helper()
	return s.staffBrowserAs(t, "kanri", "kanri-password-1")
}

// staffBrowserAs logs a staff account in through the login form.
func (s *server) staffBrowserAs(t *testing.T, username, password string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{c: &http.Client{Jar: jar}, s: s}
	b.get(t, s.url("/staff/login"), 200)
	b.post(t, "/staff/login", url.Values{"username": {username}, "password": {password}}, 200)
	return b
}

func (b *browser) get(t *testing.T, u string, want int) string {
	t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d:\n%s", u, resp.StatusCode, want, body)
	}
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return string(body)
}

// post sends a form (following the redirect) and wants the status.
func (b *browser) post(t *testing.T, path string, form url.Values, want int) string {
	t.Helper()
	body, status := b.postStatus(t, path, form)
	if status != want {
		t.Fatalf("POST %s: %d, want %d:\n%s", path, status, want, body)
	}
	return body
}

// postStatus sends a form (following the redirect) and returns the page
// and its status.
func (b *browser) postStatus(t *testing.T, path string, form url.Values) (string, int) {
	t.Helper()
	form.Set("csrf", b.csrf)
	resp, err := b.c.PostForm(b.s.url(path), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return string(body), resp.StatusCode
}

// lockedBuffer is a log several goroutines write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
