package app

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hondana/library"
	"hondana/store"
)

// loadLibrary gives a running server n titles with a copy each at ozu,
// and clients patrons logged in to the API, returning their tokens and
// cards.
func loadLibrary(t *testing.T, s *server, n, clients int) (tokens, cards []string) {
	t.Helper()
	ctx := context.Background()
	recs := make([]*store.Record, n)
	copies := make([][]store.Copy, n)
	for i := range recs {
		recs[i] = &store.Record{Source: fmt.Sprintf("test:%d", i), Title: fmt.Sprintf("負荷試験の本 %d", i), MaterialType: "book", Language: "jpn"}
		copies[i] = []store.Copy{{Barcode: fmt.Sprintf("LD%06d", i), Branch: "ozu", Status: store.CopyOnShelf, ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}
	}
	if err := s.app.Catalog.SaveRecords(ctx, recs, copies); err != nil {
		t.Fatal(err)
	}
	for i := range clients {
		reg, err := s.app.Accounts.RegisterPatron(ctx, library.PatronForm{Name: fmt.Sprintf("利用者%d", i), NameYomi: "リヨウシャ", BirthDate: "1990-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.app.DB.PatronByCard(ctx, reg.Card)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.app.Accounts.SetPassword(ctx, p.ID, "Load1"); err != nil {
			t.Fatal(err)
		}
		tok := s.apiJSON(t, "", "POST", "/api/v1/login", fmt.Sprintf(`{"card":%q,"password":"Load1"}`, reg.Card), 200)["token"].(string)
		tokens, cards = append(tokens, tok), append(cards, reg.Card)
	}
	return tokens, cards
}

// TestBackupUnderLoad (R62, R65): 32 clients place holds and lend and
// take back copies over HTTP for 20 s (5 s with -short) while three
// backups are taken. Each backup restores to a database that passes
// integrity_check and foreign_key_check, with no hold without its
// patron and no loan without its copy, and the holds of each backup are
// a subset of the next one's (holds are only added here): no
// transaction torn, none lost. The last restored database starts a
// server, which rebuilds the index and finds every title.
func TestBackupUnderLoad(t *testing.T) {
	t.Parallel()
	const clients, titles = 32, 2000
	duration := 20 * time.Second
	if testing.Short() {
		duration = 5 * time.Second
	}
	cfg := testConfig(t, "load-pepper")
	cfg.Accounts.AddressFailures = 1 << 30
	cfg.Loans.HoldLimit = 1 << 30
	s := startServer(t, cfg, &lockedBuffer{})
	staff := s.staffToken(t)
	// Titles up to titles-clients are reserved; each client lends and
	// takes back the copy of one of the last ones, which no one holds.
	tokens, cards := loadLibrary(t, s, titles, clients)
	var ids []int64
	rows, err := s.app.DB.Reader().Query(`SELECT id FROM records ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}
	post := func(path, token, body string, want ...int) error {
		req, _ := http.NewRequest("POST", s.url("/api/v1"+path), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if !slices.Contains(want, resp.StatusCode) {
			return fmt.Errorf("POST %s: %d", path, resp.StatusCode)
		}
		return nil
	}
	var holds, lends atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(duration)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			barcode := fmt.Sprintf("LD%06d", titles-1-i)
			for n := 0; time.Now().Before(stop); n++ {
				rec := ids[(n*clients+i)%(titles-clients)]
				// 409: this patron holds the title already (a second lap).
				if err := post("/me/holds", tokens[i], fmt.Sprintf(`{"record_id":%d,"pickup_branch":"ozu","contact":"phone"}`, rec), 201, 409); err != nil {
					t.Error(err)
					return
				}
				holds.Add(1)
				if err := post("/staff/checkout", staff, fmt.Sprintf(`{"card":%q,"barcode":%q,"branch":"ozu"}`, cards[i], barcode), 201); err != nil {
					t.Error(err)
					return
				}
				if err := post("/staff/checkin", staff, fmt.Sprintf(`{"barcode":%q,"branch":"ozu"}`, barcode), 200); err != nil {
					t.Error(err)
					return
				}
				lends.Add(1)
			}
		}()
	}
	out := t.TempDir()
	var backups []string
	for k := range 3 {
		time.Sleep(duration / 4)
		dest := filepath.Join(out, fmt.Sprintf("b%d.db", k))
		if k == 1 {
			dest += ".gz"
		}
		res, _, err := Backup(context.Background(), cfg, dest)
		if err != nil {
			t.Fatalf("backup %d under load: %v", k, err)
		}
		t.Logf("backup %d: %d bytes in %s, %d holds, %d loans", k, res.Size, res.Took, res.Counts.Holds, res.Counts.Loans)
		backups = append(backups, dest)
	}
	wg.Wait()
	t.Logf("%d hold requests, %d loans lent and returned in %s", holds.Load(), lends.Load(), duration)
	s.stop(t)

	// Each backup, restored into a data directory of its own.
	var prev map[int64]bool
	var last Config
	for k, b := range backups {
		c := cfg
		c.DataDir = t.TempDir()
		res, err := Restore(context.Background(), c, b, RestoreOptions{})
		if err != nil {
			t.Fatalf("restore %s: %v", b, err)
		}
		if res.PepperWarning != "" {
			t.Errorf("restore %s with its pepper: %s", b, res.PepperWarning)
		}
		got := restoredHolds(t, c.DataDir)
		if len(got) == 0 {
			t.Errorf("backup %d holds no hold", k)
		}
		for id := range prev {
			if !got[id] {
				t.Errorf("hold %d is in backup %d and not in backup %d", id, k-1, k)
			}
		}
		prev, last = got, c
	}
	s2 := startServer(t, last, &lockedBuffer{})
	res := s2.apiJSON(t, "", "GET", "/api/v1/search?q="+url.QueryEscape("負荷試験の本"), "", 200)
	if n, _ := res["total"].(float64); n != titles {
		t.Errorf("the restored server's index finds %v titles, want %d", res["total"], titles)
	}
}

// restoredHolds checks the database restored in dir (integrity_check,
// foreign_key_check, and by hand: no hold without its patron or title,
// no loan without its copy or patron) and returns its holds' ids.
func restoredHolds(t *testing.T, dir string) map[int64]bool {
	t.Helper()
	path := filepath.Join(dir, store.FileName)
	if _, err := store.Check(context.Background(), path); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for what, q := range map[string]string{
		"holds without their patron": `SELECT count(*) FROM holds h LEFT JOIN patrons p ON p.id = h.patron_id WHERE p.id IS NULL`,
		"holds without their title":  `SELECT count(*) FROM holds h LEFT JOIN records r ON r.id = h.record_id WHERE r.id IS NULL`,
		"loans without their copy":   `SELECT count(*) FROM loans l LEFT JOIN copies c ON c.id = l.copy_id WHERE c.id IS NULL`,
		"loans without their patron": `SELECT count(*) FROM loans l LEFT JOIN patrons p ON p.id = l.patron_id WHERE p.id IS NULL`,
		"copies on loan without a loan": `SELECT count(*) FROM copies c WHERE c.status = 'on_loan'
			AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.copy_id = c.id)`,
	} {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d %s (%v)", dir, n, what, err)
		}
	}
	ids := map[int64]bool{}
	rows, err := db.Query(`SELECT id FROM holds`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids[id] = true
	}
	return ids
}

// TestRestore: a backup restores only with the server stopped; the old
// database is kept aside, the index is rebuilt at the next start, and
// what was in the backup is back (a patron logs in with the password
// of then). A backup whose pepper is not there is restored with a
// warning; with --forget-passwords the server starts with another
// pepper and the patron needs a new temporary password. A file that is
// not a backup changes nothing.
func TestRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t, "restore-pepper")
	s := startServer(t, cfg, &lockedBuffer{})
	staff := s.staffToken(t)
	s.apiJSON(t, staff, "POST", "/api/v1/staff/records", `{"title":"銀河鉄道の夜","author":"宮沢賢治","items":[{"barcode":"RS-1","branch":"ozu"}]}`, 201)
	_, cards := loadLibrary(t, s, 3, 1)
	s.apiJSON(t, staff, "POST", "/api/v1/staff/checkout", fmt.Sprintf(`{"card":%q,"barcode":"RS-1","branch":"ozu"}`, cards[0]), 201)
	backup := filepath.Join(t.TempDir(), "b.db.gz")
	if _, _, err := Backup(ctx, cfg, backup); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, cfg, backup, RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "running") {
		t.Fatalf("restore while the server runs: %v", err)
	}
	// Changes after the backup go with the old database.
	s.apiJSON(t, staff, "POST", "/api/v1/staff/checkin", `{"barcode":"RS-1","branch":"ozu"}`, 200)
	s.apiJSON(t, staff, "POST", "/api/v1/staff/records", `{"title":"風の又三郎","author":"宮沢賢治"}`, 201)
	s.waitIndexed(t, "風の又三郎")
	s.stop(t)

	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("x", 8192)), 0o600)
	if _, err := Restore(ctx, cfg, junk, RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("restore of junk: %v", err)
	}
	res, err := Restore(ctx, cfg, backup, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Counts.Loans != 1 || res.Counts.Records != 4 || res.PepperWarning != "" || !strings.Contains(res.Aside, ".before-restore-") {
		t.Errorf("restore: %+v", res)
	}
	// The old database, kept whole: it has what came after the backup.
	if c, err := store.Check(ctx, res.Aside); err != nil || c.Counts.Records != 5 || c.Counts.Loans != 0 {
		t.Errorf("the old database kept aside: %+v %v", c, err)
	}
	s = startServer(t, cfg, &lockedBuffer{})
	if res := s.apiJSON(t, "", "GET", "/api/v1/search?q="+url.QueryEscape("風の又三郎"), "", 200); strings.Contains(fmt.Sprint(res), "風の又三郎") {
		t.Errorf("a title added after the backup is found after the restore: %v", res)
	}
	s.waitIndexed(t, "銀河鉄道の夜")
	s.apiJSON(t, "", "POST", "/api/v1/login", fmt.Sprintf(`{"card":%q,"password":"Load1"}`, cards[0]), 200)
	s.apiJSON(t, staff, "POST", "/api/v1/staff/checkin", `{"barcode":"RS-1","branch":"ozu"}`, 200) // on loan again
	s.stop(t)

	// Another pepper: a warning, and the server refuses to start.
	other := cfg
	other.Pepper = "another-pepper"
	res, err = Restore(ctx, other, backup, RestoreOptions{})
	if err != nil || !strings.Contains(res.PepperWarning, "--forget-passwords") {
		t.Fatalf("restore with another pepper: %v, warning %q", err, res.PepperWarning)
	}
	if _, err := New(ctx, other, Options{Log: quiet()}); err == nil || !strings.Contains(err.Error(), "pepper") {
		t.Fatalf("start with another pepper: %v", err)
	}
	if _, err := Restore(ctx, other, backup, RestoreOptions{ForgetPasswords: true}); err != nil {
		t.Fatal(err)
	}
	s = startServer(t, other, &lockedBuffer{})
	resp, _ := s.do(t, "", "POST", "/api/v1/login", "", fmt.Sprintf(`{"card":%q,"password":"Load1"}`, cards[0]))
	if resp.StatusCode == 200 {
		t.Error("the old password works after --forget-passwords")
	}
	if has, err := s.app.DB.HasPasswordHashes(ctx); err != nil || has {
		t.Errorf("password hashes after --forget-passwords: %v %v", has, err)
	}
}

// TestScheduledBackups: the server makes backups on its schedule, keeps
// the newest backup.keep, and shows the last one on the staff home; a
// backup that fails is shown there in red and logged.
func TestScheduledBackups(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "sched-pepper")
	cfg.Backup = BackupConfig{Schedule: "300ms", Dir: filepath.Join(t.TempDir(), "usb"), Keep: 2, Compress: true}
	log := &lockedBuffer{}
	s := startServer(t, cfg, log)
	s.staffToken(t)
	web := s.staffBrowser(t)
	for i := 0; ; i++ {
		entries, _ := os.ReadDir(cfg.Backup.Dir)
		if strings.Count(log.String(), "scheduled backup written") >= 4 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if len(names) != 2 || !strings.HasSuffix(names[0], ".db.gz") {
				t.Errorf("after 4 backups with keep 2 the directory holds %q", names)
			}
			break
		}
		if i == 1000 {
			t.Fatalf("no 4 scheduled backups in 10 s:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	home := web.get(t, s.url("/staff"), 200)
	if !strings.Contains(home, "最後に成功したバックアップ") || !strings.Contains(home, cfg.Backup.Dir) || strings.Contains(home, "backup-failed") {
		t.Errorf("the staff home does not show the last backup:\n%s", home)
	}
	s.stop(t)
	raw, err := os.ReadFile(filepath.Join(cfg.DataDir, statusName))
	if err != nil || !strings.Contains(string(raw), "last_good") {
		t.Errorf("status file: %s %v", raw, err)
	}

	// A backup directory that cannot be made: the failure on the staff
	// home, in red, and in the log; the last good one is still shown.
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	cfg.Backup.Dir = filepath.Join(blocker, "usb")
	s = startServer(t, cfg, log)
	web = s.staffBrowser(t)
	for i := 0; !strings.Contains(log.String(), "scheduled backup failed"); i++ {
		if i == 1000 {
			t.Fatalf("no failed backup logged in 10 s:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	home = web.get(t, s.url("/staff"), 200)
	if !strings.Contains(home, `class="error" role="alert" id="backup-failed"`) || !strings.Contains(home, "定時バックアップに失敗しました") ||
		!strings.Contains(home, "最後に成功したバックアップ") {
		t.Errorf("the staff home does not show the failed backup:\n%s", home)
	}
}

// testConfig is the default configuration over a new data directory,
// with a pepper of its own.
func testConfig(t *testing.T, pepper string) Config {
	cfg := Default()
	cfg.DataDir = t.TempDir()
	cfg.Pepper = pepper
	return cfg
}

// TestBackupNow: an admin backs up from the staff home at once, with no
// schedule set: the home says it is being written, then shows its
// result, and the file is a backup a restore takes. A backup the
// command wrote shows there too. A librarian has no such button.
func TestBackupNow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(t, "now-pepper")
	s := startServer(t, cfg, &lockedBuffer{})
	s.staffToken(t)
	admin := s.staffBrowser(t)
	home := admin.get(t, s.url("/staff"), 200)
	if !strings.Contains(home, `id="backup-now"`) || !strings.Contains(home, "定時バックアップは設定されていません") || strings.Contains(home, "最後に成功したバックアップ") {
		t.Fatalf("the admin's staff home before any backup:\n%s", home)
	}
	page := admin.post(t, "/staff/backup", url.Values{}, 200)
	if !strings.Contains(page, `id="backup-running"`) && !strings.Contains(page, "最後に成功したバックアップ") {
		t.Errorf("after 今すぐバックアップする the home says neither that it runs nor that it is done:\n%s", page)
	}
	for i := 0; strings.Contains(page, `id="backup-running"`) || !strings.Contains(page, "最後に成功したバックアップ"); i++ {
		if i == 300 {
			t.Fatalf("the backup asked for is not done in 30 s:\n%s", page)
		}
		time.Sleep(100 * time.Millisecond)
		page = admin.get(t, s.url("/staff"), 200)
	}
	dir := filepath.Join(cfg.DataDir, "backups")
	if !strings.Contains(page, dir) || strings.Contains(page, "backup-failed") {
		t.Errorf("the home does not show the backup in %s:\n%s", dir, page)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "hondana-*.db*"))
	if len(files) != 1 {
		t.Fatalf("backups in %s: %q; want one", dir, files)
	}
	if !strings.Contains(page, "（"+files[0]+"）") {
		t.Errorf("the home does not name the file %s:\n%s", files[0], page)
	}

	// A backup the command writes while the server runs.
	dest := filepath.Join(t.TempDir(), "before-upgrade.db.gz")
	if _, remembered, err := Backup(ctx, cfg, dest); err != nil || remembered != nil {
		t.Fatalf("hondana backup: %v %v", err, remembered)
	}
	if page = admin.get(t, s.url("/staff"), 200); !strings.Contains(page, `id="backup-manual"`) || !strings.Contains(page, dest) {
		t.Errorf("the home does not show the command's backup %s:\n%s", dest, page)
	}

	if err := s.app.Accounts.AddStaff(ctx, 0, "kaunta", library.RoleLibrarian, "kaunta-password-1"); err != nil {
		t.Fatal(err)
	}
	librarian := s.staffBrowserAs(t, "kaunta", "kaunta-password-1")
	if page := librarian.get(t, s.url("/staff"), 200); strings.Contains(page, `id="backup-now"`) {
		t.Errorf("a librarian's staff home offers 今すぐバックアップする")
	}
	if _, status := librarian.postStatus(t, "/staff/backup", url.Values{}); status != http.StatusForbidden {
		t.Errorf("a librarian's backup: %d; want 403", status)
	}
	s.stop(t)

	// What the button wrote is a whole backup: a restore takes it.
	other := cfg
	other.DataDir = t.TempDir()
	if _, err := Restore(ctx, other, files[0], RestoreOptions{}); err != nil {
		t.Errorf("restoring the backup the button wrote: %v", err)
	}
}

// TestRestoreKeepsTheWAL: the database a restore replaces may have
// commits still in its WAL (a server killed, not stopped): they are in
// the database kept aside.
func TestRestoreKeepsTheWAL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := t.TempDir()
	db, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	backup := filepath.Join(t.TempDir(), "empty.db")
	if _, err := store.Backup(ctx, src, backup); err != nil {
		t.Fatal(err)
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO news(day, title, body, created_at) VALUES('2026-12-01', 'WALにだけある', 'x', 'x')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The files as a kill -9 leaves them: the commit in the WAL alone.
	cfg := Default()
	cfg.DataDir = t.TempDir()
	for _, name := range []string{store.FileName, store.FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %d bytes, %v", name, len(b), err)
		}
		os.WriteFile(filepath.Join(cfg.DataDir, name), b, 0o600)
	}
	res, err := Restore(ctx, cfg, backup, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+res.Aside+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	var n int
	if err := old.QueryRow(`SELECT count(*) FROM news WHERE title = 'WALにだけある'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the commit that was in the WAL: %d in the database kept aside (%v)", n, err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, store.FileName+"-wal")); err == nil {
		t.Error("the old WAL is still beside the restored database")
	}
}
