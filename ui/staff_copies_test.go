package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hondana/library"
	"hondana/store"
	"hondana/ui/web"
)

// TestCopyStatesAndFlags: staff mark copies 修理中, 紛失, 調査中 and
// 禁帯出 on the record page (R54); the OPAC shows the words, the desk
// refuses to lend them in words, and a copy on loan keeps its status.
func TestCopyStatesAndFlags(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "state:1", Title: "羅生門"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{
		{Barcode: "S100", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"},
		{Barcode: "S200", Branch: "nagahama", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"},
	}}); err != nil {
		t.Fatal(err)
	}
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "状態 確認", NameYomi: "ジョウタイ カクニン", BirthDate: "1980-02-02"})
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	set := func(barcode, status string, notForLoan bool) (int, string) {
		t.Helper()
		f := url.Values{"csrf": {token}, "barcode": {barcode}, "status": {status}}
		if notForLoan {
			f.Set("not_for_loan", "1")
		}
		resp, body := do(t, c, "POST", fmt.Sprintf("%s/staff/records/%d/copies/state", e.URL, r.ID), f)
		return resp.StatusCode, body
	}
	if st, _ := set("S100", "repair", true); st != http.StatusSeeOther {
		t.Fatalf("mark S100 修理中 and 禁帯出: %d", st)
	}
	if st, _ := set("S200", "lost", false); st != http.StatusSeeOther {
		t.Fatalf("mark S200 紛失: %d", st)
	}
	_, page := do(t, c, "GET", fmt.Sprintf("%s/staff/records/%d?done=state", e.URL, r.ID), nil)
	if !strings.Contains(page, "資料の状態を変更しました。") || !strings.Contains(page, `<option value="repair" selected>`) {
		t.Error("the staff record page does not show the new state")
	}
	_, opac := do(t, browser(t), "GET", fmt.Sprintf("%s/records/%d", e.URL, r.ID), nil)
	for _, w := range []string{"修理中（禁帯出）", ">紛失<"} {
		if !strings.Contains(opac, w) {
			t.Errorf("the OPAC record lacks %s", w)
		}
	}
	for bc, want := range map[string]string{"S100": "修理中の資料です。", "S200": "紛失扱いの資料です。"} {
		if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, bc, "ozu"); err == nil {
			t.Errorf("%s was lent", bc)
		}
		d := &counterDesk{t: t, e: e, c: c, token: token, card: reg.Card}
		if ans := answerOf(d.scan(bc)); !strings.Contains(ans, want) || !strings.Contains(ans, "羅生門") {
			t.Errorf("lending %s: the counter says %s; want %q", bc, ans, want)
		}
	}
	// Back on the shelf but still 禁帯出: the OPAC says so, the desk
	// refuses.
	set("S100", "on_shelf", true)
	_, opac = do(t, browser(t), "GET", fmt.Sprintf("%s/records/%d", e.URL, r.ID), nil)
	if !strings.Contains(opac, "在架（禁帯出）") {
		t.Error("the OPAC does not show 在架（禁帯出）")
	}
	if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, "S100", "ozu"); web.RefusalCode(err) != library.NotForLoan {
		t.Errorf("lending a 禁帯出 copy: %v", err)
	}
	// Found again: on loan, its status cannot be changed, its flag can.
	set("S200", "on_shelf", false)
	if _, err := e.Server.Circulation.Checkout(ctx, reg.Card, "S200", "nagahama"); err != nil {
		t.Fatal(err)
	}
	if st, body := set("S200", "repair", false); st != http.StatusConflict || !strings.Contains(body, "貸出中・回送中・取置中の資料は") {
		t.Errorf("repair a copy on loan: %d", st)
	}
	if st, _ := set("S200", "on_loan", true); st != http.StatusSeeOther {
		t.Errorf("禁帯出 on a copy on loan: %d", st)
	}
	if st, _ := set("S100", "withdrawn", false); st != http.StatusUnprocessableEntity {
		t.Errorf("a status staff may not give here: %d", st)
	}
}
