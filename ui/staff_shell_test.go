package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestStaffShell: the staff client has its own layout (R50): no public
// menu, cart or search box; the desk's library and the staff user on
// every page, with the desk switch; shortcuts for the main screens; its
// errors keep the layout; and the desk settings stay with the browser.
func TestStaffShell(t *testing.T) {
	e := accountsEnv(t)
	c, token := staffBrowser(t, e, "counter", "counter-pass-1")
	for _, path := range []string{"/staff", "/staff/counter", "/staff/patrons", "/staff/hold-shelf", "/staff/transit", "/staff/desk"} {
		resp, body := do(t, c, "GET", e.URL+path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
		for _, public := range []string{`action="/search"`, `href="/cart"`, `class="menu-wide"`, `id="q"`} {
			if strings.Contains(body, public) {
				t.Errorf("%s shows the public chrome (%s)", path, public)
			}
		}
		for _, want := range []string{`id="deskname">大洲図書館<`, `id="staffuser">counter<`, `accesskey="c"`, `href="/staff/counter"`, "F2"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
	}
	// The switch in the header changes the desk, and it is remembered.
	_, body := do(t, c, "GET", e.URL+"/staff/transit?branch=nagahama", nil)
	if !strings.Contains(body, `id="deskname">長浜図書館<`) {
		t.Error("?branch=nagahama did not change the desk")
	}
	_, body = do(t, c, "GET", e.URL+"/staff", nil)
	if !strings.Contains(body, `id="deskname">長浜図書館<`) {
		t.Error("the desk was not remembered")
	}
	// A staff page that does not exist is answered in the staff layout.
	resp, body := do(t, c, "GET", e.URL+"/staff/no-such-page", nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `class="staffbar"`) || strings.Contains(body, `action="/search"`) {
		t.Errorf("staff 404: %d, staff layout %v", resp.StatusCode, strings.Contains(body, `class="staffbar"`))
	}
	// Desk settings: paper, automatic printing, sound.
	resp, _ = do(t, c, "POST", e.URL+"/staff/desk", url.Values{"csrf": {token}, "branch": {"hijikawa"}, "paper": {"58"}, "autoprint": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save desk: %d", resp.StatusCode)
	}
	_, body = do(t, c, "GET", e.URL+"/staff/desk", nil)
	for _, want := range []string{`id="deskname">肱川図書館<`, `value="58" selected`, `data-autoprint="on"`, `data-sound="off"`} {
		if !strings.Contains(body, want) {
			t.Errorf("desk page after saving lacks %s", want)
		}
	}
	// The login page has the staff layout without the menu.
	_, body = do(t, browser(t), "GET", e.URL+"/staff/login", nil)
	if strings.Contains(body, `class="staffnav"`) || strings.Contains(body, `action="/search"`) || !strings.Contains(body, `class="staffbar"`) {
		t.Error("the staff login page should have the staff layout without the menu")
	}
}
