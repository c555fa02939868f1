package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"hondana/library"
	"hondana/ui/web"
)

// accountsEnv is a server of its own (its own clock), with the test
// city's libraries and a staff account, for tests that move time.
func accountsEnv(t *testing.T) *testEnv {
	t.Helper()
	return counterEnv(t, testConfig(t.TempDir(), false))
}

// newPatron registers a patron and gives them a real password; it
// returns the card.
func newPatron(t *testing.T, e *testEnv, f library.PatronForm, password string) string {
	t.Helper()
	ctx := context.Background()
	reg, err := e.App.Accounts.RegisterPatron(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.DB.PatronByCard(ctx, reg.Card)
	if err := e.App.Accounts.SetPassword(ctx, p.ID, password); err != nil {
		t.Fatal(err)
	}
	return reg.Card
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func tokenOf(t *testing.T, body string) string {
	t.Helper()
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Token == "" {
		t.Fatalf("no token in %s", body)
	}
	return v.Token
}

// TestAccountAPI walks the patron and staff account routes through every
// error code of API.md and ours, in the order a new patron meets them.
func TestAccountAPI(t *testing.T) {
	e := accountsEnv(t)
	u := e.URL + "/api/v1"
	type step struct {
		name   string
		method string
		path   string
		body   string
		header func() []string
		status int
		want   []string
	}
	var staffTok, patronTok, card string
	st := func() []string { return bearer(staffTok) }
	pt := func() []string { return bearer(patronTok) }
	none := func() []string { return nil }
	run := func(steps []step) {
		t.Helper()
		for _, s := range steps {
			status, hdr, body := call(t, s.method, u+s.path, s.body, s.header()...)
			if status != s.status {
				t.Fatalf("%s: status %d, want %d: %s", s.name, status, s.status, body)
			}
			for _, w := range s.want {
				if !strings.Contains(body, w) && !strings.Contains(hdr.Get("Retry-After")+"|"+hdr.Get("Cache-Control"), w) {
					t.Errorf("%s: body lacks %s: %s", s.name, w, body)
				}
			}
			if strings.Contains(s.path, "login") && status == 200 {
				if strings.Contains(s.path, "staff") {
					staffTok = tokenOf(t, body)
				} else {
					patronTok = tokenOf(t, body)
				}
			}
			if s.path == "/staff/patrons" && status == 201 {
				var v struct{ Card string }
				json.Unmarshal([]byte(body), &v)
				card = v.Card
			}
		}
	}
	run([]step{
		{"staff login wrong", "POST", "/staff/login", `{"username":"counter","password":"nope-nope-nope"}`, none, 401, []string{`"code":"invalid_credentials"`}},
		{"staff login bad JSON", "POST", "/staff/login", `{"username":`, none, 400, []string{`"code":"bad_request"`}},
		{"staff route without token", "POST", "/staff/patrons", `{}`, none, 401, []string{`"code":"unauthorized"`}},
		{"staff login", "POST", "/staff/login", `{"username":"counter","password":"counter-pass-1"}`, none, 200, []string{`"staff":{"role":"librarian","username":"counter"}`, "no-store"}},
		{"register: missing reading", "POST", "/staff/patrons", `{"name":"佐藤 花子","birth_date":"1990-04-01"}`, st, 422, []string{`"code":"invalid_field"`, `"field":"name_yomi"`, "ヨミ"}},
		{"register: bad birth date", "POST", "/staff/patrons", `{"name":"佐藤 花子","name_yomi":"サトウ ハナコ","birth_date":"1990-13-01"}`, st, 422, []string{`"field":"birth_date"`}},
		{"register: bad e-mail", "POST", "/staff/patrons", `{"name":"佐藤 花子","name_yomi":"サトウ ハナコ","birth_date":"1990-04-01","email":"hanako@@example"}`, st, 422, []string{`"field":"email"`}},
		{"register", "POST", "/staff/patrons", `{"name":"佐藤 花子","name_yomi":"さとう はなこ","birth_date":"1990-04-01","address":"大洲市","phone":"0893-24-1234","mobile":"","email":""}`, st, 201, []string{`"card":"`, `"temporary_password_active_at":"2026-11-27T10:30:`}},
	})
	if len(card) != 9 {
		t.Fatalf("card %q", card)
	}
	// A card no patron has is throttled like a real one: the sixth wrong
	// password in a row is a 429, not another 401.
	for i := 0; i < 4; i++ {
		call(t, "POST", u+"/login", `{"card":"999999998","password":"999`+string(rune('0'+i))+`"}`)
	}
	run([]step{
		{"login: not a card", "POST", "/login", `{"card":"abc","password":"0401"}`, none, 422, []string{`"code":"invalid_card"`, "9桁"}},
		{"login: unknown card", "POST", "/login", `{"card":"999999998","password":"0401"}`, none, 401, []string{`"code":"invalid_credentials"`}},
		{"login: unknown card throttled", "POST", "/login", `{"card":"999999998","password":"0402"}`, none, 429, []string{`"code":"too_many_attempts"`, "約1分"}},
		{"login: too early", "POST", "/login", `{"card":"` + card + `","password":"0401"}`, none, 403, []string{`"code":"temporary_password_not_active"`, "10:30 から使えます"}},
		{"login: too early, English", "POST", "/login", `{"card":"` + card + `","password":"0401"}`, func() []string { return []string{"Accept-Language", "en"} }, 403, []string{"can be used from Fri 27 Nov 2026 10:30"}},
		{"clock +31 min", "POST", "/test/clock", `{"advance":"31m"}`, none, 200, nil},
		{"login: full-width card", "POST", "/login", `{"card":"` + fullWidth(card) + `","password":"0401"}`, none, 200, []string{`"must_change_password":true`, `"patron":{"card":"` + card + `","name":"佐藤 花子"}`}},
		{"me before the change", "GET", "/me", "", pt, 403, []string{`"code":"password_change_required"`}},
		{"e-mail before the change", "PUT", "/me/email", `{"email":"hanako@example.jp"}`, pt, 403, []string{`"code":"password_change_required"`}},
		{"change: symbol", "POST", "/me/password", `{"old_password":"0401","new_password":"ab!12","new_password_confirm":"ab!12"}`, pt, 422, []string{`"code":"invalid_password"`, "記号"}},
		{"change: too short", "POST", "/me/password", `{"old_password":"0401","new_password":"ab1","new_password_confirm":"ab1"}`, pt, 422, []string{`"code":"invalid_password"`, "短すぎ"}},
		{"change: too long", "POST", "/me/password", `{"old_password":"0401","new_password":"abcdefgh9","new_password_confirm":"abcdefgh9"}`, pt, 422, []string{`"code":"invalid_password"`, "長すぎ"}},
		{"change: full-width", "POST", "/me/password", `{"old_password":"0401","new_password":"ａｂｃ１２","new_password_confirm":"ａｂｃ１２"}`, pt, 422, []string{`"code":"invalid_password"`, "全角"}},
		{"change: birthday", "POST", "/me/password", `{"old_password":"0401","new_password":"0401","new_password_confirm":"0401"}`, pt, 422, []string{`"code":"invalid_password"`, "推測"}},
		{"change: mismatch", "POST", "/me/password", `{"old_password":"0401","new_password":"Hana7","new_password_confirm":"hana7"}`, pt, 422, []string{`"code":"password_mismatch"`, `"field":"new_password_confirm"`}},
		{"change: wrong old", "POST", "/me/password", `{"old_password":"0402","new_password":"Hana7","new_password_confirm":"Hana7"}`, pt, 401, []string{`"code":"wrong_password"`}},
		{"change", "POST", "/me/password", `{"old_password":"0401","new_password":"Hana7","new_password_confirm":"Hana7"}`, pt, 204, nil},
		{"me", "GET", "/me", "", pt, 200, []string{`"card":"` + card + `"`, `"name":"佐藤 花子"`, `"email":""`, `"phone":"0893-24-1234"`, `"mobile":""`}},
		{"e-mail: invalid", "PUT", "/me/email", `{"email":"hanako at example"}`, pt, 422, []string{`"code":"invalid_email"`}},
		{"e-mail", "PUT", "/me/email", `{"email":"hanako@example.jp"}`, pt, 200, []string{`"email":"hanako@example.jp"`}},
		{"patron token on a staff route", "POST", "/staff/patrons", `{}`, pt, 403, []string{`"code":"forbidden"`}},
		{"staff session timed out", "GET", "/staff/patrons/" + card, "", st, 401, []string{`"code":"unauthorized"`}},
		{"staff log in again", "POST", "/staff/login", `{"username":"counter","password":"counter-pass-1"}`, none, 200, nil},
		{"staff token on a patron route", "GET", "/me", "", st, 403, []string{`"code":"forbidden"`}},
		{"staff sees no password", "GET", "/staff/patrons/" + card, "", st, 200, []string{`"temporary_password":false`, `"locked":false`}},
		{"logout", "POST", "/logout", "", pt, 204, nil},
		{"me after logout", "GET", "/me", "", pt, 401, []string{`"code":"unauthorized"`}},
		{"logout without token", "POST", "/logout", "", none, 401, []string{`"code":"unauthorized"`}},
		{"login with the new password", "POST", "/login", `{"card":"` + card + `","password":"Hana7"}`, none, 200, []string{`"must_change_password":false`}},
		{"case matters", "POST", "/login", `{"card":"` + card + `","password":"hana7"}`, none, 401, []string{`"code":"invalid_credentials"`}},
	})
	// Five more failures: growing delays; the right password waits too.
	for i := 0; i < 5; i++ {
		call(t, "POST", u+"/login", `{"card":"`+card+`","password":"bad`+string(rune('a'+i))+`"}`)
	}
	run([]step{
		{"throttled", "POST", "/login", `{"card":"` + card + `","password":"Hana7"}`, none, 429, []string{`"code":"too_many_attempts"`, "約1分"}},
	})
	// Twenty failures lock the card until staff clear it.
	for i := 0; i < 20; i++ {
		call(t, "POST", u+"/test/clock", `{"advance":"2h"}`)
		call(t, "POST", u+"/login", `{"card":"`+card+`","password":"bad`+string(rune('a'+i))+`"}`)
	}
	call(t, "POST", u+"/test/clock", `{"advance":"2h"}`)
	run([]step{
		{"staff login again", "POST", "/staff/login", `{"username":"counter","password":"counter-pass-1"}`, none, 200, nil},
		{"locked", "POST", "/login", `{"card":"` + card + `","password":"Hana7"}`, none, 403, []string{`"code":"account_locked"`, "カウンター"}},
		{"staff see the lock", "GET", "/staff/patrons/" + card, "", st, 200, []string{`"locked":true`}},
		{"unlock unknown", "POST", "/staff/patrons/999999999/unlock", "", st, 404, []string{`"code":"patron_not_found"`}},
		{"unlock", "POST", "/staff/patrons/" + card + "/unlock", "", st, 204, nil},
		{"login after unlock", "POST", "/login", `{"card":"` + card + `","password":"Hana7"}`, none, 200, nil},
		{"reissue unknown", "POST", "/staff/patrons/999999999/temporary-password", "", st, 404, []string{`"code":"patron_not_found"`}},
		{"reissue", "POST", "/staff/patrons/" + card + "/temporary-password", "", st, 200, []string{`"temporary_password_active_at":"`}},
		{"old session ended by the reissue", "GET", "/me", "", pt, 401, nil},
		{"clock +31 min", "POST", "/test/clock", `{"advance":"31m"}`, none, 200, nil},
	})
	for i := 0; i < 5; i++ {
		call(t, "POST", u+"/login", `{"card":"`+card+`","password":"99`+string(rune('0'+i))+`9"}`)
	}
	call(t, "POST", u+"/test/clock", `{"advance":"3h"}`)
	run([]step{
		{"temporary password voided", "POST", "/login", `{"card":"` + card + `","password":"0401"}`, none, 403, []string{`"code":"temporary_password_void"`}},
		{"staff login for the last reissue", "POST", "/staff/login", `{"username":"counter","password":"counter-pass-1"}`, none, 200, nil},
		{"reissue again", "POST", "/staff/patrons/" + card + "/temporary-password", "", st, 200, nil},
		{"clock +15 days", "POST", "/test/clock", `{"advance":"15d"}`, none, 200, nil},
		{"temporary password expired", "POST", "/login", `{"card":"` + card + `","password":"0401"}`, none, 403, []string{`"code":"temporary_password_expired"`}},
	})
}

func fullWidth(s string) string {
	return strings.Map(func(r rune) rune { return r - '0' + '０' }, s)
}

// browser is an HTTP client with cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func csrfFrom(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == web.CSRFCookie {
			return ck.Value
		}
	}
	t.Fatal("no CSRF cookie")
	return ""
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values, header ...string) (*http.Response, string) {
	t.Helper()
	var req *http.Request
	if form != nil {
		req, _ = http.NewRequest(method, u, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, u, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

func sessionValue(c *http.Client, base string) string {
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == web.SessionCookie {
			return ck.Value
		}
	}
	return ""
}

// TestAccountPages: the forced change after a temporary password, CSRF
// refusals, session renewal at login, and redirects kept inside the site.
func TestAccountPages(t *testing.T) {
	e := accountsEnv(t)
	reg, err := e.Server.Accounts.RegisterPatron(context.Background(), library.PatronForm{Name: "鈴木 一郎", NameYomi: "スズキ イチロウ", BirthDate: "1961-10-22"})
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(31 * time.Minute)
	c := browser(t)

	resp, _ := do(t, c, "GET", e.URL+"/account", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Faccount" {
		t.Fatalf("account without login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := do(t, c, "GET", e.URL+"/login?next=%2Faccount", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="csrf"`) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login page: %d %s", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	token := csrfFrom(t, c, e.URL)
	login := url.Values{"card": {reg.Card}, "password": {"1022"}, "next": {"/account"}}

	// CSRF: no token, a wrong token, a foreign origin.
	resp, body = do(t, c, "POST", e.URL+"/login", login)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "ほかのサイト") {
		t.Errorf("login without token: %d", resp.StatusCode)
	}
	wrong := "x" // a token with its first character changed
	if token[0] == 'x' {
		wrong = "y"
	}
	bad := url.Values{"csrf": {wrong + token[1:]}}
	for k, v := range login {
		bad[k] = v
	}
	if resp, _ = do(t, c, "POST", e.URL+"/login", bad); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with a wrong token: %d", resp.StatusCode)
	}
	login.Set("csrf", token)
	if resp, _ = do(t, c, "POST", e.URL+"/login", login, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login: %d", resp.StatusCode)
	}

	// A planted session id does not survive the login.
	u, _ := url.Parse(e.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: web.SessionCookie, Value: "planted-by-someone-else", Path: "/"}})
	resp, _ = do(t, c, "POST", e.URL+"/login", login)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("temporary login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	first := sessionValue(c, e.URL)
	if first == "" || first == "planted-by-someone-else" || len(first) < 22 {
		t.Fatalf("session cookie %q", first)
	}
	// Until the change, everything leads to the change page.
	for _, p := range []string{"/account", "/account/email"} {
		resp, _ = do(t, c, "GET", e.URL+p, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Errorf("%s with a temporary password: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, body = do(t, c, "GET", e.URL+"/account/password", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "仮パスワードでログインしました") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("change page: %d", resp.StatusCode)
	}
	change := url.Values{"csrf": {token}, "old_password": {"1022"}, "new_password": {"ichi 1"}, "new_password_confirm": {"ichi 1"}}
	resp, body = do(t, c, "POST", e.URL+"/account/password", change)
	if resp.StatusCode != 422 || !strings.Contains(body, "記号や空白は使えません") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("bad new password: %d", resp.StatusCode)
	}
	change.Set("new_password", "Ichi22")
	change.Set("new_password_confirm", "Ichi22")
	resp, _ = do(t, c, "POST", e.URL+"/account/password", change)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=password" {
		t.Fatalf("change: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = do(t, c, "GET", e.URL+"/account?done=password", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "鈴木 一郎") || !strings.Contains(body, "パスワードを変更しました") {
		t.Fatalf("account page: %d", resp.StatusCode)
	}
	// E-mail, with the sender domain to allow.
	resp, body = do(t, c, "POST", e.URL+"/account/email", url.Values{"csrf": {token}, "email": {"not an address"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "メールアドレスの形式") {
		t.Errorf("bad e-mail: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/account/email", url.Values{"csrf": {token}, "email": {"ichiro@example.jp"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("e-mail: %d", resp.StatusCode)
	}

	// Logging in again gives a new session id; logout kills it on the server.
	login.Set("password", "Ichi22")
	login.Set("next", "/search?q=%E3%81%93")
	resp, _ = do(t, c, "POST", e.URL+"/login", login)
	second := sessionValue(c, e.URL)
	if resp.Header.Get("Location") != "/search?q=%E3%81%93" || second == first {
		t.Errorf("second login: %s; session renewed: %v", resp.Header.Get("Location"), second != first)
	}
	if _, err := e.Server.Accounts.Session(context.Background(), first); err == nil {
		t.Error("the first session survived the second login")
	}
	resp, _ = do(t, c, "POST", e.URL+"/logout", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if _, err := e.Server.Accounts.Session(context.Background(), second); err == nil {
		t.Error("session alive after logout")
	}

	// Redirects after login never leave the site.
	for _, next := range []string{"//evil.example", "https://evil.example", "https:evil.example", `/\evil.example`, "/%2F%2Fevil.example",
		"%2F%2Fevil.example", "/%5Cevil.example", "javascript:alert(1)", "\t//evil.example", "///evil.example"} {
		login.Set("next", next)
		resp, _ = do(t, c, "POST", e.URL+"/login", login)
		loc := resp.Header.Get("Location")
		if loc != "/account" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

// TestStaffPages: staff log in, register a patron (the card and the time
// the temporary password becomes usable, never a password), find them,
// see and clear a lock.
func TestStaffPages(t *testing.T) {
	e := accountsEnv(t)
	c := browser(t)
	resp, _ := do(t, c, "GET", e.URL+"/staff/patrons/new", nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/login") {
		t.Fatalf("staff page without login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	do(t, c, "GET", e.URL+"/staff/login", nil)
	token := csrfFrom(t, c, e.URL)
	resp, body := do(t, c, "POST", e.URL+"/staff/login", url.Values{"csrf": {token}, "username": {"counter"}, "password": {"wrong-password"}})
	if resp.StatusCode != 401 || !strings.Contains(body, "パスワードが違います") {
		t.Errorf("wrong staff password: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/login", url.Values{"csrf": {token}, "username": {"counter"}, "password": {"counter-pass-1"}, "next": {"/staff/patrons/new"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/patrons/new" {
		t.Fatalf("staff login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	form := url.Values{"csrf": {token}, "name": {"高橋 美咲"}, "name_yomi": {"タカハシ ミサキ"}, "birth_date": {"2001-02-03"}, "address": {"大洲市東大洲1"}, "phone": {"0893-00-0000"}, "home_branch": {"ozu"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("birth_date", "2001-02-30")
	resp, body = do(t, c, "POST", e.URL+"/staff/patrons/new", bad)
	if resp.StatusCode != 422 || !strings.Contains(body, "生年月日の入力が正しくありません") || !strings.Contains(body, `value="高橋 美咲"`) {
		t.Errorf("bad registration: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/patrons/new", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "?done=registered") {
		t.Fatalf("registration: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "仮パスワードが使えるようになる時刻") || strings.Contains(body, "0203<") {
		t.Fatalf("registration result: %d %.500s", resp.StatusCode, body)
	}
	i := strings.Index(body, `card-number">`)
	card := body[i+13 : i+22]
	if _, ok := library.FoldCard(card); !ok {
		t.Fatalf("card on the page: %q", card)
	}
	resp, body = do(t, c, "GET", e.URL+"/staff/patrons?q="+url.QueryEscape("タカハシ"), nil)
	if resp.StatusCode != 200 || !strings.Contains(body, card) {
		t.Errorf("find by reading: %d", resp.StatusCode)
	}
	// Lock the card, then clear it from its page. (With its temporary
	// password the card would stop at 5 tries: give it a real one.)
	p, err := e.DB.PatronByCard(context.Background(), card)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Server.Accounts.SetPassword(context.Background(), p.ID, "Misa01"); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Hour)
	for i := 0; i < library.LockAfter; i++ {
		e.Server.Accounts.Login(context.Background(), card, "nope", "192.0.2.50", library.SessionWeb)
		e.Clock.Advance(2 * time.Hour)
	}
	// The staff session timed out meanwhile: the page asks for a login.
	resp, _ = do(t, c, "GET", e.URL+"/staff/patrons/"+card, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff session after 40 idle hours: %d", resp.StatusCode)
	}
	do(t, c, "POST", e.URL+"/staff/login", url.Values{"csrf": {token}, "username": {"counter"}, "password": {"counter-pass-1"}})
	resp, body = do(t, c, "GET", e.URL+"/staff/patrons/"+card, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "ロック中") || strings.Contains(body, "argon2") {
		t.Fatalf("patron page: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/patrons/"+card+"/unlock", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: %d", resp.StatusCode)
	}
	resp, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if !strings.Contains(body, "ロックを解除しました") || strings.Contains(body, "ロック中") {
		t.Errorf("after unlock: %d", resp.StatusCode)
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/patrons/"+card+"/temporary-password", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reissue: %d", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.URL+resp.Header.Get("Location"), nil)
	if !strings.Contains(body, "仮パスワードを再発行しました") || !strings.Contains(body, "card-number") {
		t.Errorf("reissue result")
	}
	resp, _ = do(t, c, "POST", e.URL+"/staff/patrons/"+card+"/unlock", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unlock without token: %d", resp.StatusCode)
	}
}

// TestKioskLogin (R42): on a kiosk a login ends after two idle minutes,
// the account page goes back to the start by itself, and the browser is
// told not to keep the page.
func TestKioskLogin(t *testing.T) {
	e := accountsEnv(t)
	card := newPatron(t, e, library.PatronForm{Name: "端末 利用", NameYomi: "タンマツ リヨウ", BirthDate: "1970-05-05"}, "Kiosk7")
	c := kioskBrowser(t, e, "counter", "counter-pass-1")
	resp, body := do(t, c, "GET", e.URL+"/login", nil)
	if !strings.Contains(body, `autocomplete="off"`) {
		t.Error("kiosk login form lets the browser remember the card")
	}
	token := csrfFrom(t, c, e.URL)
	do(t, c, "POST", e.URL+"/login", url.Values{"csrf": {token}, "card": {card}, "password": {"Kiosk7"}})
	resp, body = do(t, c, "GET", e.URL+"/account", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `<meta http-equiv="refresh" content="120;url=/">`) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("kiosk account page: %d %s", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	e.Clock.Advance(3 * time.Minute)
	resp, _ = do(t, c, "GET", e.URL+"/account", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("kiosk session after 3 idle minutes: %d", resp.StatusCode)
	}
}

// staffBrowser is a browser logged in as a staff account, with its form
// token.
// kioskBrowser is a browser staff made a kiosk: logged in on it, switched
// it on the kiosk page, and logged out by the switch.
func kioskBrowser(t *testing.T, e *testEnv, user, pass string) *http.Client {
	t.Helper()
	c, token := staffBrowser(t, e, user, pass)
	resp, _ := do(t, c, "POST", e.URL+"/kiosk", url.Values{"csrf": {token}, "on": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("kiosk on: %d", resp.StatusCode)
	}
	if sessionValue(c, e.URL) != "" {
		t.Fatal("the staff session outlived the switch to kiosk mode")
	}
	return c
}

func staffBrowser(t *testing.T, e *testEnv, user, pass string) (*http.Client, string) {
	t.Helper()
	c := browser(t)
	do(t, c, "GET", e.URL+"/staff/login", nil)
	token := csrfFrom(t, c, e.URL)
	resp, _ := do(t, c, "POST", e.URL+"/staff/login", url.Values{"csrf": {token}, "username": {user}, "password": {pass}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff login as %s: %d", user, resp.StatusCode)
	}
	return c, token
}

// TestKioskModeNeedsStaff: only staff, logged in on the terminal, switch
// kiosk mode, with a form (CSRF); a patron at a kiosk cannot turn it off
// by opening an address, and the switch is in the staff log.
func TestKioskModeNeedsStaff(t *testing.T) {
	e := accountsEnv(t)
	c := kioskBrowser(t, e, "counter", "counter-pass-1")
	u, _ := url.Parse(e.URL)
	kiosk := func() bool {
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "hondana_kiosk" && ck.Value == "1" {
				return true
			}
		}
		return false
	}
	if !kiosk() {
		t.Fatal("the switch did not make a kiosk")
	}
	// The old address no longer switches anything, and the page says
	// what the terminal is.
	resp, body := do(t, c, "GET", e.URL+"/kiosk?on=0", nil)
	if resp.StatusCode != http.StatusOK || !kiosk() || !strings.Contains(body, "この端末はキオスクです") || strings.Contains(body, "キオスクを解除する") {
		t.Fatalf("a patron at the kiosk: %d, kiosk %t", resp.StatusCode, kiosk())
	}
	// A form post without a staff login goes to the staff login.
	do(t, c, "GET", e.URL+"/", nil)
	resp, _ = do(t, c, "POST", e.URL+"/kiosk", url.Values{"csrf": {csrfFrom(t, c, e.URL)}, "on": {"0"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/login") || !kiosk() {
		t.Fatalf("kiosk off without staff: %d %s, kiosk %t", resp.StatusCode, resp.Header.Get("Location"), kiosk())
	}
	// Staff log in on it and turn it off.
	do(t, c, "GET", e.URL+"/staff/login", nil)
	token := csrfFrom(t, c, e.URL)
	do(t, c, "POST", e.URL+"/staff/login", url.Values{"csrf": {token}, "username": {"counter"}, "password": {"counter-pass-1"}})
	if _, body = do(t, c, "GET", e.URL+"/kiosk", nil); !strings.Contains(body, "キオスクを解除する") {
		t.Fatal("no switch for staff on the kiosk page")
	}
	if resp, _ = do(t, c, "POST", e.URL+"/kiosk", url.Values{"csrf": {token}, "on": {"0"}}); resp.StatusCode != http.StatusSeeOther || kiosk() {
		t.Fatalf("kiosk off by staff: %d, kiosk %t", resp.StatusCode, kiosk())
	}
	var n int
	e.DB.Reader().QueryRow(`SELECT count(*) FROM audit_log WHERE action IN ('kiosk.on', 'kiosk.off')`).Scan(&n)
	if n != 2 {
		t.Errorf("%d kiosk switches in the staff log, want 2", n)
	}
}

// TestBearerSchemeAnyCase: the scheme of an Authorization header is
// case-insensitive (RFC 7235): "bearer" and "BEARER" work as "Bearer"
// does; another scheme, or none, is unauthorized.
func TestBearerSchemeAnyCase(t *testing.T) {
	e := demoEnv(t)
	_, _, body := call(t, "POST", e.URL+"/api/v1/login", `{"card":"100001000","password":"demo1234"}`)
	tok := tokenOf(t, body)
	for _, h := range []struct {
		value string
		want  int
	}{
		{"Bearer " + tok, 200}, {"bearer " + tok, 200}, {"BEARER  " + tok, 200},
		{"Basic " + tok, 401}, {tok, 401}, {"Bearer", 401},
	} {
		if status, _, body := call(t, "GET", e.URL+"/api/v1/me", "", "Authorization", h.value); status != h.want {
			t.Errorf("Authorization %.12q…: %d, want %d: %s", h.value, status, h.want, body)
		}
	}
}
