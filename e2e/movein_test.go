package e2e

// The data move-in page (/staff/movein) in the browser, as the IT clerk
// of a small city uses it on the day the old system is switched off:
// check the vendor's patron file, import it, then the open loans.

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/text/encoding/japanese"

	"hondana/internal/bench"
	"hondana/internal/testbrowser"
)

// moveInTitle is the move-in page's name in the staff menu.
const moveInTitle = "データ移行（取り込み・書き出し）"

// vendorPatron is a row of the vendor's patron file, and what the staff
// pages show of it once imported.
type vendorPatron struct {
	Card, Name, Yomi, Birth string   // as the file has them
	ShownYomi, ShownBirth   string   // as the patron page shows them
	Bad                     []string // the reasons the report gives; none for a good row
}

// moveInProblem is a row of the job page's table of bad rows.
type moveInProblem struct{ Line, Kind, Reason string }

// moveIn chooses the kind of file (its label), attaches the file, leaves
// 試しに読む ticked or unticks it, presses 読み込む and waits on the job
// page, without reloading it, until the report is whole. It returns the
// job page's address.
func (b *tab) moveIn(kind, path string, dry bool) string {
	b.T.Helper()
	if h := b.Text("main h1"); h != moveInTitle {
		b.T.Fatalf("the move-in page's heading is %q; want %s", h, moveInTitle)
	}
	b.clickLabel(kind)
	b.Do("attach "+filepath.Base(path), chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}))
	const dryLabel = "試しに読む（誤りを報告するだけで、何も書き込まない）"
	checked := `document.querySelector('main input[name="dry_run"]').checked`
	if !evalJS[bool](b, checked) {
		b.T.Fatalf("%s is not ticked when the page opens", dryLabel)
	}
	if !dry {
		b.clickLabel(dryLabel)
		if evalJS[bool](b, checked) {
			b.T.Fatalf("%s is still ticked after clicking it", dryLabel)
		}
	}
	if st := b.Press("読み込む"); st != http.StatusOK {
		b.T.Fatalf("読み込む %s: status %d (page: %q)", filepath.Base(path), st, b.MainText())
	}
	u := b.Location()
	if !strings.HasPrefix(u.Path, "/staff/jobs/") {
		b.T.Fatalf("読み込む led to %s; want the job page (page: %q)", u, b.MainText())
	}
	// The page refreshes itself (a Refresh header, no script needed)
	// until the job is done: then the bar is full and the line that
	// says it is reading has gone.
	b.waitFor("the report of "+filepath.Base(path), `document.getElementById("movein-summary") && document.querySelector("main progress").value === 100 &&
		!Array.from(document.querySelectorAll("main [role=status]")).some(e => e.innerText.startsWith("読んでいます"))`)
	if errs := b.Texts("main .error[role=alert]"); len(errs) > 0 {
		b.T.Fatalf("the move in of %s failed: %q", filepath.Base(path), errs)
	}
	if h := b.Text("main h1"); h != moveInTitle {
		b.T.Errorf("the job page of a move in is headed %q; want %s", h, moveInTitle)
	}
	// Once done, it stays still for the clerk to read.
	b.Do("mark the page", chromedp.Evaluate[chromedp.Void](`window.reportMark = 1`))
	time.Sleep(1500 * time.Millisecond)
	if !evalJS[bool](b, `window.reportMark === 1`) {
		b.T.Errorf("the finished job page %s still reloads itself", u.Path)
	}
	return u.Path
}

// moveInReport is the summary and the bad rows the job page shows.
func (b *tab) moveInReport() (string, []moveInProblem) {
	b.T.Helper()
	rows := evalJS[[]moveInProblem](b, `Array.from(document.querySelectorAll("#movein-problems tbody tr"), tr => {
		const td = Array.from(tr.querySelectorAll("td"), td => td.innerText.trim());
		return {Line: td[0] || "", Kind: td[1] || "", Reason: td[2] || ""};
	})`)
	return b.Text("#movein-summary"), rows
}

