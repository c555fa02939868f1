package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"hondana/internal/app"
	"hondana/library"
	"hondana/search"
	"hondana/store"
)

func TestConfigLayers(t *testing.T) {
	// Defaults alone.
	fs := commonFlags("t")
	fs.String("addr", "", "")
	c, err := loadConfig(fs)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "localhost:8080" || len(c.Branches) != 4 || c.Branches[0].Name != "大洲図書館" || c.Catalog.NewArrivalsDays != 30 {
		t.Fatalf("defaults: %+v", c)
	}
	// The example file parses and says the same as the defaults.
	fs = commonFlags("t")
	if err := fs.Parse([]string{"--config", "config.example.yaml"}); err != nil {
		t.Fatal(err)
	}
	c2, err := loadConfig(fs)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Branches[3].Code != "kawabe" || strings.Join(c2.Branches[2].ClosedDays, ",") != "mon,tue" || c2.Web.ShutdownTimeout != c.Web.ShutdownTimeout {
		t.Fatalf("example config: %+v", c2)
	}
	if !reflect.DeepEqual(c2.Backup, c.Backup) || !reflect.DeepEqual(c2.Metrics, c.Metrics) || c2.TLS.HSTS != c.TLS.HSTS ||
		c2.TLS.HTTPAddr != c.TLS.HTTPAddr || len(c2.TLS.ACMEDomains) != 0 || c2.TLS.On() {
		t.Errorf("example backup, tls, metrics: %+v %+v %+v; defaults %+v %+v %+v", c2.Backup, c2.TLS, c2.Metrics, c.Backup, c.TLS, c.Metrics)
	}
	if !reflect.DeepEqual(c2.Counter, c.Counter) {
		t.Errorf("example counter: %+v; defaults %+v", c2.Counter, c.Counter)
	}
	if !reflect.DeepEqual(c2.Loans.Categories, c.Loans.Categories) || len(c2.Loans.Rules) != 0 || c2.Loans.OverdueBlockDays != 0 {
		t.Errorf("example loan rules: %+v; defaults %+v", c2.Loans, c.Loans)
	}
	// Environment beats the file for keys given only in the environment too,
	// and flags beat both.
	t.Setenv("HONDANA_CATALOG_NEW_ARRIVALS_DAYS", "14")
	t.Setenv("HONDANA_LIBRARY_NAME", "テスト市立図書館")
	t.Setenv("HONDANA_DATA_DIR", "/tmp/from-env")
	t.Setenv("HONDANA_WEB_TRUSTED_PROXIES", "10.0.0.1,192.0.2.0/24")
	fs = commonFlags("t")
	fs.String("addr", "", "")
	if err := fs.Parse([]string{"--config", "config.example.yaml", "--data", "/tmp/from-flag"}); err != nil {
		t.Fatal(err)
	}
	c3, err := loadConfig(fs)
	if err != nil {
		t.Fatal(err)
	}
	if c3.Catalog.NewArrivalsDays != 14 || c3.Library.Name != "テスト市立図書館" || c3.DataDir != "/tmp/from-flag" {
		t.Fatalf("layers: days %d name %q dir %q", c3.Catalog.NewArrivalsDays, c3.Library.Name, c3.DataDir)
	}
	if proxies, err := c3.TrustedProxies(); err != nil || strings.Join(proxies, " ") != "10.0.0.1/32 192.0.2.0/24" {
		t.Errorf("trusted proxies from the environment: %q %v", proxies, err)
	}
	c3.Accounts.SharedTerminals = []string{"10.1.2.0/24", "kiosk-1"}
	if _, err := c3.AccountPolicy(); err == nil || !strings.Contains(err.Error(), "accounts.shared_terminals") {
		t.Errorf("a shared terminal by name: %v", err)
	}
	// A broken file is a clear error.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("branches: [\n"), 0o644)
	fs = commonFlags("t")
	fs.Parse([]string{"--config", bad})
	if _, err := loadConfig(fs); err == nil {
		t.Fatal("broken config accepted")
	}
	var _ *pflag.FlagSet = fs
}

