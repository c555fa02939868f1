package ui_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"hondana/library"
)

// codeAt is the 6-digit TOTP code (RFC 6238) of a base32 secret at t,
// written here apart from the library's, as an authenticator app would.
func codeAt(t *testing.T, b32 string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ReplaceAll(b32, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	h := mac.Sum(nil)
	o := h[19] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(h[o:o+4])&0x7fffffff)%1000000)
}

// TestStaffTOTPPages (issue 14, finding 5): a staff member sets up the
// second factor from its page (a QR code and the secret in text), gets
// recovery codes once, and from then on the login page and
// POST /api/v1/staff/login ask for a code; an admin can reset it.
func TestStaffTOTPPages(t *testing.T) {
	e := accountsEnv(t)
	if err := e.App.Accounts.AddStaff(context.Background(), 0, "chief", library.RoleAdmin, "chief-password-1"); err != nil {
		t.Fatal(err)
	}
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	resp, page := do(t, c, "GET", e.URL+"/staff/totp", nil)
	m := regexp.MustCompile(`class="totp-secret">([A-Z2-7 ]+)<`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(page, `<img src="data:image/png;base64,`) || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("set-up page: %d %s", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	secret := m[1]
	code := func() string { return codeAt(t, secret, e.Clock.Now()) }
	resp, page = do(t, c, "POST", e.URL+"/staff/totp", url.Values{"csrf": {token}, "code": {"000000"}})
	if resp.StatusCode != 401 || !strings.Contains(page, "確認コードが違う") || !strings.Contains(page, secret) {
		t.Errorf("a wrong code at set-up: %d", resp.StatusCode)
	}
	resp, page = do(t, c, "POST", e.URL+"/staff/totp", url.Values{"csrf": {token}, "code": {code()}})
	recovery := regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`).FindAllStringSubmatch(page, -1)
	if resp.StatusCode != 200 || len(recovery) != library.RecoveryCodes {
		t.Fatalf("set-up: %d, %d recovery codes", resp.StatusCode, len(recovery))
	}
	if _, page = do(t, c, "GET", e.URL+"/staff/totp", nil); !strings.Contains(page, "残りの回復コード：10 個") || strings.Contains(page, recovery[0][1]) {
		t.Error("the page after the set-up")
	}
	e.Clock.Advance(30 * time.Second) // the set-up's code is used

	// The login page asks for the code after the password, and the
	// form carries no password.
	b := browser(t)
	do(t, b, "GET", e.URL+"/staff/login", nil)
	bt := csrfFrom(t, b, e.URL)
	resp, page = do(t, b, "POST", e.URL+"/staff/login", url.Values{"csrf": {bt}, "username": {"counter"}, "password": {"counter-pass-1"}, "next": {"/staff/counter"}})
	pending := regexp.MustCompile(`name="pending" value="([^"]+)"`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || pending == nil || !strings.Contains(page, `name="code"`) || strings.Contains(page, "counter-pass-1") {
		t.Fatalf("password step: %d", resp.StatusCode)
	}
	form := url.Values{"csrf": {bt}, "pending": {pending[1]}, "next": {"/staff/counter"}}
	form.Set("code", "123456")
	if resp, page = do(t, b, "POST", e.URL+"/staff/login", form); resp.StatusCode != 401 || !strings.Contains(page, pending[1]) {
		t.Errorf("a wrong code: %d", resp.StatusCode)
	}
	form.Set("code", code())
	if resp, _ = do(t, b, "POST", e.URL+"/staff/login", form); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/counter" {
		t.Fatalf("the code step: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ = do(t, b, "GET", e.URL+"/staff/counter", nil); resp.StatusCode != 200 {
		t.Errorf("after the login with a code: %d", resp.StatusCode)
	}

	// The API takes the code in the same request.
	u := e.URL + "/api/v1/staff/login"
	login := func(extra string) (int, string) {
		s, _, body := call(t, "POST", u, `{"username":"counter","password":"counter-pass-1"`+extra+`}`)
		return s, body
	}
	e.Clock.Advance(30 * time.Second)
	steps := []struct {
		name, extra string
		status      int
		want        string
	}{
		{"no code", "", 401, `"code":"totp_required"`},
		{"a wrong code", `,"code":"999999"`, 401, `"code":"invalid_totp"`},
		{"a recovery code", `,"code":"` + strings.ToUpper(recovery[0][1]) + `"`, 200, `"token"`},
		{"the recovery code again", `,"code":"` + recovery[0][1] + `"`, 401, `"code":"invalid_totp"`},
		{"the app's code", `,"code":"` + code() + `"`, 200, `"token"`},
		{"the same code again", `,"code":"` + code() + `"`, 401, `"code":"invalid_totp"`},
	}
	for _, s := range steps {
		if status, body := login(s.extra); status != s.status || !strings.Contains(body, s.want) {
			t.Errorf("API, %s: %d %s", s.name, status, body)
		}
	}

	// An admin resets it (a lost phone): the password alone works again.
	admin, at := staffBrowser(t, e, "chief", "chief-password-1")
	if _, page = do(t, admin, "GET", e.URL+"/staff/accounts", nil); !strings.Contains(page, `name="totp_reset" value="counter"`) {
		t.Fatal("the accounts page offers no reset")
	}
	if resp, _ = do(t, admin, "POST", e.URL+"/staff/accounts", url.Values{"csrf": {at}, "totp_reset": {"counter"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if status, body := login(""); status != 200 {
		t.Errorf("after the reset: %d %s", status, body)
	}
}
