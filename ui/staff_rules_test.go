package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hondana/library"
	"hondana/store"
)

// TestRulesPage: admins see the loan rules in force cell by cell and
// edit the rows (R54); the desk follows what they save at once; bad rows
// are refused in words; librarians may not change them.
func TestRulesPage(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	if err := e.App.Accounts.AddStaff(ctx, 0, "chief", library.RoleAdmin, "admin-pass-123"); err != nil {
		t.Fatal(err)
	}
	r := &store.Record{Source: "rules:1", Title: "七人の侍", MaterialType: store.MaterialVideo}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{{Barcode: "V100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "規則 確認", NameYomi: "キソク カクニン", BirthDate: "1980-03-03", Category: library.CategoryOutside})

	lib, libToken := staffBrowser(t, e, "counter", "counter-pass-1")
	if resp, _ := do(t, lib, "GET", e.URL+"/staff/rules", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("librarian on the rules page: %d", resp.StatusCode)
	}
	if resp, _ := do(t, lib, "POST", e.URL+"/staff/rules", url.Values{"csrf": {libToken}, "reset": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("librarian resets the rules: %d", resp.StatusCode)
	}

	c, token := staffBrowser(t, e, "chief", "admin-pass-123")
	resp, body := do(t, c, "GET", e.URL+"/staff/rules", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "14日・10点・予約10件") || !strings.Contains(body, "設定ファイル（loans.rules）") {
		t.Fatalf("rules page: %d", resp.StatusCode)
	}
	rows := url.Values{"csrf": {token},
		"category":       {"*", "outside", ""},
		"material_type":  {"video", "*", ""},
		"loan_days":      {"7", "", ""},
		"max_loans":      {"1", "3", ""},
		"max_holds":      {"", "", ""},
		"renewable":      {"no", "", ""},
		"holdable":       {"", "", ""},
		"reference_only": {"", "", ""},
	}
	if resp, _ := do(t, c, "POST", e.URL+"/staff/rules", rows); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save rules: %d", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.URL+"/staff/rules?done=saved", nil)
	for _, w := range []string{"保存しました。", "管理画面で保存した", "7日・1点・予約10件 <span class=\"out\">延長不可</span>", "14日・3点・予約10件"} {
		if !strings.Contains(body, w) {
			t.Errorf("after saving, the rules page lacks %s", w)
		}
	}
	// The desk follows at once: a video for seven days (2026-11-27 +7).
	l, err := e.Server.Circulation.Checkout(ctx, reg.Card, "V100", "ozu")
	if err != nil || l.DueDate != "2026-12-04" {
		t.Fatalf("lend a video under the saved rules: %+v %v", l, err)
	}
	// A bad row is refused in words and the form keeps what was typed.
	bad := url.Values{"csrf": {token}, "category": {"*"}, "material_type": {"video"}, "loan_days": {"七"}, "max_loans": {""}, "max_holds": {""},
		"renewable": {""}, "holdable": {""}, "reference_only": {""}}
	resp, body = do(t, c, "POST", e.URL+"/staff/rules", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "1行目: 「七」は数字ではありません。") || !strings.Contains(body, `value="七"`) {
		t.Errorf("a bad number: %d", resp.StatusCode)
	}
	twice := url.Values{"csrf": {token}, "category": {"*", "*"}, "material_type": {"video", "video"}}
	resp, body = do(t, c, "POST", e.URL+"/staff/rules", twice, "Accept-Language", "en")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "given twice") {
		t.Errorf("a row twice: %d", resp.StatusCode)
	}
	// Reset: the config's table again.
	do(t, c, "POST", e.URL+"/staff/rules", url.Values{"csrf": {token}, "reset": {"1"}})
	_, body = do(t, c, "GET", e.URL+"/staff/rules", nil)
	if strings.Contains(body, "延長不可") || !strings.Contains(body, "設定ファイル（loans.rules）") {
		t.Error("reset did not bring the config's rules back")
	}
}
