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
)

// TestStaffFind: staff find a title by barcode, call number, ISBN or
// words, and a patron by card (R57); the record shows its copies with
// status and current library, and its holds queue by hold number, never
// by name; with a patron in hand, a hit leads to their hold form.
func TestStaffFind(t *testing.T) {
	e := demoEnv(t)
	ctx := context.Background()
	r := &store.Record{Source: "find:1", Title: "舞踏会の手帖", ISBN: "9784101010014"}
	if err := e.Cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{{
		{Barcode: "FIND-1", Branch: "ozu", CallNumber: "953.7/ブトウカイ", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"},
		{Barcode: "FIND-2", Branch: "kawabe", CallNumber: "953.7/ブトウカイ", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "検索 予約者", NameYomi: "ケンサク ヨヤクシャ", BirthDate: "1970-08-08"})
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	h, err := e.Server.Circulation.PlaceHold(ctx, p.ID, r.ID, "hijikawa", library.ContactPhone)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := staffBrowser(t, e, "staff", "demo-staff-pass")
	find := func(q string) (*http.Response, string) {
		t.Helper()
		return do(t, c, "GET", e.URL+"/staff/search?q="+url.QueryEscape(q), nil)
	}
	// A barcode opens its record, the copy marked.
	resp, _ := find("FIND-2")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/staff/records/%d?barcode=FIND-2", r.ID) {
		t.Fatalf("by barcode: %d %s", resp.StatusCode, loc)
	}
	_, body := do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	for _, w := range []string{`id="copy-FIND-2" class="highlight"`, "河辺図書館", "在架", fmt.Sprintf("<td data-label=\"予約番号\">%d</td>", h.ID), "肱川図書館", "予約待ち"} {
		if !strings.Contains(body, w) {
			t.Errorf("the staff record lacks %s", w)
		}
	}
	if strings.Contains(body, "検索 予約者") || strings.Contains(body, reg.Card) {
		t.Error("the staff record names who holds it")
	}
	// A card opens the patron.
	if resp, _ := find(reg.Card); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/patrons/"+reg.Card {
		t.Errorf("by card: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for q, by := range map[string]string{"953.7/ブトウ": "請求記号で 1件", "978-4-10-101001-4": "ISBNで 1件", "舞踏会の手帖": "書名・著者などで"} {
		resp, body := find(q)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, by) || !strings.Contains(body, "舞踏会の手帖") {
			t.Errorf("find %q: %d, want %s", q, resp.StatusCode, by)
		}
	}
	// Finding for a patron: the hit leads to their hold form.
	_, body = do(t, c, "GET", e.URL+"/staff/search?card="+reg.Card+"&q="+url.QueryEscape("舞踏会の手帖"), nil)
	if want := fmt.Sprintf(`href="/staff/patrons/%s?item=%d#hold-h"`, reg.Card, r.ID); !strings.Contains(body, want) || !strings.Contains(body, "検索 予約者") {
		t.Errorf("find for a patron lacks %s", want)
	}
	resp, _ = do(t, c, "GET", fmt.Sprintf("%s/staff/patrons/hold-for?item=%d&card=%s", e.URL, r.ID, reg.Card), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hold for: %d", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if !strings.Contains(body, fmt.Sprintf(`id="hold-item" name="item" value="%d"`, r.ID)) {
		t.Error("the hold form is not filled in with the title")
	}
	if resp, _ := do(t, c, "GET", e.URL+"/staff/patrons/hold-for?item=1&card=abc", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("hold for a bad card: %d", resp.StatusCode)
	}
}
