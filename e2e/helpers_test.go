package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hondana/internal/testbrowser"
)

// tabTimeout bounds a whole browser test, so that nothing hangs.
const tabTimeout = 60 * time.Second

// tab is a browser tab in a fresh browser context (its own cookies),
// pointed at the suite's server.
type tab struct{ *testbrowser.Tab }

// newTab opens a tab that asks for Japanese, in a browser context of its
// own; it closes when t ends.
func newTab(t *testing.T) *tab {
	t.Helper()
	return newTabFor(t, tabTimeout)
}

// newTabFor is newTab with its own bound for the whole test, for pages
// that take a while (an import).
func newTabFor(t *testing.T, d time.Duration) *tab {
	t.Helper()
	ready(t)
	return &tab{suite.browser.NewTab(t, suite.base, d)}
}

// evalJS evaluates a JavaScript expression in the page.
func evalJS[T any](b *tab, expr string) T {
	b.T.Helper()
	return testbrowser.Eval[T](b.Tab, expr)
}

// login fills in the login form on the page and submits it.
func (b *tab) login(card, password string) {
	b.T.Helper()
	if u := b.Location(); u.Path != "/login" {
		b.T.Fatalf("expected the login page, but the browser is at %s", u)
	}
	b.Do("type the card and password",
		chromedp.SendKeys(chromedp.ID("card"), card),
		chromedp.SendKeys(chromedp.ID("password"), password))
	b.Press("ログインする")
}

// makeKiosk makes the tab's browser a kiosk as staff do: log in on it as
// staff (the login leads to the kiosk page) and press the switch, which
// also ends the staff session.
func (b *tab) makeKiosk() {
	b.T.Helper()
	b.Open("/staff/login?next=%2Fkiosk")
	b.Do("type the staff login",
		chromedp.SendKeys(chromedp.ID("username"), "staff"),
		chromedp.SendKeys(chromedp.ID("password"), "demo-staff-pass"))
	b.Press("ログインする")
	if u := b.Location(); u.Path != "/kiosk" {
		b.T.Fatalf("after the staff login the page is %s; want /kiosk", u)
	}
	b.Press("この端末をキオスクにする")
}

// searchFor types q into the header search box and submits it.
func (b *tab) searchFor(q string) {
	b.T.Helper()
	if st := b.Follow("search "+q, chromedp.SendKeys(chromedp.ID("q"), q+"\n")); st != http.StatusOK {
		b.T.Fatalf("search %s: status %d", q, st)
	}
	if u := b.Location(); u.Path != "/search" || u.Query().Get("q") != q {
		b.T.Fatalf("after searching, the page is %s; want /search?q=%s", u, q)
	}
}

// openHit clicks the first hit titled exactly title on a result page and
// returns the record id from the address it leads to.
func (b *tab) openHit(title string) string {
	b.T.Helper()
	titles := b.Texts("ol.hits li.hit h3 a")
	found := false
	for _, h := range titles {
		found = found || h == title
	}
	if !found {
		b.T.Fatalf("no hit titled %s among %q", title, titles)
	}
	b.Follow("open the hit "+title, chromedp.Click(chromedp.Search(`(//ol[contains(@class,"hits")]//li[contains(@class,"hit")]//h3/a[normalize-space()=`+testbrowser.XPathString(title)+`])[1]`)))
	u := b.Location()
	id, ok := strings.CutPrefix(u.Path, "/records/")
	if !ok {
		b.T.Fatalf("the hit %s led to %s; want /records/…", title, u)
	}
	if h1 := b.Text("main h1"); !strings.HasPrefix(h1, title) {
		b.T.Errorf("record page heading = %q; want %s", h1, title)
	}
	return id
}

// addToCart presses カートに入れる on a record page; the cart opens.
func (b *tab) addToCart() {
	b.T.Helper()
	b.Press("カートに入れる")
	if u := b.Location(); u.Path != "/cart" {
		b.T.Fatalf("カートに入れる led to %s; want /cart", u)
	}
	if n := b.Text("main p.notice"); n != "カートに入れました。" {
		b.T.Errorf("cart notice = %q; want カートに入れました。", n)
	}
}

// loanRow and holdRow are rows of the two lists on /account.
type loanRow struct {
	Title, Branch, Due, Renewals, Notes string
	Buttons                             []string
	RenewHref                           string
}