// checkPhoneWidth: at 360 px the page does not scroll sideways, and the
// cells of its lists, shown as cards of label–value lines, each say what
// they are (a bare "4" is no line number to the reader); a picture is
// left in artifacts/movein/.
func (b *tab) checkPhoneWidth(name string) {
	b.T.Helper()
	b.setWidth(360)
	defer b.setWidth(1280)
	if sw := evalJS[float64](b, `document.documentElement.scrollWidth`); sw > 360 {
		b.T.Errorf("%s at 360 px: the page scrolls sideways (scrollWidth %v)", name, sw)
	}
	type cell struct{ Label, Text string }
	cells := evalJS[[]cell](b, `Array.from(document.querySelectorAll("main table.list tbody td"), td => ({
		Label: getComputedStyle(td, "::before").content, Text: td.innerText.trim()}))`)
	for _, c := range cells {
		if c.Label == "none" || c.Label == "normal" || c.Label == `""` {
			b.T.Errorf("%s at 360 px: the cell %q of a list shows no label", name, c.Text)
		}
	}
	b.shot("movein", name+"-360")
}

// TestStaffMoveIn: the admin checks a Shift_JIS patron file from the old
// system (a dry run: every bad row with its line and reason, nothing
// written), imports it (the good rows saved with a temporary password,
// the bad ones reported again; a reload shows the same report and sends
// nothing again), then imports a loan of a demo copy for one of the new
// patrons, which the patron's page shows with the vendor's due date.
func TestStaffMoveIn(t *testing.T) {
	// Through the API first: an unlent copy of the demo catalogue, and
	// the server's day (its test clock).
	copy := findRecords(t, "森鴎外", 1, singleCopy)[0].Items[0]
	today := serverToday(t)
	due := today.AddDate(0, 0, 20).Format(time.DateOnly)

	// Cards of the vendor's numbering: eight digits and the check digit,
	// from a base of this run's own.
	base := 20_000_000 + rand.IntN(70_000)*1_000
	card := func(i int) string { return bench.PatronCard(base, i) }
	people := []vendorPatron{
		{Card: card(1), Name: "髙橋 花子", Yomi: "ﾀｶﾊｼ ﾊﾅｺ", Birth: "昭和60年4月15日", ShownYomi: "タカハシ ハナコ", ShownBirth: "1985年4月15日"},
		{Card: card(2), Name: "山﨑 一郎", Yomi: "ﾔﾏｻﾞｷ ｲﾁﾛｳ", Birth: "1992/11/3", ShownYomi: "ヤマザキ イチロウ", ShownBirth: "1992年11月3日"},
		{Card: card(3), Name: "", Yomi: "ｼﾒｲ ﾅｼ", Birth: "2001-07-20", Bad: []string{"氏名がありません"}},
		{Card: card(4), Name: "大洲 次郎", Yomi: "ｵｵｽﾞ ｼﾞﾛｳ", Birth: "1990/2/30", Bad: []string{"生年月日「1990/2/30」は日付として読めません"}},
		{Card: card(5), Name: "長浜 さくら", Yomi: "ﾅｶﾞﾊﾏ ｻｸﾗ", Birth: "平成15年3月9日", ShownYomi: "ナガハマ サクラ", ShownBirth: "2003年3月9日"},
		// One bad row, for two reasons.
		{Card: card(6), Name: "", Yomi: "ﾌﾒｲ", Birth: "1975/13/1", Bad: []string{"氏名がありません", "生年月日「1975/13/1」は日付として読めません"}},
	}
	var good []vendorPatron
	var wantProblems []moveInProblem
	var csv strings.Builder
	csv.WriteString("利用者番号,氏名,ヨミ,生年月日,住所,電話\r\n")
	for i, p := range people {
		fmt.Fprintf(&csv, "%s,%s,%s,%s,愛媛県大洲市大洲%d-1,0893-24-%04d\r\n", p.Card, p.Name, p.Yomi, p.Birth, i+1, 1000+i)
		for _, why := range p.Bad {
			wantProblems = append(wantProblems, moveInProblem{Line: fmt.Sprint(i + 2), Kind: "誤り", Reason: why})
		}
		if p.Bad == nil {
			good = append(good, p)
		}
	}
	sjis, err := japanese.ShiftJIS.NewEncoder().String(csv.String())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	patronsFile := filepath.Join(dir, fmt.Sprintf("riyosha-%d.csv", base/1000))
	loansFile := filepath.Join(dir, fmt.Sprintf("kashidashi-%d.tsv", base/1000))
	loans := "利用者番号\t資料番号\t貸出日\t返却期限日\r\n" +
		good[0].Card + "\t" + copy.Barcode + "\t" + today.Format("2006/1/2") + "\t" + strings.ReplaceAll(due, "-", "/") + "\r\n"
	for path, data := range map[string]string{patronsFile: sjis, loansFile: loans} {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	name := filepath.Base(patronsFile)

	b := newTab(t)
	b.staffLogin()
	b.Follow("open "+moveInTitle+" from the menu",
		chromedp.Click(chromedp.Search(`//nav[contains(@class,"staffnav")]//a[normalize-space()=`+testbrowser.XPathString(moveInTitle)+`]`)))
	if u := b.Location(); u.Path != "/staff/movein" {
		t.Fatalf("the menu's %s led to %s", moveInTitle, u)
	}
	b.checkPhoneWidth("form")

	// The dry run: the counts, each bad row, and nothing written.
	dryJob := b.moveIn("利用者", patronsFile, true)
	summary, problems := b.moveInReport()
	if want := name + "（試し読み・何も書き込んでいません）: 6行を読みました。取り込めるのは新規3・変更0・変更なし0行、誤り3行、注意0件です。"; summary != want {
		t.Errorf("dry run summary:\n got %s\nwant %s", summary, want)
	}
	if main, want := b.MainText(), "文字コード Shift_JIS、読み取った列：利用者番号、氏名、ヨミ、生年月日、住所、電話。"; !strings.Contains(main, want) {
		t.Errorf("the dry run does not say %s: %q", want, main)
	}
	if !slices.Equal(problems, wantProblems) {
		t.Errorf("the dry run lists the bad rows\n%+v\nwant\n%+v", problems, wantProblems)
	}
	tok := staffToken(t)
	for _, p := range people {
		call(t, "GET", "/staff/patrons/"+p.Card, tok, nil, http.StatusNotFound, nil)
	}
	if st := b.Open("/staff/patrons/" + good[0].Card); st != http.StatusNotFound {
		t.Errorf("after the dry run /staff/patrons/%s = %d; want 404 (page: %q)", good[0].Card, st, b.MainText())
	}

	// The import: the same counts, saved this time.
	b.Open(dryJob)
	b.clickLink("別のファイルを読み込む")
	job := b.moveIn("利用者", patronsFile, false)
	summary, problems = b.moveInReport()
	wantSummary := name + ": 6行を読み、新規3・変更0・変更なし0行を取り込みました。誤り3行（取り込んでいません）、注意0件。"
	if summary != wantSummary {
		t.Errorf("import summary:\n got %s\nwant %s", summary, wantSummary)
	}
	if !slices.Equal(problems, wantProblems) {
		t.Errorf("the import lists the bad rows\n%+v\nwant\n%+v", problems, wantProblems)
	}
	b.checkPhoneWidth("report")

	// A reload shows the same report and sends nothing again.
	if st := b.Follow("reload the job page", chromedp.Reload()); st != http.StatusOK {
		t.Fatalf("reloading %s: status %d", job, st)
	}
	if u := b.Location(); u.Path != job {
		t.Errorf("the reload is at %s; want %s", u, job)
	}
	if s, p := b.moveInReport(); s != summary || !slices.Equal(p, problems) {
		t.Errorf("after a reload the report is %s %+v; want %s %+v", s, p, summary, problems)
	}
	b.clickLink("別のファイルを読み込む")
	b.checkPhoneWidth("recent")
	runs := b.XTexts(`//main//table//tr[td/a[normalize-space()=` + testbrowser.XPathString(name) + `]]`)
	if len(runs) != 2 || !strings.Contains(runs[0], "(利用者)") || !strings.Contains(runs[0], "3行を取り込み、3行の誤り") ||
		!strings.Contains(runs[1], "(利用者, 試し読み)") || !strings.Contains(runs[1], "取り込めるのは3行、誤り3行") || strings.Contains(runs[1], "を取り込み") {
		t.Errorf("the recent move-ins list %s as %q; want the import and, before it, the dry run", name, runs)
	}

	// The catalogue import's page lists its own jobs, not these (where
	// the dry run would read as saved records).
	b.Open("/staff/import")
	if n := len(b.XTexts(`//main//a[normalize-space()=` + testbrowser.XPathString(name) + `]`)); n != 0 {
		t.Errorf("/staff/import lists the move-ins of %s (%d)", name, n)
	}

	// The good rows are patrons now, with a temporary password; the bad
	// ones are not.
	for _, p := range people {
		st := b.Open("/staff/patrons/" + p.Card)
		if p.Bad != nil {
			if st != http.StatusNotFound {
				t.Errorf("the bad row of %s (%s) was saved: /staff/patrons/%s = %d", p.Card, p.Bad, p.Card, st)
			}
			continue
		}
		if st != http.StatusOK {
			t.Errorf("/staff/patrons/%s = %d after the import (page: %q)", p.Card, st, b.MainText())
			continue
		}
		if h := strings.Join(strings.Fields(b.Text("main h1")), " "); h != p.Name+" "+p.ShownYomi {
			t.Errorf("the page of %s is headed %q; want %s %s", p.Card, h, p.Name, p.ShownYomi)
		}
		fields := b.MainText()
		if !strings.Contains(fields, p.ShownBirth) {
			t.Errorf("the page of %s does not show the birth date %s: %q", p.Card, p.ShownBirth, fields)
		}
		if login := b.XTexts(`//main//dl/dt[normalize-space()="ログイン"]/following-sibling::dd[1]`); len(login) != 1 || !strings.HasPrefix(login[0], "仮パスワード（") {
			t.Errorf("the page of %s shows the login as %q; want 仮パスワード（… から使用可）", p.Card, login)
		}
	}

	// The loans: one demo copy, lent to the first new patron until the
	// vendor's due date.
	b.Open("/staff/movein")
	b.moveIn("貸出中の資料", loansFile, false)
	summary, problems = b.moveInReport()
	if want := filepath.Base(loansFile) + ": 1行を読み、新規1・変更0・変更なし0行を取り込みました。誤り0行（取り込んでいません）、注意0件。"; summary != want {
		t.Errorf("loans summary:\n got %s\nwant %s", summary, want)
	}
	if len(problems) != 0 {
		t.Errorf("the loans report lists bad rows: %+v", problems)
	}
	b.Open("/staff/patrons/" + good[0].Card)
	type loan struct{ Title, Barcode, Due string }
	lent := evalJS[[]loan](b, `Array.from(document.querySelectorAll("#loans tbody tr"), tr => {
		const td = Array.from(tr.querySelectorAll("td"), td => td.innerText.trim());
		return {Title: td[0] || "", Barcode: td[1] || "", Due: td[2] || ""};
	})`)
	if len(lent) != 1 || lent[0].Barcode != copy.Barcode || lent[0].Due != jaDate(t, due) {
		t.Errorf("the page of %s lists the loans %+v; want %s due %s", good[0].Card, lent, copy.Barcode, jaDate(t, due))
	}
}
