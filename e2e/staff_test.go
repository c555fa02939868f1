package e2e

// End-to-end tests of the staff screens: the counter, the hold shelf, the
// catalogue import, the closure calendar and the admin-only pages.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"hondana/internal/testbrowser"
)

const (
	staffUser     = "staff"
	staffPassword = "demo-staff-pass"
)

// staffLogin logs the demo admin in on /staff/login; the browser lands on
// the staff menu.
func (b *tab) staffLogin() {
	b.T.Helper()
	if st := b.Open("/staff/login"); st != http.StatusOK {
		b.T.Fatalf("GET /staff/login = %d", st)
	}
	b.Do("type the staff user and password",
		chromedp.SendKeys(chromedp.ID("username"), staffUser),
		chromedp.SendKeys(chromedp.ID("password"), staffPassword))
	b.Press("ログインする")
	if u := b.Location(); u.Path != "/staff" {
		b.T.Fatalf("after the staff login the page is %s; want /staff (page: %q)", u, b.MainText())
	}
	if h := b.Text("main h1"); h != "職員メニュー" {
		b.T.Errorf("staff menu heading = %q; want 職員メニュー", h)
	}
}

// registerAtDesk registers a patron on /staff/patrons/new and returns the
// card number the result page shows.
func (b *tab) registerAtDesk(name string) string {
	b.T.Helper()
	if st := b.Open("/staff/patrons/new"); st != http.StatusOK {
		b.T.Fatalf("GET /staff/patrons/new = %d", st)
	}
	b.Do("fill in the registration form",
		chromedp.SendKeys(chromedp.ID("f-name"), name),
		chromedp.SendKeys(chromedp.ID("f-name_yomi"), "シケン トウロク"),
		chromedp.SetValue(chromedp.ID("f-birth_date"), birthDate),
		chromedp.SendKeys(chromedp.ID("f-address"), "愛媛県大洲市東大洲2-2"),
		chromedp.SendKeys(chromedp.ID("f-phone"), "0893-24-1111"),
		chromedp.SetValue(chromedp.ID("f-home_branch"), "ozu"))
	// The result page answers the POST with 201 Created.
	if st := b.Press("登録する"); st != http.StatusOK && st != http.StatusCreated {
		b.T.Fatalf("登録する: status %d (page: %q)", st, b.MainText())
	}
	card := b.Text(".card-number")
	if !regexp.MustCompile(`^[0-9]{6,}$`).MatchString(card) {
		b.T.Fatalf("the registration page shows the card %q; want digits (page: %q)", card, b.MainText())
	}
	return card
}

// chooseDesk picks the desk's library in the select and presses 表示.
func (b *tab) chooseDesk(code string) {
	b.T.Helper()
	b.Do("choose the desk "+code, chromedp.SetValue(chromedp.ID("desk"), code))
	b.Follow("press 表示 for the desk", chromedp.Click(chromedp.Search(`//form[.//select[@id="desk"]]//button`)))
	if got := evalJS[string](b, `document.querySelector("#desk").value`); got != code {
		b.T.Fatalf("after choosing the desk %s the select shows %q", code, got)
	}
}