type holdRow struct {
	Title, Status, Pickup, Contact string
	Links                          []string
}

func (b *tab) loanRows() []loanRow {
	b.T.Helper()
	return evalJS[[]loanRow](b, `Array.from(document.querySelectorAll('section[aria-labelledby="loans-h"] tbody tr'), tr => {
		const cell = l => { const td = tr.querySelector('td[data-label="' + l + '"]'); return td ? td.innerText.trim() : ""; };
		const renew = Array.from(tr.querySelectorAll("a.button, button")).find(a => a.innerText.trim() === "貸出延長");
		return {Title: cell("書名"), Branch: cell("所蔵館"), Due: cell("返却期限日"), Renewals: cell("延長"), Notes: cell("注意"),
			Buttons: Array.from(tr.querySelectorAll("a.button, button"), a => a.innerText.trim()),
			RenewHref: renew ? (renew.getAttribute("href") || "") : ""};
	})`)
}

func (b *tab) holdRows() []holdRow {
	b.T.Helper()
	return evalJS[[]holdRow](b, `Array.from(document.querySelectorAll('section[aria-labelledby="holds-h"] tbody tr'), tr => {
		const cell = l => { const td = tr.querySelector('td[data-label="' + l + '"]'); return td ? td.innerText.trim() : ""; };
		return {Title: cell("書名"), Status: cell("状態"), Pickup: cell("受取館"), Contact: cell("連絡方法"),
			Links: Array.from(tr.querySelectorAll("a"), a => a.innerText.trim())};
	})`)
}

// clickInRow follows the link or button labelled label in the row of the
// list (loans-h or holds-h) whose title is title.
func (b *tab) clickInRow(list, title, label string) {
	b.T.Helper()
	x := fmt.Sprintf(`//section[@aria-labelledby=%q]//tbody/tr[td[1][normalize-space()=%s]]//*[self::a or self::button][normalize-space()=%s]`,
		list, testbrowser.XPathString(title), testbrowser.XPathString(label))
	b.Follow("click "+label+" for "+title, chromedp.Click(chromedp.Search(x)))
}

// --- the JSON API, for setting up state ---

// call sends a JSON request to /api/v1 and decodes the answer into out;
// any status but want fails the test.
func call(t *testing.T, method, path, token string, body any, want int, out any) {
	t.Helper()
	ready(t)
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, suite.base+"/api/v1"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "ja")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d %s; want %d", method, path, resp.StatusCode, got, want)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, got, err)
		}
	}
}

// staffToken logs the demo staff account in. A fresh token each time:
// moving the clock ends idle sessions.
func staffToken(t *testing.T) string {
	t.Helper()
	var res struct{ Token string }
	call(t, "POST", "/staff/login", "", map[string]string{"username": "staff", "password": "demo-staff-pass"}, http.StatusOK, &res)
	return res.Token
}

// advanceClock moves the server's test clock forward, e.g. by "31m".
func advanceClock(t *testing.T, d string) {
	t.Helper()
	call(t, "POST", "/test/clock", "", map[string]string{"advance": d}, http.StatusOK, nil)
}

// serverToday is the time on the server's test clock (which other tests
// move), in the library's zone.
func serverToday(t *testing.T) time.Time {
	t.Helper()
	var res struct{ Now string }
	call(t, "POST", "/test/clock", "", map[string]string{}, http.StatusOK, &res)
	now, err := time.Parse(time.RFC3339, res.Now)
	if err != nil {
		t.Fatalf("the test clock says %q: %v", res.Now, err)
	}
	return now
}

// patron is a patron registered for one test.
type patron struct {
	Card, Name string
	Password   string // the current one
	Token      string // an API session
}

const (
	birthDate    = "1985-04-15"
	tempPassword = "0415" // the birthday as MMDD (R: temporary password)
	newPassword  = "Hon2da"
)

var patronSeq atomic.Int64

