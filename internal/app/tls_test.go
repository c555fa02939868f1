package app

import (
	"net/http/httptest"
	"testing"
)

// TestRedirectToHTTPS: plain HTTP is sent to the same path over HTTPS,
// on the host asked for when it is one of the site's names, else on the
// first of them (a forged Host is not echoed), at the HTTPS port.
func TestRedirectToHTTPS(t *testing.T) {
	t.Parallel()
	site := Default()
	site.Addr = ":443"
	site.BaseURL = "https://opac.library.example.jp/"
	site.TLS.ACMEDomains = []string{"www.library.example.jp"}
	files := Default()
	files.Addr = "0.0.0.0:8443"
	for _, c := range []struct {
		cfg          Config
		method, host string
		want         int
		location     string
	}{
		{site, "GET", "opac.library.example.jp", 301, "https://opac.library.example.jp/search?q=%E6%9C%AC"},
		{site, "HEAD", "WWW.library.example.jp:80", 301, "https://www.library.example.jp/search?q=%E6%9C%AC"},
		{site, "POST", "opac.library.example.jp", 308, "https://opac.library.example.jp/search?q=%E6%9C%AC"},
		{site, "GET", "evil.example.com", 301, "https://opac.library.example.jp/search?q=%E6%9C%AC"},
		{files, "GET", "192.0.2.7", 301, "https://192.0.2.7:8443/search?q=%E6%9C%AC"},
		{files, "GET", "[2001:db8::1]:80", 301, "https://[2001:db8::1]:8443/search?q=%E6%9C%AC"},
		{files, "GET", "", 400, ""},
	} {
		r := httptest.NewRequest(c.method, "http://x/search?q=%E6%9C%AC", nil)
		r.Host = c.host
		w := httptest.NewRecorder()
		redirectToHTTPS(c.cfg).ServeHTTP(w, r)
		if w.Code != c.want || w.Header().Get("Location") != c.location {
			t.Errorf("%s Host %q: %d to %q, want %d to %q", c.method, c.host, w.Code, w.Header().Get("Location"), c.want, c.location)
		}
	}
}