// waitFor evaluates a JavaScript condition until it holds, through page
// loads (an evaluation during one fails and is tried again), for at most
// a step's time.
func (b *tab) waitFor(what, cond string) {
	b.T.Helper()
	deadline := time.Now().Add(testbrowser.StepTimeout)
	for {
		ctx, cancel := context.WithTimeout(b.Ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { try { return document.readyState === "complete" && !!(`+cond+`); } catch (e) { return false; } })()`))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.T.Fatalf("%s: still not so after %v (page %s: %q)", what, testbrowser.StepTimeout, b.Location(), b.MainText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scanKeys types code and Enter into the focused element, as a scanner
// does, and waits for the counter's answer: a new page without
// JavaScript, the page's main part replaced with it. The focus must be
// in the scan box before and after: no scan needs the mouse.
func (b *tab) scanKeys(code string) string {
	b.T.Helper()
	// A page's autofocus applies at its first rendering after the load
	// event, which the browser may report first: wait for it, bounded.
	b.waitFor("the focus in the scan box before scanning "+code, `document.activeElement === document.getElementById("scan")`)
	b.Do("mark the page", chromedp.Evaluate[chromedp.Void](`document.getElementById("scan").setAttribute("data-sent", "1")`))
	b.Do("scan "+code, chromedp.KeyEvent(code+"\n"))
	b.waitFor("the answer to "+code, `document.getElementById("scan") && !document.getElementById("scan").hasAttribute("data-sent") && document.activeElement === document.getElementById("scan")`)
	answer := b.Text("#answer")
	b.T.Logf("scan %s: %s", code, strings.Join(strings.Fields(answer), " "))
	return answer
}

// scanCard scans a card; the patron shows.
func (b *tab) scanCard(card, name string) {
	b.T.Helper()
	b.scanKeys(card)
	if h := b.Text("#patron h2"); !strings.HasPrefix(h, name) || !strings.Contains(h, card) {
		b.T.Fatalf("after scanning %s the counter shows %q; want %s %s (page: %q)", card, h, name, card, b.MainText())
	}
}

// setMode switches the scan box's mode by its access key (Alt+n), as
// staff do at the desk; the box has the focus again.
func (b *tab) setMode(n int, mode string) {
	b.T.Helper()
	// The access key is taken from the character the key types with Alt
	// held (chromedp's KeyEvent sends none with a modifier).
	key := strconv.Itoa(n)
	for _, ev := range []input.DispatchKeyEventParams{
		{Type: input.DispatchKeyEventTypeKeyDown, Modifiers: 1, Key: key, Code: "Digit" + key, Text: key, UnmodifiedText: key, WindowsVirtualKeyCode: int64('0' + n)},
		{Type: input.DispatchKeyEventTypeKeyUp, Modifiers: 1, Key: key, Code: "Digit" + key, WindowsVirtualKeyCode: int64('0' + n)},
	} {
		if _, err := chromedp.Call(b.Ctx, input.DispatchKeyEvent, ev); err != nil {
			b.T.Fatalf("Alt+%s: %v", key, err)
		}
	}
	b.waitFor("the mode "+mode, `document.querySelector('.modes a[aria-current][data-mode="`+mode+`"]') && document.activeElement === document.getElementById("scan")`)
}

// branchNames maps branch codes to their Japanese names.
func branchNames(t *testing.T) map[string]string {
	t.Helper()
	var res struct {
		Branches []struct{ Code, Name string }
	}
	call(t, "GET", "/branches", "", nil, http.StatusOK, &res)
	names := map[string]string{}
	for _, b := range res.Branches {
		names[b.Code] = b.Name
	}
	return names
}

// singleCopyAt: the title's one copy is on the shelf at branch and nobody
// waits for it.
func singleCopyAt(branch string) func(record) bool {
	return func(r record) bool { return singleCopy(r) && r.Items[0].Branch == branch }
}

var weekdaysJA = []string{"日", "月", "火", "水", "木", "金", "土"}

// jaDate writes a YYYY-MM-DD day as the pages do: 2025年4月15日（火）.
func jaDate(t *testing.T, day string) string {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatalf("parse the day %q: %v", day, err)
	}
	return d.Format("2006年1月2日") + "（" + weekdaysJA[d.Weekday()] + "）"
}

// TestStaffCounterDay: the flow. Staff register a patron, lend two
// copies at Ozu, take one back at Nagahama (it goes home in transit),
// receive it at Ozu, and return the other one, which another patron has
// reserved meanwhile: it goes to the hold shelf.
func TestStaffCounterDay(t *testing.T) {
	// The second patron first: setting up a password moves the clock 31
	// minutes, which would end the browser's idle staff session.
	reserver := newPatron(t)
	recs := findRecords(t, "芥川龍之介", 2, singleCopyAt("ozu"))
	first, second := recs[0].Items[0], recs[1].Items[0]
	names := branchNames(t)

	b := newTab(t)
	b.staffLogin()
	name := fmt.Sprintf("窓口 登録者%d", patronSeq.Add(1))
	card := b.registerAtDesk(name)

	if st := b.Open("/staff/counter"); st != http.StatusOK {
		t.Fatalf("GET /staff/counter = %d", st)
	}
	b.chooseDesk("ozu")
	b.scanCard(card, name)
	for _, it := range []item{first, second} {
		line := b.scanKeys(it.Barcode)
		if !strings.Contains(line, it.Barcode) || !strings.Contains(line, "貸出しました。返却期限日は") {
			t.Fatalf("lending %s: the answer says %q; want 貸出しました。返却期限日は …", it.Barcode, line)
		}
		if len(b.Texts(".answer-ok")) != 1 {
			t.Errorf("lending %s: the answer is not shown as a success", it.Barcode)
		}
	}
	loans := b.Texts("#patron-loans li")
	for _, it := range []item{first, second} {
		if !slices.ContainsFunc(loans, func(s string) bool { return strings.Contains(s, it.Barcode) }) {
			t.Errorf("the counter's 貸出中 list %q lacks %s", loans, it.Barcode)
		}
	}

	// Back at Nagahama: the copy belongs to Ozu, so it travels home.
	b.chooseDesk("nagahama")
	line := b.scanKeys(first.Barcode)
	if want := "回送: " + names[first.Branch] + "へ"; !strings.Contains(line, want) {
		t.Errorf("returning %s (home %s) at 長浜図書館: the answer says %q; want %s", first.Barcode, first.Branch, line, want)
	}

	// At Ozu it is received and shelved.
	b.chooseDesk("ozu")
	b.setMode(4, "receive")
	if line := b.scanKeys(first.Barcode); !strings.Contains(line, "書架へ") {
		t.Errorf("receiving %s at 大洲図書館: the answer says %q; want 書架へ", first.Barcode, line)
	}

	// Another patron reserves the other title; its return fills the hold.
	holdID := placeHold(t, reserver, recs[1].ID, "ozu")
	b.setMode(3, "return")
	line = b.scanKeys(second.Barcode)
	if want := fmt.Sprintf("取置棚へ（予約番号 %d）", holdID); !strings.Contains(line, want) {
		t.Errorf("returning %s with hold %d waiting: the answer says %q; want %s", second.Barcode, holdID, line, want)
	}

	if st := b.Open("/staff/hold-shelf?branch=ozu"); st != http.StatusOK {
		t.Fatalf("GET /staff/hold-shelf = %d", st)
	}
	type shelfRow struct{ No, Title, Barcode string }
	rows := evalJS[[]shelfRow](b, `Array.from(document.querySelectorAll("main table")[0].querySelectorAll("tbody tr"), tr => {
		const td = Array.from(tr.querySelectorAll("td"), td => td.innerText.trim());
		return {No: td[0] || "", Title: td[1] || "", Barcode: td[2] || ""};
	})`)
	if !slices.ContainsFunc(rows, func(r shelfRow) bool {
		return r.No == fmt.Sprint(holdID) && r.Barcode == second.Barcode
	}) {
		t.Errorf("the hold shelf at 大洲図書館 lists %+v; want hold %d with %s", rows, holdID, second.Barcode)
	}
}

// kohaSample is a MARC21 file of English titles the demo does not have.
const (
	kohaSample      = "../../shared/data/koha_sample/koha_sample_bibs.mrc"
	kohaSampleCount = 435
	kohaTitle       = "Gadamer on Celan" // a 245 $a in that file
)

// TestStaffImportMARC: staff upload a MARC21 file on /staff/import, wait
// for the report, and find one of its titles in the OPAC.
func TestStaffImportMARC(t *testing.T) {
	path := kohaSample
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the sample file is missing: %v", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	b := newTabFor(t, 2*time.Minute)
	b.staffLogin()
	if st := b.Open("/staff/import"); st != http.StatusOK {
		t.Fatalf("GET /staff/import = %d", st)
	}
	b.Do("choose the file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{abs}))

	// The import may answer at once or through a page that refreshes
	// itself: click, then wait for the report, whatever page shows it.
	clickCtx, cancelClick := context.WithTimeout(b.Ctx, 70*time.Second)
	err = chromedp.Do(clickCtx, chromedp.Click(chromedp.Search(`//main//button[normalize-space()="取り込む"]`)))
	cancelClick()
	if err != nil {
		t.Fatalf("press 取り込む: %v", err)
	}
	report := regexp.MustCompile(`(\d+)件を保存、(\d+)件の誤りを飛ばしました`)
	var page string
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.Ctx, 5*time.Second)
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("main") || document.body || {innerText: ""}).innerText`))
		cancel()
		if err == nil {
			page = text
			if report.MatchString(page) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no import report within 60 s; the page %s says %q", b.Location(), page)
		}
		time.Sleep(500 * time.Millisecond)
	}
	m := report.FindStringSubmatch(page)
	t.Logf("import report: %s", m[0])
	if m[1] != fmt.Sprint(kohaSampleCount) {
		t.Errorf("the report says %s件を保存; want %d (report: %q)", m[1], kohaSampleCount, page)
	}
	if !strings.Contains(page, "koha_sample_bibs.mrc") {
		t.Errorf("the report does not name the file: %q", page)
	}

	// The index follows within about a second.
	var titles []string
	for i := 0; ; i++ {
		b.Open("/search?q=" + url.QueryEscape("Gadamer Celan"))
		titles = b.Texts("ol.hits li.hit h3 a")
		if slices.ContainsFunc(titles, func(s string) bool { return strings.Contains(s, kohaTitle) }) {
			break
		}
		if i == 10 {
			t.Fatalf("the OPAC does not find %s after the import; hits %q", kohaTitle, titles)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestStaffClosureMovesDueDates: a three-day closure at Ozu that ends on a
// loan's due date moves it to the day the library opens again.
func TestStaffClosureMovesDueDates(t *testing.T) {
	p := newPatron(t) // before the browser: it moves the clock
	it := findRecords(t, "宮沢賢治", 1, singleCopyAt("ozu"))[0].Items[0]

	b := newTab(t)
	b.staffLogin()
	b.Open("/staff/counter")
	b.chooseDesk("ozu")
	b.scanCard(p.Card, p.Name)
	line := b.scanKeys(it.Barcode)
	if !strings.Contains(line, "貸出しました。返却期限日は") {
		t.Fatalf("lending %s: the line says %q", it.Barcode, line)
	}

	var loans struct {
		Loans []struct {
			Barcode string
			DueDate string `json:"due_date"`
		}
	}
	dueOf := func() string {
		t.Helper()
		call(t, "GET", "/me/loans", p.Token, nil, http.StatusOK, &loans)
		for _, l := range loans.Loans {
			if l.Barcode == it.Barcode {
				return l.DueDate
			}
		}
		t.Fatalf("the patron's loans %+v lack %s", loans.Loans, it.Barcode)
		return ""
	}
	due := dueOf()
	if want := jaDate(t, due); !strings.Contains(line, want) {
		t.Errorf("the counter line %q does not show the due date %s", line, want)
	}
	dueDay, _ := time.Parse(time.DateOnly, due)
	from := dueDay.AddDate(0, 0, -2).Format(time.DateOnly)

	if st := b.Open("/staff/calendar"); st != http.StatusOK {
		t.Fatalf("GET /staff/calendar = %d", st)
	}
	b.Do("fill in the closure",
		chromedp.SetValue(chromedp.ID("cb"), "ozu"),
		chromedp.SetValue(chromedp.ID("from"), from),
		chromedp.SetValue(chromedp.ID("to"), due),
		chromedp.SendKeys(chromedp.ID("note"), "e2e 臨時休館"))
	if st := b.Press("休館にする"); st != http.StatusOK {
		t.Fatalf("休館にする: status %d (page: %q)", st, b.MainText())
	}
	done := b.Text("main p.notice")
	t.Logf("closure %s..%s: %s", from, due, done)
	m := regexp.MustCompile(`^(\d+)日間を休館にしました。返却期限日 (\d+)件、受取期限 (\d+)件を (.+) に移しました。$`).FindStringSubmatch(done)
	if m == nil {
		t.Fatalf("after 休館にする the page says %q (page: %q)", done, b.MainText())
	}
	if m[1] != "3" {
		t.Errorf("closure line %q: %s日間; want 3日間", done, m[1])
	}
	if m[2] == "0" {
		t.Errorf("closure line %q: no due date moved; want at least the one on %s", done, due)
	}

	moved := dueOf()
	if moved <= due {
		t.Fatalf("after closing %s..%s the loan is due %s; want a day after the closure", from, due, moved)
	}
	if want := jaDate(t, moved); m[4] != want {
		t.Errorf("the closure line says the dates moved to %s; the loan is due %s", m[4], want)
	}
	// The counter shows the new date too.
	b.Open("/staff/counter?card=" + url.QueryEscape(p.Card))
	if loansText := strings.Join(b.Texts("#patron-loans li"), "\n"); !strings.Contains(loansText, jaDate(t, moved)) {
		t.Errorf("the counter's loans %q do not show the moved due date %s", loansText, jaDate(t, moved))
	}
}

// staffClient is a browser-like HTTP session on the staff pages: cookies,
// and the form token read from each page.
type staffClient struct {
	t *testing.T
	c *http.Client
}

func newStaffClient(t *testing.T) *staffClient {
	t.Helper()
	ready(t)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &staffClient{t: t, c: &http.Client{Jar: jar, Timeout: testbrowser.StepTimeout}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// get fetches path (following redirects) and returns the status and body.
func (s *staffClient) get(path string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest("GET", suite.base+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "ja")
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// submit loads page, takes its form token, and posts form to action; it
// returns the final status, address and body.
func (s *staffClient) submit(page, action string, form url.Values) (int, string, string) {
	s.t.Helper()
	_, body := s.get(page)
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		s.t.Fatalf("GET %s: no form token in the page", page)
	}
	form.Set("csrf", m[1])
	req, err := http.NewRequest("POST", suite.base+action, strings.NewReader(form.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "ja")
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatalf("POST %s: %v", action, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(out)
}

func (s *staffClient) login(user, password string) {
	s.t.Helper()
	st, at, body := s.submit("/staff/login", "/staff/login", url.Values{"username": {user}, "password": {password}, "next": {""}})
	if st != http.StatusOK || at != "/staff" {
		s.t.Fatalf("staff login as %s: status %d at %s; want 200 at /staff (body %.300q)", user, st, at, body)
	}
}

// TestStaffRoles: a librarian may use the staff pages but not the admin
// ones (/staff/accounts, /staff/log); the admin may.
func TestStaffRoles(t *testing.T) {
	admin := newStaffClient(t)
	admin.login(staffUser, staffPassword)
	user := fmt.Sprintf("e2e-lib-%d", time.Now().UnixNano())
	const password = "librarian-pass-1"
	st, at, body := admin.submit("/staff/accounts", "/staff/accounts",
		url.Values{"username": {user}, "role": {"librarian"}, "password": {password}})
	if st != http.StatusOK || at != "/staff/accounts" || !strings.Contains(body, "保存しました。") {
		t.Fatalf("adding the librarian %s: status %d at %s (body %.500q)", user, st, at, body)
	}
	if !strings.Contains(body, ">"+user+"<") {
		t.Errorf("the accounts page does not list %s after adding it", user)
	}

	lib := newStaffClient(t)
	lib.login(user, password)
	for _, c := range []struct {
		path             string
		admin, librarian int
	}{
		{"/staff", http.StatusOK, http.StatusOK},
		{"/staff/counter", http.StatusOK, http.StatusOK},
		{"/staff/accounts", http.StatusOK, http.StatusForbidden},
		{"/staff/log", http.StatusOK, http.StatusForbidden},
	} {
		if st, _ := admin.get(c.path); st != c.admin {
			t.Errorf("admin: GET %s = %d; want %d", c.path, st, c.admin)
		}
		if st, _ := lib.get(c.path); st != c.librarian {
			t.Errorf("librarian: GET %s = %d; want %d", c.path, st, c.librarian)
		}
	}
	// Nor may the librarian add an account by posting the form.
	if st, _, _ := lib.submit("/staff", "/staff/accounts",
		url.Values{"username": {user + "-x"}, "role": {"admin"}, "password": {password}}); st != http.StatusForbidden {
		t.Errorf("librarian: POST /staff/accounts = %d; want 403", st)
	}
}