// registerPatrons registers n patrons at the counter (staff API) and moves
// the clock past the 30 minutes before their temporary passwords work.
func registerPatrons(t *testing.T, n int) []patron {
	t.Helper()
	tok := staffToken(t)
	ps := make([]patron, n)
	for i := range ps {
		k := patronSeq.Add(1)
		ps[i].Name = fmt.Sprintf("試験 利用者%d", k)
		var res struct{ Card string }
		call(t, "POST", "/staff/patrons", tok, map[string]string{
			"name": ps[i].Name, "name_yomi": "シケン リヨウシャ", "birth_date": birthDate,
			"address": "愛媛県大洲市東大洲1-1", "phone": "0893-24-0000",
		}, http.StatusCreated, &res)
		ps[i].Card, ps[i].Password = res.Card, tempPassword
	}
	advanceClock(t, "31m")
	return ps
}

// newPatrons registers n patrons and sets their passwords as a patron
// would: log in with the temporary one, change it. Each comes with an API
// token.
func newPatrons(t *testing.T, n int) []patron {
	t.Helper()
	ps := registerPatrons(t, n)
	for i := range ps {
		var res struct {
			Token      string
			MustChange bool `json:"must_change_password"`
		}
		call(t, "POST", "/login", "", map[string]string{"card": ps[i].Card, "password": tempPassword}, http.StatusOK, &res)
		if !res.MustChange {
			t.Fatalf("patron %s: login with the temporary password did not ask for a new one", ps[i].Card)
		}
		call(t, "POST", "/me/password", res.Token, map[string]string{
			"old_password": tempPassword, "new_password": newPassword, "new_password_confirm": newPassword,
		}, http.StatusNoContent, nil)
		ps[i].Password = newPassword
		call(t, "POST", "/login", "", map[string]string{"card": ps[i].Card, "password": newPassword}, http.StatusOK, &res)
		ps[i].Token = res.Token
	}
	return ps
}

func newPatron(t *testing.T) patron {
	t.Helper()
	return newPatrons(t, 1)[0]
}

// record is a title as GET /api/v1/records/ID gives it.
type record struct {
	ID           int64
	Title        string
	HoldsWaiting int `json:"holds_waiting"`
	Items        []item
}

type item struct {
	Barcode, Branch, Status string
}

func (r record) onShelf() (item, bool) {
	for _, it := range r.Items {
		if it.Status == "on_shelf" {
			return it, true
		}
	}
	return item{}, false
}

// findRecords searches the catalogue for q and returns the first n titles
// (by relevance) for which ok holds, skipping the ids in skip.
func findRecords(t *testing.T, q string, n int, ok func(record) bool, skip ...int64) []record {
	t.Helper()
	var res struct {
		Hits []struct{ ID int64 }
	}
	call(t, "GET", "/search?per_page=100&q="+url.QueryEscape(q), "", nil, http.StatusOK, &res)
	var out []record
next:
	for _, h := range res.Hits {
		for _, s := range skip {
			if s == h.ID {
				continue next
			}
		}
		var r record
		call(t, "GET", fmt.Sprintf("/records/%d", h.ID), "", nil, http.StatusOK, &r)
		if ok(r) {
			out = append(out, r)
			if len(out) == n {
				return out
			}
		}
	}
	t.Fatalf("only %d of %d titles found for %q that fit", len(out), n, q)
	return nil
}

// renewable: nobody waits for it and a copy is on the shelf to lend.
func renewable(r record) bool {
	_, ok := r.onShelf()
	return ok && r.HoldsWaiting == 0
}

// singleCopy: the title's one copy is on the shelf and nobody waits.
func singleCopy(r record) bool {
	return len(r.Items) == 1 && r.Items[0].Status == "on_shelf" && r.HoldsWaiting == 0
}

// checkout lends it to the patron at the copy's branch (staff API) and
// returns the loan id.
func checkout(t *testing.T, p patron, it item) int64 {
	t.Helper()
	var res struct {
		LoanID int64 `json:"loan_id"`
	}
	call(t, "POST", "/staff/checkout", staffToken(t), map[string]string{"card": p.Card, "barcode": it.Barcode, "branch": it.Branch},
		http.StatusCreated, &res)
	return res.LoanID
}

// placeHold reserves a title for the patron through the API.
func placeHold(t *testing.T, p patron, recordID int64, pickup string) int64 {
	t.Helper()
	var res struct{ ID int64 }
	call(t, "POST", "/me/holds", p.Token, map[string]any{"record_id": recordID, "pickup_branch": pickup, "contact": "phone"},
		http.StatusCreated, &res)
	return res.ID
}