// TestImportCommand imports real catalogue files through the CLI: good
// records kept, bad ones skipped, a second import updates in place.
func TestImportCommand(t *testing.T) {
	files := []string{
		"../shared/data/ndl_jpmarc/ndl_jpmarc_233.mrc",
		"../shared/data/koha_sample/koha_sample_bibs.marcxml",
	}
	pymarc, _ := filepath.Glob("../shared/data/marc_edgecases/pymarc/*")
	for _, f := range pymarc {
		if ext := filepath.Ext(f); ext == ".dat" || ext == ".mrc" || ext == ".xml" {
			files = append(files, f)
		}
	}
	for _, f := range files[:2] {
		if _, err := os.Stat(f); err != nil {
			t.Skip("shared data not present:", err)
		}
	}
	keepMemoryLimit(t)
	dir := t.TempDir()
	t.Setenv("HONDANA_LOG_LEVEL", "error")
	for _, f := range files {
		args := []string{"--data", dir, f}
		if strings.HasSuffix(f, ".dat") {
			args = append([]string{"--format", "marc21"}, args...)
		}
		if err := importCmd(args); err != nil {
			t.Fatalf("import %s: %v", f, err)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.RecordCount(ctx)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	// 233 NDL + 435 good Koha records + the pymarc files' good records.
	if n < 233+435+10 {
		t.Fatalf("%d records imported", n)
	}
	// Importing the same file again updates instead of duplicating.
	if err := importCmd([]string{"--data", dir, files[0]}); err != nil {
		t.Fatal(err)
	}
	db, _ = store.Open(ctx, dir)
	defer db.Close()
	n2, _ := db.RecordCount(ctx)
	if n2 != n {
		t.Fatalf("re-import: %d records, was %d", n2, n)
	}
	r, err := db.RecordByISBN(ctx, "9784794970756")
	if err != nil || r.Title != "これからの本の話をしよう" || r.TitleYomi == "" || r.Publisher != "晶文社" || r.Year != 2019 {
		t.Fatalf("NDL record: %+v %v", r, err)
	}
	// The index was brought up to date by the command.
	if err := reindexCmd([]string{"--data", dir}); err != nil {
		t.Fatal(err)
	}
}

// TestLoanRulesConfig: rows of the loan rule table from a config file,
// terms left out inherited, and a row naming a category there is not
// refused with its number.
func TestLoanRulesConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hondana.yaml")
	write := func(rules string) (app.Config, error) {
		t.Helper()
		if err := os.WriteFile(file, []byte("loans:\n  overdue_block_days: 30\n  rules:\n"+rules), 0o600); err != nil {
			t.Fatal(err)
		}
		fs := commonFlags("t")
		if err := fs.Parse([]string{"--config", file}); err != nil {
			t.Fatal(err)
		}
		return loadConfig(fs)
	}
	c, err := write("    - { category: \"*\", material_type: video, loan_days: 7, renewable: false }\n    - { category: outside, material_type: \"*\", max_loans: 5 }\n")
	if err != nil {
		t.Fatal(err)
	}
	cats, rules, err := c.LoanRules()
	if err != nil || len(cats) != 4 || len(rules) != 2 || c.LoanPolicy().OverdueBlockDays != 30 {
		t.Fatalf("rules: %v %+v %v", cats, rules, err)
	}
	table := library.RuleTable{Default: library.DefaultTerms(), Rules: rules}
	if got := table.For("outside", "video"); got.LoanDays != 7 || got.MaxLoans != 5 || got.Renewable || !got.Holdable {
		t.Errorf("市外 × video: %+v", got)
	}
	c, err = write("    - { category: tourist, material_type: book, max_loans: 1 }\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.LoanRules(); err == nil || !strings.Contains(err.Error(), `loan rule 1: unknown patron category "tourist"`) {
		t.Errorf("an unknown category: %v", err)
	}
}

// TestVersion: `hondana version` names the program, its version and the
// Go it was built with; a build date given at link time is shown.
func TestVersion(t *testing.T) {
	line := versionLine()
	if !strings.HasPrefix(line, "hondana ") || !strings.Contains(line, runtime.Version()) || !strings.Contains(line, "commit ") {
		t.Errorf("version: %q", line)
	}
	buildDate = "2026-12-02T00:00:00Z"
	defer func() { buildDate = "" }()
	if line := versionLine(); !strings.Contains(line, "built 2026-12-02T00:00:00Z") {
		t.Errorf("version with a build date: %q", line)
	}
}

// keepMemoryLimit gives the test process its memory limit back when the
// test ends: the import command bounds its process's (buildgc.Bound).
func keepMemoryLimit(t *testing.T) {
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(limit) })
}

