package web

import "testing"

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/account": "/account", "/search?q=a": "/search?q=a", "": "", "//evil": "", "/\\evil": "",
		"https://evil": "", "/%2f%2fevil": "", "evil": "", "/ok/../x": "/ok/../x",
	} {
		if got := SafeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
