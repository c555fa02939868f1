package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"hondana/library"
)

// behindProxy is a server of its own behind a real reverse proxy, which
// trusts the proxy's forwarded headers or not, with a patron whose
// password is "Right1" and a librarian "desk". The proxy tells the
// server the client's address as a proxy on the network would: the
// X-Test-Peer header of the test's request stands for the address the
// client connects from; the proxy appends it to whatever X-Forwarded-For
// the client sent (which may be forged), or, with "X-Test-Style:
// forwarded", sends it in a Forwarded header instead.
func behindProxy(t *testing.T, trusted bool) (e *testEnv, proxy string, card string) {
	t.Helper()
	cfg := testConfig(t.TempDir(), false)
	cfg.Accounts.AddressDelay = 100 * time.Millisecond
	if trusted {
		cfg.Web.TrustedProxies = []string{"127.0.0.1"}
	}
	e, err := newEnvOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.App.Close() })
	card = newPatron(t, e, library.PatronForm{Name: "代理 通過", NameYomi: "ダイリ ツウカ", BirthDate: "1980-08-08"}, "Right1")
	if err := e.App.Accounts.AddStaff(context.Background(), 0, "desk", library.RoleLibrarian, "desk-password-1"); err != nil {
		t.Fatal(err)
	}
	backend, _ := url.Parse(e.URL)
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backend)
		peer := r.In.Header.Get("X-Test-Peer")
		r.Out.Header.Del("X-Test-Peer")
		if r.In.Header.Get("X-Test-Style") == "forwarded" {
			r.Out.Header.Set("Forwarded", "for="+peer+";proto=http")
			return
		}
		r.Out.Header.Set("X-Forwarded-For", strings.Join(append(r.In.Header.Values("X-Forwarded-For"), peer), ", "))
	}}
	return e, httptestServer(t, rp), card
}

// login posts a patron login through the proxy from peer, with the
// headers given, and returns the status.
func login(t *testing.T, proxy, card, password, peer string, header ...string) int {
	t.Helper()
	status, _, body := call(t, "POST", proxy+"/api/v1/login", fmt.Sprintf(`{"card":%q,"password":%q}`, card, password),
		append([]string{"X-Test-Peer", peer}, header...)...)
	if status == http.StatusTooManyRequests {
		t.Errorf("login of %s from %s refused: %s", card, peer, body)
	}
	return status
}

// TestLoginBehindProxy (issue 14, finding 1): failures for many cards
// from one address only slow that address, and only as the server can
// tell it: behind a trusted proxy by the forwarded client address (a
// forged X-Forwarded-For from the client counts for nothing), behind an
// untrusted one by the proxy's own address, whose patrons are then
// slowed but never refused; staff are never slowed by patrons'
// failures.
func TestLoginBehindProxy(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		t.Run(fmt.Sprintf("trusted=%v", trusted), func(t *testing.T) {
			e, proxy, card := behindProxy(t, trusted)
			a := e.App.Accounts
			limit := a.Policy().AddressFailures
			// One client sprays a password over made-up cards, forging
			// another address in every request.
			const sprayer, neighbour = "198.51.100.7", "198.51.100.8"
			for i := 0; i < limit; i++ {
				if s := login(t, proxy, fmt.Sprintf("5%08d", i), "1234", sprayer, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)); s != 401 {
					t.Fatalf("sprayed login %d: %d", i, s)
				}
			}
			if a.Stats().Slowed != 0 {
				t.Fatalf("%d logins slowed within the limit", a.Stats().Slowed)
			}
			slowedAfter := func(what string, f func() int, wantStatus int, wantSlowed bool) {
				t.Helper()
				before := a.Stats().Slowed
				if s := f(); s != wantStatus {
					t.Errorf("%s: status %d, want %d", what, s, wantStatus)
				}
				if slowed := a.Stats().Slowed > before; slowed != wantSlowed {
					t.Errorf("%s: slowed %v, want %v", what, slowed, wantSlowed)
				}
			}
			// The sprayer's own next login is slowed, and so is the
			// right password of a patron at its address; a Forwarded
			// header names the client like X-Forwarded-For.
			slowedAfter("the sprayer again", func() int { return login(t, proxy, "500009999", "1234", sprayer) }, 401, true)
			slowedAfter("a patron at the sprayer's address", func() int { return login(t, proxy, card, "Right1", sprayer) }, 200, true)
			slowedAfter("the sprayer, by Forwarded", func() int { return login(t, proxy, "500009998", "1234", sprayer, "X-Test-Style", "forwarded") }, 401, true)
			// A patron at another address is slowed only when the
			// server cannot tell the two apart.
			slowedAfter("a patron elsewhere", func() int { return login(t, proxy, card, "Right1", neighbour) }, 200, !trusted)
			slowedAfter("a forged address", func() int { return login(t, proxy, card, "Right1", neighbour, "X-Forwarded-For", "203.0.113.1") }, 200, !trusted)
			// Staff never wait for patrons' failures.
			slowedAfter("staff at the sprayer's address", func() int {
				s, _, _ := call(t, "POST", proxy+"/api/v1/staff/login", `{"username":"desk","password":"desk-password-1"}`, "X-Test-Peer", sprayer)
				return s
			}, 200, false)
		})
	}
}
