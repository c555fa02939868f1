package ui_test

import (
	"context"
	"testing"
)

// TestDemoLibraryLooksReal checks what the demo library promises: every
// Aozora work and the NDL sample, copies in every branch, new arrivals,
// loans and holds, news, a content page for every menu item, a staff login.
func TestDemoLibraryLooksReal(t *testing.T) {
	e := demoEnv(t)
	ctx := context.Background()
	q := func(sql string) int {
		t.Helper()
		var n int
		if err := e.DB.Reader().QueryRowContext(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	checks := []struct {
		what string
		sql  string
		min  int
	}{
		{"Aozora works", "SELECT count(*) FROM records WHERE source LIKE 'aozora:%'", 17780},
		{"NDL records", "SELECT count(*) FROM records WHERE source LIKE 'marc:JTNDL:%'", 233},
		{"records with a reading", "SELECT count(*) FROM records WHERE title_yomi <> ''", 17900},
		{"records with NDC", "SELECT count(*) FROM records WHERE ndc <> ''", 17000},
		{"records with a year", "SELECT count(*) FROM records WHERE year > 0", 15000},
		{"NDL records with ISBN", "SELECT count(*) FROM records WHERE isbn <> ''", 180},
		{"branches holding copies", "SELECT count(DISTINCT branch) FROM copies", 4},
		{"copies with call numbers", "SELECT count(*) FROM copies WHERE call_number <> '' AND location <> ''", 18000},
		{"new arrivals in the last 30 days", "SELECT count(DISTINCT record_id) FROM copies WHERE acquired_on >= '2026-10-28'", 50},
		{"copies on loan", "SELECT count(*) FROM copies WHERE status = 'on_loan'", 500},
		{"loans behind them", "SELECT count(*) FROM loans", 500},
		{"holds waiting", "SELECT count(*) FROM holds WHERE status = 'waiting'", 20},
		{"holds on the hold shelf", "SELECT count(*) FROM holds WHERE status = 'ready' AND pickup_deadline IS NOT NULL", 3},
		{"loan counts for rankings", "SELECT count(*) FROM loan_counts", 1000},
		{"news", "SELECT count(*) FROM news", 5},
		{"content pages", "SELECT count(*) FROM pages WHERE slug IN ('about','guide','reserve','mobile','volunteer','sponsor','uchidoku','schools','av-center','local')", 10},
		{"staff account", "SELECT count(*) FROM staff WHERE username = 'staff' AND role = 'admin'", 1},
		{"patrons", "SELECT count(*) FROM patrons", 100},
	}
	for _, c := range checks {
		if n := q(c.sql); n < c.min {
			t.Errorf("%s: %d, want at least %d", c.what, n, c.min)
		}
	}
	// Every copy on loan has a loan, and no loan points at a shelved copy.
	if n := q("SELECT count(*) FROM copies c LEFT JOIN loans l ON l.copy_id = c.id WHERE (c.status = 'on_loan') <> (l.id IS NOT NULL)"); n != 0 {
		t.Errorf("%d copies whose status and loans disagree", n)
	}
	// Every copy on the hold shelf belongs to a ready hold.
	if n := q("SELECT count(*) FROM copies c LEFT JOIN holds h ON h.copy_id = c.id WHERE (c.status = 'on_hold_shelf') <> (h.status IS 'ready')"); n != 0 {
		t.Errorf("%d copies whose status and holds disagree", n)
	}
}
