package e2e

// The counter day of issue 15 (R50–R57), driven only by keystrokes into
// the focused element, as a barcode scanner types: with JavaScript and
// without it.

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"hondana/internal/testbrowser"
)

// titlePool hands out titles whose one copy is on the shelf of a given
// library and nobody waits for, each once, from the demo catalogue.
type titlePool struct {
	t       *testing.T
	queries []string
	next    int                 // the next query to read
	spare   map[string][]record // titles read, by home library, not yet handed out
	used    map[int64]bool
}

func newTitlePool(t *testing.T) *titlePool {
	return &titlePool{t: t, spare: map[string][]record{}, used: map[int64]bool{}, queries: []string{
		"宮沢賢治", "夏目漱石", "太宰治", "森鴎外", "芥川龍之介", "岡本綺堂", "海野十三", "夢野久作", "小川未明",
		"泉鏡花", "寺田寅彦", "中島敦", "北原白秋", "与謝野晶子", "坂口安吾", "國枝史郎", "豊島与志雄", "佐々木味津三",
		"野村胡堂", "江戸川乱歩", "林不忘", "牧野信一", "宮本百合子", "島崎藤村", "樋口一葉", "正岡子規"}}
}

// take hands out a title whose single copy belongs to branch.
func (p *titlePool) take(branch string) record {
	p.t.Helper()
	for len(p.spare[branch]) == 0 {
		if p.next == len(p.queries) {
			p.t.Fatalf("the demo catalogue has no more single-copy titles at %s for this test", branch)
		}
		q := p.queries[p.next]
		p.next++
		var res struct{ Hits []struct{ ID int64 } }
		call(p.t, "GET", "/search?per_page=100&q="+url.QueryEscape(q), "", nil, http.StatusOK, &res)
		for _, h := range res.Hits {
			if p.used[h.ID] {
				continue
			}
			var r record
			call(p.t, "GET", fmt.Sprintf("/records/%d", h.ID), "", nil, http.StatusOK, &r)
			if singleCopy(r) {
				p.used[r.ID] = true
				p.spare[r.Items[0].Branch] = append(p.spare[r.Items[0].Branch], r)
			}
		}
	}
	r := p.spare[branch][0]
	p.spare[branch] = p.spare[branch][1:]
	return r
}

// holdFor places a hold for a patron through the staff API (R52) and
// returns its number.
func holdFor(t *testing.T, tok string, p patron, barcode, pickup string) int64 {
	t.Helper()
	var res struct{ ID int64 }
	call(t, "POST", "/staff/patrons/"+p.Card+"/holds", tok, map[string]string{"barcode": barcode, "pickup_branch": pickup, "contact": "phone"},
		http.StatusCreated, &res)
	return res.ID
}

// returnCase is a copy returned at the counter and what the answer must say.
type returnCase struct {
	rec    record
	want   string // in the answer's large words
	cue    string // the answer's class
	slip   bool   // a slip goes with it
	holdID int64
}

// TestCounterDay: a day at the counter with JavaScript.
func TestCounterDay(t *testing.T) { counterDay(t, "js") }

// TestCounterDayWithoutJavaScript: the same day with scripts off.
func TestCounterDayWithoutJavaScript(t *testing.T) { counterDay(t, "nojs") }

