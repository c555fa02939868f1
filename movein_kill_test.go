package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hondana/library"
	"hondana/store"
)

// TestMoveInKilled kills `hondana import-patrons` and `hondana
// import-loans` (SIGKILL, as a power cut would) once they have committed
// some batches: the database passes integrity_check, every batch is
// there whole or not at all (patrons in 500s; each loan with its copy
// marked on loan, no copy on loan without its loan), and running the
// same command again completes the import.
func TestMoveInKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and runs the binary")
	}
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "hondana")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	const patrons, loans = 60000, 40000
	var pf, lf bytes.Buffer
	pf.WriteString("card,name,name_yomi,birth_date\n")
	lf.WriteString("card,barcode,loan_date,due_date\n")
	cards := make([]string, patrons)
	for i := range patrons {
		eight := fmt.Sprintf("%08d", 40000000+i)
		cards[i] = eight + string(library.CardCheckDigit(eight))
		fmt.Fprintf(&pf, "%s,中断 花子%d,チュウダン ハナコ,1990-%02d-%02d\n", cards[i], i, 1+i%12, 1+i%28)
	}
	for i := range loans {
		fmt.Fprintf(&lf, "%s,K%07d,2026-11-01,2026-11-15\n", cards[i%patrons], i)
	}
	patronFile, loanFile := filepath.Join(dir, "patrons.csv"), filepath.Join(dir, "loans.csv")
	os.WriteFile(patronFile, pf.Bytes(), 0o600)
	os.WriteFile(loanFile, lf.Bytes(), 0o600)

	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append(args, "--data", data)...)
		cmd.Env = append(os.Environ(), "HONDANA_LOG_LEVEL=error", "HONDANA_PEPPER=kill-test-pepper")
		return cmd
	}
	ctx := context.Background()
	count := func(q string) int {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "hondana.db")+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		db.QueryRow(q).Scan(&n)
		return n
	}
	// killAfter starts cmd, waits until q counts something, and kills it.
	killAfter := func(cmd *exec.Cmd, q string) int {
		t.Helper()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.Now().Add(60 * time.Second)
		for count(q) == 0 {
			select {
			case err := <-done:
				t.Fatalf("%v ended before it could be killed (%v): make the file larger\n%s", cmd.Args, err, out.String())
			case <-time.After(5 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("%v wrote nothing in a minute\n%s", cmd.Args, out.String())
			}
		}
		cmd.Process.Kill()
		<-done
		return count(q)
	}
	check := func(what string) *store.DB {
		t.Helper()
		db, err := store.Open(ctx, data)
		if err != nil {
			t.Fatalf("after the kill during %s: %v", what, err)
		}
		var ok string
		if err := db.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("after the kill during %s: integrity_check %q %v", what, ok, err)
		}
		return db
	}

	// The data directory, then the patrons, killed.
	if out, err := run("import-patrons", "--dry-run", "--quiet", patronFile).CombinedOutput(); err != nil || !strings.Contains(string(out), "would import 60000 (60000 new") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	seen := killAfter(run("import-patrons", "--quiet", patronFile), `SELECT count(*) FROM patrons`)
	db := check("import-patrons")
	var n int
	db.Reader().QueryRow(`SELECT count(*) FROM patrons`).Scan(&n)
	if n%500 != 0 || n < seen || n >= patrons {
		t.Errorf("after the kill: %d patrons (%d seen before it); want whole batches of 500, fewer than %d", n, seen, patrons)
	}
	// Copies for the loans, on the shelf of one title.
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var rec int64
		if err := tx.QueryRow(`INSERT INTO records(source, title, created_at, updated_at) VALUES('local:kill', '中断試験', '2026-01-01', '2026-01-01') RETURNING id`).Scan(&rec); err != nil {
			return err
		}
		st, err := tx.Prepare(`INSERT INTO copies(record_id, barcode, branch, shelved_on, acquired_on, created_at) VALUES(?, ?, 'ozu', '2026-01-01', '2026-01-01', '2026-01-01')`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range loans {
			if _, err := st.Exec(rec, fmt.Sprintf("K%07d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := run("import-patrons", "--quiet", patronFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("imported 60000 (%d new, 0 changed, %d already there)", patrons-n, n)) {
		t.Fatalf("the import again after the kill: %v\n%s", err, out)
	}

	// The loans, killed.
	seen = killAfter(run("import-loans", "--quiet", loanFile), `SELECT count(*) FROM loans`)
	db = check("import-loans")
	var lent, onLoan, orphans int
	db.Reader().QueryRow(`SELECT count(*) FROM loans`).Scan(&lent)
	db.Reader().QueryRow(`SELECT count(*) FROM copies WHERE status = 'on_loan'`).Scan(&onLoan)
	db.Reader().QueryRow(`SELECT count(*) FROM copies c WHERE (c.status = 'on_loan') != EXISTS(SELECT 1 FROM loans l WHERE l.copy_id = c.id)`).Scan(&orphans)
	db.Close()
	if lent%500 != 0 || lent < seen || lent >= loans || onLoan != lent || orphans != 0 {
		t.Errorf("after the kill: %d loans (%d seen), %d copies on loan, %d copies out of step with their loans", lent, seen, onLoan, orphans)
	}
	out, err = run("import-loans", "--quiet", loanFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("imported 40000 (%d new, 0 changed, %d already there)", loans-lent, lent)) {
		t.Fatalf("the loans again after the kill: %v\n%s", err, out)
	}
	t.Logf("killed with %d of %d patrons and %d of %d loans written; both completed when run again", n, patrons, lent, loans)
}
