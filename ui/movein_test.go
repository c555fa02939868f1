package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"hondana/library"
	"hondana/ui/web"
)

// vendorCard is the card of row i of the vendor file: Hondana's check
// digit, except every 50th row from the 7th, numbered another way.
func vendorCard(i int) string {
	eight := fmt.Sprintf("%08d", 30000000+i)
	d := library.CardCheckDigit(eight)
	if i%50 == 7 {
		d = '0' + (d-'0'+1)%10
	}
	return eight + string(d)
}

// vendorBirth is row i's birthday in one of the ways vendor files write
// them, and as Hondana keeps it.
func vendorBirth(i int) (written, kept string) {
	m, d := 1+i%12, 1+i%5
	kept = fmt.Sprintf("1980-%02d-%02d", m, d)
	switch i % 3 {
	case 0:
		return fmt.Sprintf("1980/%d/%d", m, d), kept
	case 1:
		return fmt.Sprintf("昭和55年%d月%d日", m, d), kept
	}
	return kept, kept
}

// vendorPatrons writes a vendor system's patron export: 1,000 rows in
// Shift_JIS (CP932) with CRLF, Japanese headers, half-width readings,
// and 20 bad rows (a missing name, a day that does not exist, a card
// given twice, a broken e-mail address), five of each. want lists the
// bad rows' lines and reasons as the report gives them.
func vendorPatrons(t *testing.T) (file []byte, want []library.RowProblem) {
	t.Helper()
	var b strings.Builder
	b.WriteString("利用者番号,氏名,ヨミ,生年月日,住所,電話,携帯,メール,利用者区分,有効期限\r\n")
	for i := range 1000 {
		line := i + 2
		card, name, birth := vendorCard(i), fmt.Sprintf("移行 太郎%d", i), ""
		birth, _ = vendorBirth(i)
		email := ""
		if i%4 == 0 {
			email = fmt.Sprintf("p%d@example.jp", i)
		}
		switch {
		case i%200 == 100:
			name = ""
			want = append(want, library.RowProblem{Line: line, Code: library.RowMissing, Field: "name"})
		case i%200 == 110:
			birth = "1980/2/30"
			want = append(want, library.RowProblem{Line: line, Code: library.RowBadDate, Field: "birth_date", Value: birth})
		case i%200 == 120:
			card = vendorCard(i - 1)
			want = append(want, library.RowProblem{Line: line, Code: library.RowDuplicate, Field: "card", Value: card, First: line - 1})
		case i%200 == 130:
			email = fmt.Sprintf("p%d@@example", i)
			want = append(want, library.RowProblem{Line: line, Code: library.RowInvalid, Field: "email", Value: email})
		case i%50 == 7:
			want = append(want, library.RowProblem{Line: line, Code: library.RowCheckDigit, Field: "card", Value: card, Warning: true})
		}
		if i%50 == 7 && i%100 == 0 {
			t.Fatal("a bad row with a vendor card: the counts would mix")
		}
		fmt.Fprintf(&b, "%s,%s,ｲｺｳ ﾀﾛｳ,%s,大洲市東大洲%d-1,0893-24-%04d,,%s,市内,令和9年3月31日\r\n", card, name, birth, i, i, email)
	}
	sjis, err := japanese.ShiftJIS.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	return []byte(sjis), want
}

// moveInFile sends a file to the admin page and returns the job's page
// once it is done.
func moveInFile(t *testing.T, e *testEnv, c *http.Client, token, kind, name string, content []byte, dry bool) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", token)
	mw.WriteField("kind", kind)
	if dry {
		mw.WriteField("dry_run", "1")
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.URL+"/staff/movein", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/jobs/") {
		t.Fatalf("move in %s: %d %s", name, resp.StatusCode, body)
	}
	jobURL := e.URL + resp.Header.Get("Location")
	for range 600 {
		resp, page := do(t, c, "GET", jobURL, nil)
		if resp.Header.Get("Refresh") != "" && (strings.Contains(page, "取り込みました") || strings.Contains(page, `id="movein-summary"`)) {
			// Still running: the page must not say it is done.
			t.Errorf("the job page of %s says it is done while it still runs:\n%s", name, page)
		}
		if resp.Header.Get("Refresh") == "" {
			if strings.Contains(page, "失敗しました") {
				t.Fatalf("move in %s failed:\n%s", name, page)
			}
			return page
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the move in of %s did not end in 60 s", name)
	return ""
}

var summaryRe = regexp.MustCompile(`id="movein-summary">([^<]*)<`)

func summaryOf(t *testing.T, page string) string {
	t.Helper()
	m := summaryRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no summary on the job page:\n%s", page)
	}
	return m[1]
}

