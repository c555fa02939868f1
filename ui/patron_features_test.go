package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hondana/barcode"
	"hondana/library"
	"hondana/store"
)

// featureEnv is a server with titles, one copy each at ozu, and a
// patron logged in on a browser (cookies, CSRF token).
type featureEnv struct {
	*testEnv
	c     *http.Client
	token string
	card  string
	pid   int64
	recs  map[string]int64 // by title and volume ("峠 上")
}

func newFeatureEnv(t *testing.T, titles ...[2]string) *featureEnv {
	t.Helper()
	e := &featureEnv{testEnv: accountsEnv(t), recs: map[string]int64{}}
	ctx := context.Background()
	for i, tv := range titles {
		r := &store.Record{Source: fmt.Sprintf("f:%d", i), Title: tv[0], Volume: tv[1], NDC: "913"}
		cp := []store.Copy{{Barcode: fmt.Sprintf("F%d", i), Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}
		if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{cp}); err != nil {
			t.Fatal(err)
		}
		e.recs[strings.TrimSpace(tv[0]+" "+tv[1])] = r.ID
	}
	e.card = newPatron(t, e.testEnv, library.PatronForm{Name: "読書 好子", NameYomi: "ドクショ ヨシコ", BirthDate: "1975-03-03", HomeBranch: "ozu"}, "Yoshi1")
	p, _ := e.DB.PatronByCard(ctx, e.card)
	e.pid = p.ID
	e.c = browser(t)
	do(t, e.c, "GET", e.URL+"/login", nil)
	e.token = csrfFrom(t, e.c, e.URL)
	if resp, _ := do(t, e.c, "POST", e.URL+"/login", url.Values{"csrf": {e.token}, "card": {e.card}, "password": {"Yoshi1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return e
}

func (e *featureEnv) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("csrf", e.token)
	return do(t, e.c, "POST", e.URL+path, form)
}

func (e *featureEnv) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	return do(t, e.c, "GET", e.URL+path, nil)
}

func wantIn(t *testing.T, what, body string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestHoldOptionsPages: 予約の確認 takes an end date and suspension, shows
// the estimated wait; a bad date is refused in words and places
// nothing; 利用照会 shows both and the change page resumes the hold.
func TestHoldOptionsPages(t *testing.T) {
	e := newFeatureEnv(t, [2]string{"銀河鉄道の夜", ""})
	ctx := context.Background()
	rec := e.recs["銀河鉄道の夜"]
	// Someone else has the one copy out: a hold waits.
	other := newPatron(t, e.testEnv, library.PatronForm{Name: "他 人", NameYomi: "タ ニン", BirthDate: "1990-01-01"}, "Other1")
	if _, err := e.Server.Circulation.Checkout(ctx, other, "F0", "ozu"); err != nil {
		t.Fatal(err)
	}
	e.post(t, "/cart/add", url.Values{"record_id": {fmt.Sprint(rec)}})
	_, body := e.get(t, "/reserve")
	wantIn(t, "reserve page", body, "この日以降は不要", `name="not_after"`, `type="date"`, "休止する", "用意できるまでの目安", "目安：約")

	resp, body := e.post(t, "/reserve", url.Values{"pickup_branch": {"ozu"}, "contact": {"phone"}, "not_after": {"2020-01-01"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an end date in the past: %d", resp.StatusCode)
	}
	wantIn(t, "refused reserve page", body, "今日から1年以内の日付", `aria-invalid="true"`, `value="2020-01-01"`)
	if hs, _ := e.Server.Circulation.Holds(ctx, e.pid); len(hs) != 0 {
		t.Fatalf("a refused form placed holds: %+v", hs)
	}

	end := e.Server.Circulation.Today().AddDate(0, 0, 60)
	resp, body = e.post(t, "/reserve", url.Values{"pickup_branch": {"ozu"}, "contact": {"phone"}, "not_after": {end.Format("2006/01/02")}, "suspended": {"1"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "予約しました") {
		t.Fatalf("reserve with options: %d", resp.StatusCode)
	}
	hs, _ := e.Server.Circulation.Holds(ctx, e.pid)
	if len(hs) != 1 || !hs[0].Suspended || hs[0].NotAfter != end.Format(library.DateLayout) {
		t.Fatalf("hold placed: %+v", hs)
	}
	_, body = e.get(t, "/account")
	wantIn(t, "account", body, "休止中（順番は保たれます）", "以降は不要")
	if strings.Contains(body, "目安：") {
		t.Error("a suspended hold shows an estimated wait")
	}
	// Staff acting for the patron see it suspended (R52).
	staff, _ := staffBrowser(t, e.testEnv, "counter", "counter-pass-1")
	if _, sb := do(t, staff, "GET", e.URL+"/staff/patrons/"+e.card, nil); !strings.Contains(sb, "休止中（順番は保たれます）") {
		t.Error("the staff patron page does not say the hold is suspended")
	}
	// Resume from the change page: the end date stays, the estimate appears.
	path := fmt.Sprintf("/account/holds/%d/change", hs[0].ID)
	_, body = e.get(t, path)
	wantIn(t, "change page", body, `name="suspended" value="1" checked`, `value="`+end.Format(library.DateLayout)+`"`)
	resp, _ = e.post(t, path, url.Values{"pickup_branch": {"ozu"}, "contact": {"phone"}, "not_after": {end.Format(library.DateLayout)}})
	if resp.StatusCode != 200 {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	_, body = e.get(t, "/account")
	wantIn(t, "account after resuming", body, "目安：約")
	if strings.Contains(body, "休止中") {
		t.Error("still suspended after the change")
	}
	// A bad date on the change page is refused in words.
	if resp, body = e.post(t, path, url.Values{"not_after": {"明日"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "今日から1年以内") {
		t.Errorf("change with a bad date: %d", resp.StatusCode)
	}
}

// TestSeriesPages (巻数順予約): the series page lists the volumes in
// reading order; reserving them makes one group on 利用照会, with the
// later volumes waiting for the earlier, cancelled as one.
func TestSeriesPages(t *testing.T) {
	e := newFeatureEnv(t, [2]string{"峠", "下"}, [2]string{"峠", "上"}, [2]string{"峠", "中"})
	ctx := context.Background()
	resp, body := e.get(t, "/series?name="+url.QueryEscape("峠"))
	if resp.StatusCode != 200 {
		t.Fatalf("series page: %d", resp.StatusCode)
	}
	wantIn(t, "series page", body, "シリーズ：峠", "巻数順に予約する")
	if a, b, c := strings.Index(body, `<span class="vol">上</span>`), strings.Index(body, `<span class="vol">中</span>`), strings.Index(body, `<span class="vol">下</span>`); a < 0 || !(a < b && b < c) {
		t.Errorf("volumes not in reading order: 上 at %d, 中 at %d, 下 at %d", a, b, c)
	}
	_, body = e.get(t, fmt.Sprintf("/records/%d", e.recs["峠 中"]))
	wantIn(t, "a volume's record page", body, "「峠」の巻をまとめて予約する", `href="/series?name=%e5%b3%a0"`)
	if resp, _ = e.get(t, "/series?name="+url.QueryEscape("ない本")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown series: %d", resp.StatusCode)
	}
	q := url.Values{"name": {"峠"}, "r": {fmt.Sprint(e.recs["峠 下"]), fmt.Sprint(e.recs["峠 上"]), fmt.Sprint(e.recs["峠 中"])}}
	_, body = e.get(t, "/reserve/series?"+q.Encode())
	wantIn(t, "series confirmation", body, "巻数順予約の確認", "予約を確定する", "この日以降は不要")
	if resp, _ = e.get(t, "/reserve/series?name="+url.QueryEscape("峠")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no volume chosen: %d", resp.StatusCode)
	}
	form := url.Values{"name": {"峠"}, "r": q["r"], "pickup_branch": {"ozu"}, "contact": {"phone"}}
	resp, body = e.post(t, "/reserve/series", form)
	if resp.StatusCode != 200 || !strings.Contains(body, "巻数順予約を受け付けました") {
		t.Fatalf("series reserve: %d %s", resp.StatusCode, body)
	}
	hs, _ := e.Server.Circulation.Holds(ctx, e.pid)
	if len(hs) != 3 || hs[0].RecordID != e.recs["峠 上"] || hs[1].RecordID != e.recs["峠 中"] || !hs[1].Behind || !hs[2].Behind || hs[0].Behind {
		t.Fatalf("holds: %+v", hs)
	}
	_, body = e.get(t, "/account")
	wantIn(t, "account", body, "巻数順予約", "前の巻の貸出後に用意します", "まとめて取消")
	cancel := fmt.Sprintf("/account/hold-groups/%d/cancel", hs[0].SeriesGroup)
	_, body = e.get(t, cancel)
	wantIn(t, "group cancel confirmation", body, "これらの予約をすべて取り消しますか")
	if resp, body = e.post(t, cancel, url.Values{}); resp.StatusCode != 200 || !strings.Contains(body, "3件の予約を取り消しました") {
		t.Errorf("group cancel: %d", resp.StatusCode)
	}
	if hs, _ := e.Server.Circulation.Holds(ctx, e.pid); len(hs) != 0 {
		t.Errorf("holds left: %+v", hs)
	}
	if resp, _ = e.post(t, cancel, url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("cancel a gone group: %d", resp.StatusCode)
	}
}

// TestReadingHistoryPages (読書通帳): off by default, nothing kept;
// turned on, a return is listed, downloadable as CSV, deletable; staff
// never see it; turned off, it is gone.
func TestReadingHistoryPages(t *testing.T) {
	// A title that begins with = must not become a spreadsheet formula.
	e := newFeatureEnv(t, [2]string{"風の又三郎", ""}, [2]string{"=よだかの星", ""})
	ctx := context.Background()
	lendBack := func(barcode string) {
		t.Helper()
		if _, err := e.Server.Circulation.Checkout(ctx, e.card, barcode, "ozu"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Server.Circulation.Checkin(ctx, barcode, "ozu"); err != nil {
			t.Fatal(err)
		}
	}
	lendBack("F0") // before turning it on: not kept
	_, body := e.get(t, "/account/history")
	wantIn(t, "history page (off)", body, "記録していません", "記録を始める", "/pages/privacy")
	if resp, _ := e.post(t, "/account/history/on", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn on: %d", resp.StatusCode)
	}
	lendBack("F1")
	lendBack("F0")
	_, body = e.get(t, "/account/history")
	wantIn(t, "history page (on)", body, "記録中です", "よだかの星", "風の又三郎", "CSVでダウンロード")
	resp, csv := e.get(t, "/account/history.csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(csv, "\ufeff返却日,貸出日,書名") || strings.Count(csv, "\n") != 3 || !strings.Contains(csv, ",'=よだかの星,") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("CSV: %d %v %q", resp.StatusCode, resp.Header, csv)
	}
	// On a kiosk the file would stay for the next person: no download.
	kiosk := kioskBrowser(t, e.testEnv, "counter", "counter-pass-1")
	do(t, kiosk, "GET", e.URL+"/login", nil)
	if resp, _ := do(t, kiosk, "POST", e.URL+"/login", url.Values{"csrf": {csrfFrom(t, kiosk, e.URL)}, "card": {e.card}, "password": {"Yoshi1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("kiosk login: %d", resp.StatusCode)
	}
	if _, kb := do(t, kiosk, "GET", e.URL+"/account/history", nil); strings.Contains(kb, "history.csv") || !strings.Contains(kb, "共用の端末ではダウンロードできません") {
		t.Error("the kiosk's history page offers the download")
	}
	if resp, _ := do(t, kiosk, "GET", e.URL+"/account/history.csv", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("CSV on a kiosk: %d", resp.StatusCode)
	}
	// Staff see the patron, never the history.
	staff, _ := staffBrowser(t, e.testEnv, "counter", "counter-pass-1")
	if _, sb := do(t, staff, "GET", e.URL+"/staff/patrons/"+e.card, nil); !strings.Contains(sb, "読書 好子") || strings.Contains(sb, "よだかの星") || strings.Contains(sb, "読書通帳") {
		t.Error("the staff patron page shows the reading history, or not the patron")
	}
	_, readings, _ := e.Server.Circulation.ReadingHistory(ctx, e.pid)
	if len(readings) != 2 {
		t.Fatalf("readings: %+v", readings)
	}
	if resp, _ = e.post(t, fmt.Sprintf("/account/history/%d/delete", readings[0].ID), url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("delete one: %d", resp.StatusCode)
	}
	if resp, _ = e.post(t, fmt.Sprintf("/account/history/%d/delete", readings[0].ID), url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("delete it again: %d", resp.StatusCode)
	}
	_, body = e.get(t, "/account/history/off")
	wantIn(t, "turn-off confirmation", body, "すべて削除され")
	if resp, b := e.post(t, "/account/history/off", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("turn off: %d %s", resp.StatusCode, b)
	}
	_, body = e.get(t, "/account/history?done=off")
	wantIn(t, "history page after turning off", body, "記録をやめ、すべて削除しました", "記録していません")
	if on, rs, _ := e.Server.Circulation.ReadingHistory(ctx, e.pid); on || len(rs) != 0 {
		t.Errorf("after turning off: on %v, %d entries", on, len(rs))
	}
	_, body = e.get(t, "/pages/privacy")
	wantIn(t, "privacy page", body, "読書通帳", "記録をやめると")
}

// TestFavouritesAndCard: a title added to favourites from its page is
// listed and removed; the card page draws the card number as bars that
// decode back to it.
func TestFavouritesAndCard(t *testing.T) {
	e := newFeatureEnv(t, [2]string{"注文の多い料理店", ""})
	rec := fmt.Sprint(e.recs["注文の多い料理店"])
	_, body := e.get(t, "/records/"+rec)
	wantIn(t, "record page", body, "お気に入りに追加")
	if resp, _ := e.post(t, "/favourites", url.Values{"record_id": {rec}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/records/"+rec {
		t.Fatalf("add favourite: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = e.get(t, "/records/"+rec)
	wantIn(t, "record page of a favourite", body, "お気に入りから外す")
	_, body = e.get(t, "/account/favourites")
	wantIn(t, "favourites", body, "注文の多い料理店", "カートに入れる")
	if resp, _ := e.post(t, "/favourites", url.Values{"record_id": {rec}, "remove": {"1"}, "back": {"list"}}); resp.Header.Get("Location") != "/account/favourites" {
		t.Errorf("remove: %s", resp.Header.Get("Location"))
	}
	_, body = e.get(t, "/account/favourites")
	wantIn(t, "favourites after removing", body, "お気に入りはありません")
	if resp, _ := e.post(t, "/favourites", url.Values{"record_id": {"999999"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a favourite of no record: %d", resp.StatusCode)
	}
	// Anonymous: a link to log in instead of the button.
	anon := browser(t)
	if _, b := do(t, anon, "GET", e.URL+"/records/"+rec, nil); !strings.Contains(b, "ログインするとお気に入りに追加できます") {
		t.Error("anonymous record page lacks the login link")
	}

	resp, body := e.get(t, "/account/card")
	if resp.StatusCode != 200 {
		t.Fatalf("card page: %d", resp.StatusCode)
	}
	wantIn(t, "card page", body, "<svg", "利用カードのバーコード "+e.card, "NW-7")
	widths, err := barcode.MeasureSVG(body)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := barcode.Decode(barcode.Codabar, widths); err != nil || got != e.card {
		t.Errorf("the card page's bars read %q, %v; want %s", got, err, e.card)
	}
	if resp, _ := do(t, anon, "GET", e.URL+"/account/card", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("card page without login: %d", resp.StatusCode)
	}
}
