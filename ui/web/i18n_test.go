package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryMessageExists: every message id the templates and handlers of
// every audience (this package and its siblings ../opac, ../staff,
// ../api) name has Japanese and English text, so no page shows a raw id.
func TestEveryMessageExists(t *testing.T) {
	ids := map[string]string{}
	tmplID := regexp.MustCompile(`\bt \$?\.Lang "([a-z0-9_.]+)"`)
	var names []string
	for _, pattern := range []string{"templates/*.html", "templates/*/*.html", "../*/templates/*.html"} {
		found, _ := filepath.Glob(pattern)
		names = append(names, found...)
	}
	if len(names) < 40 {
		t.Fatalf("only %d templates found: the scan is broken", len(names))
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tmplID.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = n
		}
	}
	goID := regexp.MustCompile(`"((?:err|why|param|field|staff|storage|login|account|password|email|cart|reserve|loans|holds|renew|cancel|change|search|menu|desk|counter|scan|print|rules|ssearch|paper|keys|shelf|outcome|alert)\.[a-z0-9_.]+)"`)
	files, _ := filepath.Glob("../*/*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goID.FindAllStringSubmatch(string(b), -1) {
			ids[m[1]] = f
		}
	}
	// Refusal codes become "err." + code.
	for code := range refusalStatus {
		ids["err."+code] = "refusalStatus"
	}
	for id, where := range ids {
		m, ok := messages[id]
		if !ok || m[0] == "" || m[1] == "" {
			t.Errorf("message %q (used in %s) is missing or lacks a language", id, where)
		}
	}
	if len(ids) < 100 {
		t.Errorf("only %d message ids found: the scan is broken", len(ids))
	}
}