// TestMoveIn brings a vendor system's patrons, loans and holds over as
// an admin does from the staff page: a dry run that reports every bad
// row and writes nothing, the import, a second import that changes
// nothing, then each imported patron's view of 利用照会.
func TestMoveIn(t *testing.T) {
	e, err := newEnv(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.App.Close() })
	ctx := context.Background()
	if err := e.App.Accounts.AddStaff(ctx, 0, "chief", library.RoleAdmin, "admin-pass-123"); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Accounts.AddStaff(ctx, 0, "counter", library.RoleLibrarian, "counter-pass-1"); err != nil {
		t.Fatal(err)
	}
	// Librarians do not see the page.
	lib, _ := staffBrowser(t, e, "counter", "counter-pass-1")
	if resp, _ := do(t, lib, "GET", e.URL+"/staff/movein", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a librarian opens the move-in page: %d", resp.StatusCode)
	}
	if resp, _ := do(t, lib, "GET", e.URL+"/staff/export?what=patrons&format=csv", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a librarian exports patrons: %d", resp.StatusCode)
	}
	c, token := staffBrowser(t, e, "chief", "admin-pass-123")
	resp, page := do(t, c, "GET", e.URL+"/staff", nil)
	if !strings.Contains(page, `href="/staff/movein"`) {
		t.Errorf("the staff nav of an admin has no link to the move-in page (%d)", resp.StatusCode)
	}

	file, want := vendorPatrons(t)
	countImported := func() int {
		var n int
		e.DB.Reader().QueryRow(`SELECT count(*) FROM patrons WHERE card LIKE '300%'`).Scan(&n)
		return n
	}

	// The dry run: every bad row with its line and reason, nothing written.
	page = moveInFile(t, e, c, token, library.MoveInPatrons, "vendor-patrons.csv", file, true)
	if got, wantS := summaryOf(t, page), "vendor-patrons.csv（試し読み・何も書き込んでいません）: 1000行を読みました。取り込めるのは新規980・変更0・変更なし0行、誤り20行、注意20件です。"; got != wantS {
		t.Errorf("dry run summary:\n got %s\nwant %s", got, wantS)
	}
	if !strings.Contains(page, "文字コード Shift_JIS") {
		t.Errorf("the dry run does not say the file was read as Shift_JIS")
	}
	rowRe := regexp.MustCompile(`<tr><td[^>]*>(\d+)</td><td[^>]*>(?:<span class="error">)?(誤り|注意)(?:</span>)?</td>\s*<td[^>]*>([^<]*)</td></tr>`)
	rows := rowRe.FindAllStringSubmatch(page, -1)
	if len(rows) != len(want) {
		t.Fatalf("the report lists %d rows; want %d:\n%q", len(rows), len(want), rows)
	}
	for i, w := range want {
		reason := web.T("ja", "movein.why."+w.Code, web.T("ja", "movein.col."+w.Field), w.Value)
		if w.First != 0 {
			reason += "（" + web.T("ja", "movein.first", w.First) + "）"
		}
		kind := "誤り"
		if w.Warning {
			kind = "注意"
		}
		if rows[i][1] != fmt.Sprint(w.Line) || rows[i][2] != kind || htmlUnescape(rows[i][3]) != reason {
			t.Errorf("report row %d: %q; want line %d %s %s", i, rows[i][1:], w.Line, kind, reason)
		}
	}
	if n := countImported(); n != 0 {
		t.Fatalf("the dry run wrote %d patrons", n)
	}

	// The import, then the same file again.
	page = moveInFile(t, e, c, token, library.MoveInPatrons, "vendor-patrons.csv", file, false)
	if got := summaryOf(t, page); got != "vendor-patrons.csv: 1000行を読み、新規980・変更0・変更なし0行を取り込みました。誤り20行（取り込んでいません）、注意20件。" {
		t.Errorf("import summary: %s", got)
	}
	if n := countImported(); n != 980 {
		t.Fatalf("%d patrons imported; want 980", n)
	}
	page = moveInFile(t, e, c, token, library.MoveInPatrons, "vendor-patrons.csv", file, false)
	if got := summaryOf(t, page); !strings.Contains(got, "新規0・変更0・変更なし980行") {
		t.Errorf("second import summary: %s", got)
	}
	p, err := e.DB.PatronByCard(ctx, vendorCard(7))
	if err != nil || p.NameYomi != "イコウ タロウ" || p.BirthDate != "1980-08-03" || p.Category != library.CategoryCity {
		t.Errorf("the patron with a vendor card: %+v %v", p, err)
	}

	// Loans: three for one patron, with the vendor's due days (one past).
	type copyRow struct {
		barcode string
		record  int64
		source  string
		branch  string
	}
	var shelf []copyRow
	rs, err := e.DB.Reader().Query(`SELECT c.barcode, c.record_id, r.source, c.branch FROM copies c JOIN records r ON r.id = c.record_id
		WHERE c.status = 'on_shelf' AND c.not_for_loan = 0 AND c.shelved_on < '2026-11-27'
		AND (SELECT count(*) FROM copies c2 WHERE c2.record_id = c.record_id) = 1
		AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = c.record_id) ORDER BY c.id LIMIT 7`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var r copyRow
		rs.Scan(&r.barcode, &r.record, &r.source, &r.branch)
		shelf = append(shelf, r)
	}
	rs.Close()
	if len(shelf) < 7 {
		t.Fatalf("only %d single copies on the shelf in the demo", len(shelf))
	}
	borrower, queued := vendorCard(1), []string{vendorCard(3), vendorCard(4), vendorCard(5)}
	loans := "利用者番号\t資料番号\t貸出日\t返却期限日\n" +
		borrower + "\t" + shelf[0].barcode + "\t2026/11/10\t2026/12/5\n" +
		borrower + "\t" + shelf[1].barcode + "\t令和8年11月13日\t令和8年12月10日\n" +
		borrower + "\t" + shelf[2].barcode + "\t2026-11-06\t2026-11-20\n" +
		vendorCard(2) + "\t" + shelf[3].barcode + "\t2026-11-20\t2026-12-04\n" +
		borrower + "\tNO-SUCH-COPY\t2026-11-20\t2026-12-04\n" +
		"999999999\t" + shelf[4].barcode + "\t2026-11-20\t2026-12-04\n"
	page = moveInFile(t, e, c, token, library.MoveInLoans, "loans.tsv", []byte(loans), false)
	if got := summaryOf(t, page); !strings.Contains(got, "6行を読み、新規4・変更0・変更なし0行") || !strings.Contains(got, "誤り2行") {
		t.Errorf("loans summary: %s", got)
	}
	if !strings.Contains(page, "資料番号 NO-SUCH-COPY の資料がありません") || !strings.Contains(page, "利用者番号 999999999 の利用者がいません") {
		t.Errorf("the loans report does not name the unknown copy and card:\n%s", page)
	}

	// A copy another patron has is refused, in words.
	page = moveInFile(t, e, c, token, library.MoveInLoans, "more-loans.csv", []byte("card,barcode,due_date\n"+vendorCard(2)+","+shelf[0].barcode+",2026-12-20\n"), true)
	if !strings.Contains(page, "資料番号 "+shelf[0].barcode+" は貸出できる状態ではありません（ほかの利用者に貸出中）") {
		t.Errorf("a copy lent to another patron is not refused in words:\n%s", page)
	}

	// Holds: three patrons queue for the title lent to vendorCard(2),
	// placed out of file order; one waits for a title on the shelf; one
	// is on the hold shelf (told, with the vendor's deadline) and one on
	// its way to 肱川.
	holds := "利用者番号,書誌ID,ISBN,予約日,受取館,状態,資料番号,取置期限\n" +
		queued[0] + "," + shelf[3].source + ",,2026/11/3,大洲図書館,,,\n" +
		queued[1] + "," + shelf[3].source + ",,2026/11/1,大洲図書館,,,\n" +
		queued[2] + "," + shelf[3].source + ",,2026/11/2,長浜図書館,,,\n" +
		vendorCard(6) + "," + shelf[4].source + ",,2026/11/20,ozu,予約中,,\n" +
		vendorCard(6) + ",no-such-title,,2026/11/20,ozu,,,\n" +
		vendorCard(8) + "," + shelf[5].source + ",,2026/11/15,大洲図書館,取置中," + shelf[5].barcode + ",令和8年12月6日\n" +
		vendorCard(9) + "," + shelf[6].source + ",,2026/11/16,肱川図書館,回送中," + shelf[6].barcode + ",\n" +
		vendorCard(9) + "," + shelf[5].source + ",,2026/11/16,肱川図書館,回送中,,\n"
	page = moveInFile(t, e, c, token, library.MoveInHolds, "holds.csv", []byte(holds), false)
	if got := summaryOf(t, page); !strings.Contains(got, "8行を読み、新規6・変更0・変更なし0行") || !strings.Contains(got, "誤り2行") {
		t.Errorf("holds summary: %s\n%s", got, page)
	}
	if !strings.Contains(page, "資料番号がありません（取置中・回送中の予約には資料番号が要ります）") {
		t.Errorf("a hold in transit without its copy is not refused in words:\n%s", page)
	}
	// Running the loans and holds again changes nothing.
	for _, f := range []struct{ kind, name, data string }{{library.MoveInLoans, "loans.tsv", loans}, {library.MoveInHolds, "holds.csv", holds}} {
		page = moveInFile(t, e, c, token, f.kind, f.name, []byte(f.data), false)
		if got := summaryOf(t, page); !strings.Contains(got, "新規0・変更0・変更なし4行") && !strings.Contains(got, "新規0・変更0・変更なし6行") {
			t.Errorf("%s again: %s", f.name, got)
		}
	}
	// The hold whose copy is on the shelf is on its library's pick list.
	picks, err := e.DB.PickList(ctx, shelf[4].branch, "2026-11-27")
	if err != nil {
		t.Fatal(err)
	}
	picked := false
	for _, pk := range picks {
		picked = picked || pk.Barcode == shelf[4].barcode
	}
	if !picked {
		t.Errorf("the imported hold on %s (on the shelf at %s) is not on the pick list %+v", shelf[4].barcode, shelf[4].branch, picks)
	}

	// The temporary password (the birthday as MMDD) works 30 minutes
	// after the import, and leads to the password change; then 利用照会
	// shows the vendor's due days and the queue in placed order.
	login := func(card, mmdd string) (*http.Client, int, string) {
		b := browser(t)
		do(t, b, "GET", e.URL+"/login", nil)
		tok := csrfFrom(t, b, e.URL)
		resp, body := do(t, b, "POST", e.URL+"/login", url.Values{"csrf": {tok}, "card": {card}, "password": {mmdd}})
		if resp.StatusCode != http.StatusSeeOther {
			return b, resp.StatusCode, body
		}
		change := url.Values{"csrf": {tok}, "old_password": {mmdd}, "new_password": {"Moved1"}, "new_password_confirm": {"Moved1"}}
		if resp, body = do(t, b, "POST", e.URL+"/account/password", change); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("password change of %s: %d %s", card, resp.StatusCode, body)
		}
		resp, body = do(t, b, "GET", e.URL+"/account", nil)
		return b, resp.StatusCode, body
	}
	mmdd := func(i int) string { _, kept := vendorBirth(i); return kept[5:7] + kept[8:] }
	if _, status, body := login(borrower, mmdd(1)); status != http.StatusForbidden || !strings.Contains(body, "仮パスワードは") || !strings.Contains(body, "から使えます") {
		t.Errorf("login at once with the temporary password: %d", status)
	}
	checkExports(t, e, c, token, borrower)
	e.Clock.Advance(31 * time.Minute)
	_, status, body := login(borrower, mmdd(1))
	if status != http.StatusOK {
		t.Fatalf("利用照会 of the borrower: %d", status)
	}
	for _, due := range []string{"2026-12-05", "2026-12-10", "2026-11-20"} {
		if !strings.Contains(body, web.FmtDate("ja", due)) {
			t.Errorf("利用照会 does not show the due day %s (%s)", due, web.FmtDate("ja", due))
		}
	}
	for pos, i := range []int{4, 5, 3} { // placed 11/1, 11/2, 11/3
		_, status, body := login(vendorCard(i), mmdd(i))
		if want := web.T("ja", "holds.waiting_pos", pos+1); status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("利用照会 of %s: %d, no %s", vendorCard(i), status, want)
		}
	}
	// The hold on the hold shelf and the one on its way, as their
	// patrons see them.
	for i, want := range map[int]string{8: web.T("ja", "holds.ready", web.FmtDate("ja", "2026-12-06")), 9: web.T("ja", "holds.in_transit")} {
		if _, status, body := login(vendorCard(i), mmdd(i)); status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("利用照会 of %s: %d, no %s", vendorCard(i), status, want)
		}
	}
}