// counterDay: at Ozu staff lend five titles to a patron with an overdue
// loan (the alert shows); at Nagahama they take back twenty titles in a
// row by keystrokes alone, each answered with its title and where it
// goes (shelf here, hold shelf for hold N, transit for hold N, transit
// home), slips printed by themselves with JavaScript; a lapsed hold's
// copy is scanned off the hold shelf and handed to the next hold; the
// print pages render on the desk's paper; and Ozu receives what came.
func counterDay(t *testing.T, variant string) {
	names := branchNames(t)
	pool := newTitlePool(t)
	ps := registerPatrons(t, 7) // moves the clock 31 minutes
	lender, nearby, faraway, lapsing, next := ps[0], ps[2], ps[3], ps[4], ps[5]
	borrowers := []patron{ps[1], ps[6]} // fifteen loans: more than one patron may have
	tok := staffToken(t)

	// Before the day: the lender has a loan from Ozu; a title waits on
	// Nagahama's hold shelf for a patron who will not come, another
	// patron queued after them for Hijikawa.
	overdue := pool.take("ozu")
	checkout(t, lender, overdue.Items[0])
	lapsed := pool.take("nagahama")
	holdFor(t, tok, lapsing, lapsed.Items[0].Barcode, "nagahama")
	nextHold := holdFor(t, tok, next, lapsed.Items[0].Barcode, "hijikawa")
	var placed struct{ Action string }
	call(t, "POST", "/staff/checkin", tok, map[string]string{"barcode": lapsed.Items[0].Barcode, "branch": "nagahama"}, http.StatusOK, &placed)
	if placed.Action != "hold_shelf" {
		t.Fatalf("trapping the lapsing hold's copy: %+v", placed)
	}
	var lapsingHolds struct{ Holds []struct{ ID int64 } }
	call(t, "GET", "/staff/patrons/"+lapsing.Card+"/holds", tok, nil, http.StatusOK, &lapsingHolds)
	call(t, "POST", fmt.Sprintf("/staff/holds/%d/contacted", lapsingHolds.Holds[0].ID), tok, map[string]string{"result": "reached"}, http.StatusOK, nil)

	// Twenty-five days later: the loan is overdue, the hold has lapsed.
	advanceClock(t, "600h")
	tok = staffToken(t)

	// The day's returns: the lender's five, and fifteen out with another.
	var lent []record
	for _, b := range []string{"nagahama", "nagahama", "ozu", "ozu", "hijikawa"} {
		lent = append(lent, pool.take(b))
	}
	var cases []returnCase
	add := func(rec record, want, cue string, slip bool, hold int64) {
		cases = append(cases, returnCase{rec: rec, want: want, cue: cue, slip: slip, holdID: hold})
	}
	for _, r := range lent {
		switch r.Items[0].Branch {
		case "nagahama":
			add(r, "書架へ（この館の書架に戻す）", "ok", false, 0)
		default:
			add(r, "回送: "+names[r.Items[0].Branch]+"へ（所蔵館へ戻す）", "transit", true, 0)
		}
	}
	for i := 0; i < 15; i++ {
		var r record
		borrower := borrowers[i%2]
		switch {
		case i < 4: // home here, nobody waits: the shelf here
			r = pool.take("nagahama")
			checkout(t, borrower, r.Items[0])
			add(r, "書架へ（この館の書架に戻す）", "ok", false, 0)
		case i < 8: // someone waits here: the hold shelf
			r = pool.take("ozu")
			checkout(t, borrower, r.Items[0])
			h := holdFor(t, tok, nearby, r.Items[0].Barcode, "nagahama")
			add(r, fmt.Sprintf("取置棚へ（予約番号 %d）", h), "hold", true, h)
		case i < 12: // someone waits elsewhere: transit for the hold
			r = pool.take("ozu")
			checkout(t, borrower, r.Items[0])
			pickup := "ozu"
			if i%2 == 1 {
				pickup = "hijikawa"
			}
			h := holdFor(t, tok, faraway, r.Items[0].Barcode, pickup)
			add(r, fmt.Sprintf("回送: %sへ（予約番号 %d）", names[pickup], h), "hold", true, h)
		default: // nobody waits, home elsewhere: transit home
			home := "ozu"
			if i == 14 {
				home = "kawabe"
			}
			r = pool.take(home)
			checkout(t, borrower, r.Items[0])
			add(r, "回送: "+names[home]+"へ（所蔵館へ戻す）", "transit", true, 0)
		}
	}
	// Mixed, as books come back.
	order := []int{5, 0, 9, 13, 1, 17, 6, 10, 2, 14, 18, 7, 3, 11, 19, 15, 8, 4, 12, 16}

	b := newTab(t)
	if variant == "nojs" {
		b.NoScript()
	} else {
		// Count what the pages print by themselves instead of printing:
		// a headless browser's print would hold the page.
		if _, err := chromedp.Call(b.Ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__prints = 0; window.print = () => { window.__prints++; };`}); err != nil {
			t.Fatal(err)
		}
	}
	b.staffLogin()
	// The desk: Ozu, 80 mm paper (58 mm without JavaScript), slips
	// printed by themselves.
	paper, paperWidth := "80", 80.0
	if variant == "nojs" {
		paper, paperWidth = "58", 58.0
	}
	b.Open("/staff/desk")
	b.Do("set the desk", chromedp.SetValue(chromedp.ID("d-branch"), "ozu"), chromedp.SetValue(chromedp.ID("d-paper"), paper),
		chromedp.Click(chromedp.Search(`//input[@name="autoprint"]`)))
	b.Press("保存する")
	shoot := screenshots(t, b, variant)

	// At Ozu: the lender's card, their alert, five loans.
	b.Open("/staff/counter")
	if d := b.Text("#deskname"); d != "大洲図書館" {
		t.Fatalf("the desk shows %q; want 大洲図書館", d)
	}
	b.scanCard(lender.Card, lender.Name)
	if alerts := b.Text("#patron-alerts"); !strings.Contains(alerts, "延滞中の資料があります（1冊、最長") {
		t.Errorf("the patron with an overdue loan: alerts %q", alerts)
	}
	if overdueRow := b.Texts("#patron-loans li.overdue"); len(overdueRow) != 1 || !strings.Contains(overdueRow[0], overdue.Title) {
		t.Errorf("the overdue loan in red: %q", overdueRow)
	}
	for _, r := range lent {
		answer := b.scanKeys(r.Items[0].Barcode)
		if !strings.Contains(answer, "貸出しました。返却期限日は") || b.Text("#answer-title") != r.Title {
			t.Errorf("lending %s (%s): the answer says %q", r.Items[0].Barcode, r.Title, answer)
		}
	}
	if n := len(b.Texts("#patron-loans li")); n != 6 {
		t.Errorf("the lender has %d loans on the counter; want 6", n)
	}
	shoot("counter-lend")

	// The lender's receipt: the five titles with their due dates, no
	// name, on the desk's paper.
	if href := evalJS[string](b, `document.getElementById("receiptlink").getAttribute("href")`); href != "/staff/print/receipt?card="+lender.Card {
		t.Errorf("the receipt link goes to %q", href)
	}
	b.Open("/staff/print/receipt?card=" + lender.Card)
	receipt := b.Text(".slip")
	for _, r := range lent {
		if !strings.Contains(receipt, r.Title) {
			t.Errorf("the receipt lacks %s: %q", r.Title, receipt)
		}
	}
	if !strings.Contains(receipt, "本日の貸出 5点。") || strings.Contains(receipt, lender.Name) {
		t.Errorf("the receipt: %q", receipt)
	}
	b.checkPaper("receipt", paperWidth)
	shoot("print-receipt")
	// Enter on the focused link goes back to the counter, the patron open.
	b.waitFor("the focus on the back link", `document.activeElement === document.getElementById("printback")`)
	b.Do("back to the counter", chromedp.KeyEvent("\r"))
	b.waitFor("the counter again", `document.getElementById("scan") && document.activeElement === document.getElementById("scan") && document.querySelector("#patron h2")`)

	// At Nagahama, in the return mode: twenty returns, keys only.
	b.chooseDesk("nagahama")
	b.setMode(3, "return")
	slips := 0
	for _, i := range order {
		c := cases[i]
		answer := b.scanKeys(c.rec.Items[0].Barcode)
		if title := b.Text("#answer-title"); title != c.rec.Title {
			t.Errorf("returning %s: the answer names %q; want %q", c.rec.Items[0].Barcode, title, c.rec.Title)
		}
		if !strings.Contains(answer, c.want) || !strings.Contains(answer, "返却しました") {
			t.Errorf("returning %s (%s): the answer says %q; want %s", c.rec.Items[0].Barcode, c.rec.Title, answer, c.want)
		}
		if cue := evalJS[string](b, `document.getElementById("answer").getAttribute("data-cue")`); cue != c.cue {
			t.Errorf("returning %s: cue %q; want %q", c.rec.Items[0].Barcode, cue, c.cue)
		}
		if got := len(b.Texts("#printlink")) == 1; got != c.slip {
			t.Errorf("returning %s: a slip offered %v; want %v", c.rec.Items[0].Barcode, got, c.slip)
		}
		if c.slip {
			slips++
		}
	}
	if variant == "js" {
		if n := evalJS[int](b, `window.__prints`); n != slips {
			t.Errorf("the page printed %d times by itself; want once for each of the %d slips", n, slips)
		}
	}
	if n := len(b.Texts("#scanlist tbody tr.scan-returned")); n != 20 {
		t.Errorf("the scan list shows %d returns; want 20", n)
	}
	shoot("counter-returns")

	// The lapsed hold's copy: listed to take off, then handed on.
	b.Open("/staff/hold-shelf")
	lapsedRows := b.Texts("#lapsed tbody tr")
	want := fmt.Sprintf("回送: 肱川図書館へ（予約番号 %d）", nextHold)
	if len(lapsedRows) == 0 || !strings.Contains(strings.Join(lapsedRows, "\n"), lapsed.Title) || !strings.Contains(strings.Join(lapsedRows, "\n"), want) {
		t.Errorf("Nagahama's lapsed list %q; want %s and %s", lapsedRows, lapsed.Title, want)
	}
	b.Open("/staff/counter?mode=return")
	answer := b.scanKeys(lapsed.Items[0].Barcode)
	if !strings.Contains(answer, want) || !strings.Contains(answer, "受取期限切れ・取消の予約資料") {
		t.Errorf("scanning the lapsed hold's copy: %q; want %s", answer, want)
	}

	// The print pages: a hold slip and a transit slip from the scan
	// list, and the lender's receipt, on the desk's paper.
	holdCase, transitCase := cases[9], cases[14] // for Nagahama; for Hijikawa
	scanIDs := evalJS[map[string]string](b, `Object.fromEntries(Array.from(document.querySelectorAll("#scanlist tbody tr"), tr => [tr.children[1].innerText.trim(), tr.getAttribute("data-scan")]))`)
	b.Open("/staff/print/scan/" + scanIDs[holdCase.rec.Items[0].Barcode])
	slip := b.Text(".slip")
	for _, w := range []string{"予約票", fmt.Sprintf("予約番号 %d", holdCase.holdID), "長浜図書館", nearby.Card[5:]} {
		if !strings.Contains(slip, w) {
			t.Errorf("the hold slip lacks %s: %q", w, slip)
		}
	}
	if strings.Contains(slip, nearby.Name) || strings.Contains(slip, holdCase.rec.Title) {
		t.Errorf("the hold slip names the patron or the title: %q", slip)
	}
	if variant == "js" && evalJS[int](b, `window.__prints`) != 1 {
		t.Errorf("the slip's page did not print by itself")
	}
	b.checkPaper("hold slip", paperWidth)
	shoot("print-hold-slip")
	b.Open("/staff/print/scan/" + scanIDs[transitCase.rec.Items[0].Barcode])
	if slip := b.Text(".slip"); !strings.Contains(slip, "回送票") || !strings.Contains(slip, transitCase.rec.Title) || !strings.Contains(slip, fmt.Sprintf("予約 %d", transitCase.holdID)) {
		t.Errorf("the transit slip: %q", slip)
	}
	b.checkPaper("transit slip", paperWidth)

	// At Ozu, what came from Nagahama is received.
	b.Open("/staff/counter")
	b.chooseDesk("ozu")
	b.setMode(4, "receive")
	home := cases[2] // the lender's, going home to Ozu
	if home.rec.Items[0].Branch != "ozu" {
		t.Fatalf("case 2 goes to %s", home.rec.Items[0].Branch)
	}
	if answer := b.scanKeys(home.rec.Items[0].Barcode); !strings.Contains(answer, "書架へ（この館の書架に戻す）") || !strings.Contains(answer, "回送を受け入れました") {
		t.Errorf("receiving %s at Ozu: %q", home.rec.Items[0].Barcode, answer)
	}
	forHold := cases[13] // a hold picked up at Ozu
	if answer := b.scanKeys(forHold.rec.Items[0].Barcode); !strings.Contains(answer, fmt.Sprintf("取置棚へ（予約番号 %d）", forHold.holdID)) {
		t.Errorf("receiving %s for hold %d at Ozu: %q", forHold.rec.Items[0].Barcode, forHold.holdID, answer)
	}
	shoot("counter-receive")
	b.Open("/staff/transit")
	incoming := strings.Join(b.Texts("#transit-in tbody tr"), "\n")
	if strings.Contains(incoming, home.rec.Items[0].Barcode) || strings.Contains(incoming, forHold.rec.Items[0].Barcode) {
		t.Errorf("received copies still listed as coming: %q", incoming)
	}
	if !strings.Contains(incoming, cases[3].rec.Items[0].Barcode) {
		t.Errorf("a copy still on its way from Nagahama is not listed: %q", incoming)
	}
}

// checkPaper prints the page to PDF as the browser would, with the
// page's own @page size, and checks the width is the desk's paper.
func (b *tab) checkPaper(what string, mm float64) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, testbrowser.StepTimeout)
	defer cancel()
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
	if err != nil {
		b.T.Fatalf("%s: print to PDF: %v", what, err)
	}
	m := regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]`).FindSubmatch(res.Data)
	if m == nil {
		b.T.Fatalf("%s: no page size in the PDF", what)
	}
	width, _ := strconv.ParseFloat(string(m[1]), 64)
	if want := mm / 25.4 * 72; math.Abs(width-want) > 1.5 {
		b.T.Errorf("%s: printed %.1f pt wide; want %.0f mm (%.1f pt)", what, width, mm, want)
	}
}

// screenshots returns a function that leaves a picture of the page in
// artifacts/ (for people; nothing is asserted on pixels).
func screenshots(t *testing.T, b *tab, variant string) func(name string) {
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	return func(name string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.Ctx, testbrowser.StepTimeout)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", name, err)
		}
		path := filepath.Join("artifacts", name+"-"+variant+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Error(err)
		}
		t.Logf("screenshot: e2e/%s", path)
	}
}
