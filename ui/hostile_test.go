package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"hondana/library"
)

// TestNoRouteFails sends hostile input to every route the server has, as
// nobody, as a patron and as staff: malformed and oversized JSON, odd
// Unicode, huge numbers, path tricks. Nothing may answer 5xx.
func TestNoRouteFails(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	reg, _ := e.Server.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "乱 五郎", NameYomi: "ラン ゴロウ", BirthDate: "1960-05-05"})
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	e.Server.Accounts.SetPassword(ctx, p.ID, "Goro55")
	_, _, body := call(t, "POST", e.URL+"/api/v1/login", `{"card":"`+reg.Card+`","password":"Goro55"}`)
	patron := tokenOf(t, body)
	_, _, body = call(t, "POST", e.URL+"/api/v1/staff/login", `{"username":"counter","password":"counter-pass-1"}`)
	staff := tokenOf(t, body)

	bodies := []string{"", "{", "[]", "null", `"x"`, "12", `{"record_id":1e309}`, `{"record_id":-1,"card":"\u0000","barcode":"` + strings.Repeat("9", 5000) + `"}`,
		`{"email":"` + strings.Repeat("a", 300) + `@x.jp"}`, `{"advance":"9999999999h"}`, `{"set":"not a time"}`, `{"pickup_branch":{"nested":[1,2,3]}}`,
		`{"card":"１２３４５６７８９","password":"\ud800"}`, `{"items":[{"barcode":"","branch":""}],"title":"x"}`, `{"result":"reached"}`,
		`{"old_password":"a","new_password":"` + strings.Repeat("Ａ", 100) + `","new_password_confirm":"x"}`}
	params := []string{"", "1", "0", "-1", "99999999999999999999", "abc", "%FF", "..%2F..%2Fetc", "%00", url.PathEscape("📚"), "123456789"}
	query := "?q=" + url.QueryEscape("\"title:*") + "&page=-5&per_page=1e9&branch=%FF&month=9999-99&days=abc&limit=-1&period=x&ndc=%00&year_from=99999999999"

	routes := e.Server.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes", len(routes))
	}
	n := 0
	for _, r := range routes {
		for _, param := range params {
			path := r.Path
			for _, name := range []string{":id", ":card", ":slug", ":isbn"} {
				path = strings.ReplaceAll(path, name, param)
			}
			path = strings.ReplaceAll(path, "*file", "x"+param)
			for _, auth := range [][]string{nil, bearer(patron), bearer(staff)} {
				bs := bodies
				if r.Method == "GET" {
					bs = []string{""}
				}
				for _, b := range bs {
					if strings.HasPrefix(path, "/api/v1/test/clock") {
						continue // moving the clock is not hostile input
					}
					status, _, out := call(t, r.Method, e.URL+path+query, b, auth...)
					n++
					if status >= 500 {
						t.Errorf("%s %s body %.60q: %d %.200s", r.Method, path, b, status, out)
					}
				}
			}
		}
	}
	t.Logf("%d requests over %d routes", n, len(routes))
}

// TestHostileForms posts odd values to every form of the pages.
func TestHostileForms(t *testing.T) {
	e := accountsEnv(t)
	c := browser(t)
	do(t, c, "GET", e.URL+"/login", nil)
	token := csrfFrom(t, c, e.URL)
	odd := []string{"", strings.Repeat("x", 20000), "\x00", "%FF", "99999999999999999999", "-1", "<script>", "１２３"}
	for _, path := range []string{"/login", "/staff/login", "/cart/add", "/cart/remove", "/logout"} {
		for _, v := range odd {
			form := url.Values{"csrf": {token}, "card": {v}, "password": {v}, "username": {v}, "record_id": {v}, "next": {v}}
			resp, body := do(t, c, "POST", e.URL+path, form)
			if resp.StatusCode >= 500 {
				t.Errorf("POST %s with %.20q: %d %.200s", path, v, resp.StatusCode, body)
			}
		}
	}
}

// TestOversizedForms: a form body over the limit is refused before it is
// read whole, and nothing fails.
func TestOversizedForms(t *testing.T) {
	e := accountsEnv(t)
	c := browser(t)
	do(t, c, "GET", e.URL+"/login", nil)
	token := csrfFrom(t, c, e.URL)
	big := strings.Repeat("x", 2<<20)
	for _, path := range []string{"/login", "/cart/add", "/account/email"} {
		resp, body := do(t, c, "POST", e.URL+path, url.Values{"csrf": {token}, "card": {big}})
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("POST %s with 2 MiB: %d %.200s", path, resp.StatusCode, body)
		}
	}
}