// TestMoveIn's last part: exports of patrons and loans carry the
// import's headers and the imported rows, and are in the staff log.
func checkExports(t *testing.T, e *testEnv, c *http.Client, token, borrower string) {
	t.Helper()
	resp, body := do(t, c, "GET", e.URL+"/staff/export?what=patrons&format=csv", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "card,name,name_yomi,birth_date,address,phone,mobile,email,category,expiry,home_branch\n") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "hondana-patrons-") || strings.Count(body, "\n") < 981 {
		t.Errorf("patron export: %d %q, %d lines", resp.StatusCode, resp.Header.Get("Content-Disposition"), strings.Count(body, "\n"))
	}
	if !strings.Contains(body, "\n"+borrower+",移行 太郎1,イコウ タロウ,1980-02-02,") {
		t.Errorf("the patron export lacks the borrower")
	}
	resp, body = do(t, c, "GET", e.URL+"/staff/export?what=loans&format=csv", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "card,barcode,loan_date,due_date\n") || !strings.Contains(body, ",2026-11-10,2026-12-05\n") {
		t.Errorf("loan export: %d\n%s", resp.StatusCode, body[:min(len(body), 300)])
	}
	if resp, _ := do(t, c, "GET", e.URL+"/staff/export?what=patrons&format=marc21", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("patrons as MARC: %d", resp.StatusCode)
	}
	// The catalogue, as MARCXML: every record.
	var records int
	e.DB.Reader().QueryRow(`SELECT count(*) FROM records`).Scan(&records)
	resp, body = do(t, c, "GET", e.URL+"/staff/export?what=records&format=marcxml", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/marcxml+xml" || !strings.HasPrefix(body, "<?xml") ||
		strings.Count(body, "<record>") != records || !strings.HasSuffix(body, "</collection>\n") {
		t.Errorf("catalogue export: %d %s, %d records of %d", resp.StatusCode, resp.Header.Get("Content-Type"), strings.Count(body, "<record>"), records)
	}
	// Each export reads back as an import that changes nothing.
	for _, what := range []string{library.MoveInPatrons, library.MoveInLoans, library.MoveInHolds} {
		_, csv := do(t, c, "GET", e.URL+"/staff/export?what="+what+"&format=csv", nil)
		rows := strings.Count(csv, "\n") - 1
		page := moveInFile(t, e, c, token, what, what+"-export.csv", []byte(csv), true)
		if got := summaryOf(t, page); !strings.Contains(got, fmt.Sprintf("%d行を読みました。取り込めるのは新規0・変更0・変更なし%d行、誤り0行", rows, rows)) {
			t.Errorf("the %s export read back: %s", what, got)
		}
	}
	_, body = do(t, c, "GET", e.URL+"/staff/log", nil)
	if !strings.Contains(body, "export.patrons") || !strings.Contains(body, "export.loans") || !strings.Contains(body, "movein.patrons.dry_run") {
		t.Errorf("the staff log does not show the exports and the move in")
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// TestMoveInReportAfterRestart: a finished move in's page reads the same
// after the server restarts (every bad row, the counts, that it was a
// dry run), and the move-in page lists it as it did.
func TestMoveInReportAfterRestart(t *testing.T) {
	cfg := testConfig(t.TempDir(), false)
	first, err := newEnvOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.App.Accounts.AddStaff(context.Background(), 0, "chief", library.RoleAdmin, "admin-pass-123"); err != nil {
		t.Fatal(err)
	}
	c, token := staffBrowser(t, first, "chief", "admin-pass-123")
	// The second row is one bad row, for two reasons.
	file := "利用者番号,氏名,ヨミ,生年月日\n" + vendorCard(1) + ",移行 花子,イコウ ハナコ,1985/4/15\n" + vendorCard(2) + ",,ナシ,1990/2/30\n"
	before := moveInFile(t, first, c, token, library.MoveInPatrons, "restart.csv", []byte(file), true)
	_, list := do(t, c, "GET", first.URL+"/staff/movein", nil)
	job := regexp.MustCompile(`href="(/staff/jobs/[0-9a-f]+)">restart.csv<`).FindStringSubmatch(list)
	if job == nil {
		t.Fatalf("the move-in page does not list restart.csv:\n%s", list)
	}
	first.App.Close()

	second, err := newEnvOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer second.App.Close()
	c, _ = staffBrowser(t, second, "chief", "admin-pass-123")
	_, after := do(t, c, "GET", second.URL+job[1], nil)
	mainOf := func(page string) string {
		i, j := strings.Index(page, "<main"), strings.Index(page, "</main>")
		if i < 0 || j < i {
			t.Fatalf("no main part in:\n%s", page)
		}
		return page[i:j]
	}
	if b, a := mainOf(before), mainOf(after); a != b || !strings.Contains(a, "2行を読みました。取り込めるのは新規1・変更0・変更なし0行、誤り1行、") ||
		!strings.Contains(a, "氏名がありません") || !strings.Contains(a, "生年月日「1990/2/30」は日付として読めません") {
		t.Errorf("the job page after a restart:\n%s\nbefore it:\n%s", a, b)
	}
	_, list = do(t, c, "GET", second.URL+"/staff/movein", nil)
	if !strings.Contains(list, "restart.csv</a> (利用者, 試し読み)") || !strings.Contains(list, "取り込めるのは1行、誤り1行") {
		t.Errorf("the move-in page after a restart lists:\n%s", mainOf(list))
	}
}

// TestMoveInReportCut: the job page lists the first 2,000 bad rows and
// warnings, and says when there were more, however many reasons a row
// has.
func TestMoveInReportCut(t *testing.T) {
	e, err := newEnv(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.App.Close() })
	if err := e.App.Accounts.AddStaff(context.Background(), 0, "chief", library.RoleAdmin, "admin-pass-123"); err != nil {
		t.Fatal(err)
	}
	c, token := staffBrowser(t, e, "chief", "admin-pass-123")
	var file strings.Builder
	file.WriteString("card,name,name_yomi,birth_date\n")
	for i := range 1001 { // 2,002 reasons: no name, no such day
		fmt.Fprintf(&file, "%s,,ナシ,1990/2/30\n", vendorCard(i))
	}
	page := moveInFile(t, e, c, token, library.MoveInPatrons, "cut.csv", []byte(file.String()), true)
	if got := summaryOf(t, page); !strings.Contains(got, "1001行を読みました。取り込めるのは新規0・変更0・変更なし0行、誤り1001行、") {
		t.Errorf("summary: %s", got)
	}
	if n := strings.Count(page, `<td data-label="行">`); n != 2000 {
		t.Errorf("the page lists %d reasons; want 2000", n)
	}
	if !strings.Contains(page, "これより多い行は省略しました。") {
		t.Errorf("the page does not say that reasons were left out")
	}
}