// catalogueCSV writes a CSV catalogue of the records from, from+n-1,
// titled "<edition> の本 <i>", and returns its path.
func catalogueCSV(t *testing.T, from, n int, edition string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,書名,書名ヨミ,著者,著者ヨミ,出版者,出版年,ISBN,NDC\n")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "%d,%s の本 %d,ホン %d,山田 花子,ヤマダ ハナコ,晶文社,2019,,913\n", i, edition, i, i)
	}
	path := filepath.Join(t.TempDir(), "catalogue.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// stderrOf runs f with standard error going to a file and returns what f
// wrote there.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	tmp, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Close()
	saved := os.Stderr
	os.Stderr = tmp
	defer func() { os.Stderr = saved }()
	f()
	b, err := os.ReadFile(tmp.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImportCommandIndexes: with no server running, a large import goes
// through a bulk load, its records searchable when the command returns
// and nothing left for the next start; a second import updates them in
// place. With the index held by another (a running server), the command
// only queues its records, for the holder to apply.
func TestImportCommandIndexes(t *testing.T) {
	keepMemoryLimit(t)
	dir := t.TempDir()
	t.Setenv("HONDANA_LOG_LEVEL", "info")
	const n = 21000 // past the backlog worth a rebuild of an empty catalogue
	ctx := context.Background()
	open := func() (*app.Data, *library.Catalog, *bytes.Buffer) {
		t.Helper()
		var logged bytes.Buffer
		cfg := app.Default()
		cfg.DataDir = dir
		d, err := app.OpenData(ctx, cfg, app.Options{Log: slog.New(slog.NewTextHandler(&logged, nil))})
		if err != nil {
			t.Fatal(err)
		}
		cat, err := d.OpenCatalog(ctx)
		if err != nil {
			d.Close()
			t.Fatal(err)
		}
		return d, cat, &logged
	}
	found := func(cat *library.Catalog, q string) int {
		t.Helper()
		res, err := cat.Search(ctx, search.Query{Text: q, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}

	for _, edition := range []string{"初版", "改訂版"} {
		var err error
		out := stderrOf(t, func() { err = importCmd([]string{"--data", dir, catalogueCSV(t, 0, n, edition)}) })
		if err != nil {
			t.Fatalf("%s: %v\n%s", edition, err, out)
		}
		if !strings.Contains(out, "bulk load done") || strings.Contains(out, "server is running") {
			t.Errorf("%s: no bulk load:\n%s", edition, out)
		}
		d, cat, logged := open()
		if got := found(cat, edition); got != n {
			t.Errorf("%s: %d found right after the import, want %d", edition, got, n)
		}
		if edition == "改訂版" && found(cat, "初版") != 0 {
			t.Errorf("the second import left records of the first")
		}
		if recs, err := d.DB.RecordCount(ctx); err != nil || recs != n {
			t.Errorf("%s: %d records (%v), want %d", edition, recs, err, n)
		}
		if lowest, _, err := d.DB.IndexQueueBounds(ctx); err != nil || lowest != 0 {
			t.Errorf("%s: queue from %d (%v), want empty", edition, lowest, err)
		}
		if strings.Contains(logged.String(), "rebuild") || strings.Contains(logged.String(), "building") {
			t.Errorf("%s: the next start rebuilt the index:\n%s", edition, logged.String())
		}
		cat.Close()
		d.Close()
	}

	// The index held open here, as a running server holds it.
	d, cat, _ := open()
	defer d.Close()
	defer cat.Close()
	var err error
	out := stderrOf(t, func() { err = importCmd([]string{"--data", dir, catalogueCSV(t, n, 30, "新刊")}) })
	if err != nil || !strings.Contains(out, "the server is running") || strings.Contains(out, "bulk load") {
		t.Fatalf("with the index held: %v\n%s", err, out)
	}
	if lowest, _, err := d.DB.IndexQueueBounds(ctx); err != nil || lowest == 0 {
		t.Errorf("with the index held: queue from %d (%v), want the new records queued", lowest, err)
	}
	if got := found(cat, "新刊"); got != 0 {
		t.Errorf("with the index held: %d found before the holder applied the queue", got)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := found(cat, "新刊"); got != 30 {
		t.Errorf("with the index held: %d found once applied, want 30", got)
	}
}
