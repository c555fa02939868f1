package app

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMetrics (R64): GET /metrics answers loopback in Prometheus' text
// format: requests by route pattern and status with a latency
// histogram, searches, loans and holds from the database, the outbox
// and the age of the last scheduled backup. A request a proxy forwarded,
// or from an address not allowed, gets a 404.
func TestMetrics(t *testing.T) {
	t.Parallel()
	cfg := Default()
	cfg.DataDir = t.TempDir()
	cfg.Pepper = "metrics"
	cfg.Backup = BackupConfig{Schedule: "24h", Dir: filepath.Join(t.TempDir(), "b"), Keep: 1}
	s := startServer(t, cfg, &lockedBuffer{})
	s.app.backups.runOnce(t.Context())
	staff := s.staffToken(t)
	s.apiJSON(t, staff, "POST", "/api/v1/staff/records", `{"title":"銀河鉄道の夜","items":[{"barcode":"MT-1","branch":"ozu"}]}`, 201)
	_, cards := loadLibrary(t, s, 1, 1)
	s.apiJSON(t, staff, "POST", "/api/v1/staff/checkout", `{"card":"`+cards[0]+`","barcode":"MT-1","branch":"ozu"}`, 201)
	s.page(t, "/search?q="+url.QueryEscape("銀河"))
	s.apiJSON(t, "", "GET", "/api/v1/search?q="+url.QueryEscape("銀河"), "", 200)
	s.get(t, "/records/999999")

	status, body := s.get(t, "/metrics")
	if status != 200 {
		t.Fatalf("/metrics from loopback: %d", status)
	}
	for _, want := range []string{
		`hondana_http_requests_total{code="200",route="/search"} 1`,
		`hondana_http_requests_total{code="201",route="/api/v1/staff/checkout"} 1`,
		`hondana_http_requests_total{code="404",route="/records/:id"} 1`,
		`hondana_http_request_duration_seconds_bucket{route="/api/v1/search",le="+Inf"} 1`,
		`hondana_searches_total 2`,
		`hondana_circulation_total{branch="ozu",kind="loan"} 1`,
		`hondana_loans_open 1`,
		`hondana_holds{status="waiting"} 0`,
		`hondana_outbox_messages{status="pending"} `,
		`hondana_backup_last_ok 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !regexp.MustCompile(`(?m)^hondana_backup_age_seconds \d`).MatchString(body) {
		t.Errorf("/metrics lacks the backup's age:\n%s", body)
	}
	req, _ := http.NewRequest("GET", s.url("/metrics"), nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("/metrics through a proxy: %d, want 404", resp.StatusCode)
	}
	s.stop(t)

	cfg.Metrics.Allow = []string{"10.0.0.0/8"}
	s = startServer(t, cfg, &lockedBuffer{})
	if status, _ := s.get(t, "/metrics"); status != 404 {
		t.Errorf("/metrics from an address not allowed: %d, want 404", status)
	}
}
