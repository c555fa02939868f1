package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hondana/internal/testdisk"
)

// TestBackupWhileWriting: a backup taken while a writer commits news
// rows as fast as it can holds a whole prefix of them (no torn
// transaction: every row of a transaction or none), passes its checks,
// and is one file under its final name, gzipped when the name asks.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			// Two rows per transaction: a copy holds an even number.
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				for range 2 {
					if _, err := tx.ExecContext(ctx, `INSERT INTO news(day, title, body, created_at) VALUES('2026-12-01', ?, ?, 'x')`,
						fmt.Sprint(i), strings.Repeat("本", 500)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	out := t.TempDir()
	for i, name := range []string{"a.db", "b.db.gz", "c.db"} {
		time.Sleep(100 * time.Millisecond)
		res, err := Backup(ctx, dir, filepath.Join(out, name))
		if err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		if res.Size == 0 || res.Compressed != strings.HasSuffix(name, ".gz") {
			t.Errorf("backup %s: %+v", name, res)
		}
	}
	stop.Store(true)
	wg.Wait()
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "a.db b.db.gz c.db" {
		t.Errorf("the backup directory holds %q; want the three backups alone", names)
	}
	gz, _ := IsGzip(filepath.Join(out, "b.db.gz"))
	if !gz {
		t.Error("b.db.gz is not gzip")
	}
	plain := filepath.Join(out, "b.db")
	if err := Unpack(filepath.Join(out, "b.db.gz"), plain); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.db", "b.db", "c.db"} {
		path := filepath.Join(out, name)
		if _, err := Check(ctx, path); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		c, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := c.QueryRow(`SELECT count(*) FROM news`).Scan(&n); err != nil || n == 0 || n%2 != 0 {
			t.Errorf("%s: %d news rows (%v); want a positive even number", name, n, err)
		}
		c.Close()
		if _, err := os.Stat(path + "-wal"); err == nil {
			t.Errorf("%s has a WAL beside it: a backup is one file", name)
		}
	}
}

// TestBackupRefusals: no database, the live database as the target, and
// a file that is not a database are clear errors.
func TestBackupRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Backup(ctx, dir, filepath.Join(t.TempDir(), "x.db")); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("backup of nothing: %v", err)
	}
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Backup(ctx, dir, filepath.Join(dir, FileName)); err == nil || !strings.Contains(err.Error(), "live database") {
		t.Errorf("backup onto the live database: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 100)), 0o600)
	if _, err := Check(ctx, junk); err == nil || !strings.Contains(err.Error(), "not a readable SQLite database") {
		t.Errorf("check of junk: %v", err)
	}
	if _, err := Backup(ctx, dir, filepath.Join(t.TempDir(), "no", "such", "dir.db")); err == nil || !strings.Contains(err.Error(), "cannot write") {
		t.Errorf("backup into a missing directory: %v", err)
	}
}

// TestNewerSchemaRefused: a database whose schema is newer than the
// binary (written by a later Hondana) is not opened, with a message
// that says so; before a migration, Open keeps a backup beside the
// database.
func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := open(ctx, dir, 6)
	if err != nil {
		t.Fatal(err)
	}
	if db.MigrationBackup() != nil {
		t.Error("a new database was backed up before its first migrations")
	}
	inTx(t, db, func(tx *sql.Tx) error {
		return SaveBranch(ctx, tx, Branch{Code: "ozu", Name: "大洲図書館"})
	})
	db.Close()
	db, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	mb := db.MigrationBackup()
	if mb == nil {
		t.Fatal("no backup before migrating from version 6")
	}
	if mb.Schema != 6 || !strings.HasPrefix(filepath.Base(mb.Path), FileName+".before-schema-") || filepath.Dir(mb.Path) != dir {
		t.Errorf("migration backup: %+v", mb)
	}
	latest, _ := latestMigration()
	inTx(t, db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", latest+1))
		return err
	})
	db.Close()
	_, err = Open(ctx, dir)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", latest+1)) {
		t.Errorf("open of a newer database: %v", err)
	}
	if _, err := Check(ctx, filepath.Join(dir, FileName)); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("check of a newer database: %v", err)
	}
}

// TestBackupOnFullOrReadOnlyDisk: a backup onto a disk that fills up, or
// that takes no writes, fails with ErrStorage and a message that says
// so, and leaves no file behind.
func TestBackupOnFullOrReadOnlyDisk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(tx *sql.Tx) error {
		for range 8 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO news(day, title, body, created_at) VALUES('2026-12-01', 'x', ?, 'x')`,
				strings.Repeat("本", 200000)); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	full := testdisk.Small(t, 2<<20)
	for _, name := range []string{"full.db", "full.db.gz"} {
		_, err := Backup(ctx, dir, filepath.Join(full, name))
		if !errors.Is(err, ErrStorage) || !strings.Contains(err.Error(), "the disk is full or takes no writes") {
			t.Errorf("backup %s onto a full disk: %v", name, err)
		}
	}
	ro := testdisk.Small(t, 8<<20)
	testdisk.ReadOnly(t, ro)
	if _, err := Backup(ctx, dir, filepath.Join(ro, "ro.db")); !errors.Is(err, ErrStorage) || !strings.Contains(err.Error(), "read-only file system") {
		t.Errorf("backup onto a read-only disk: %v", err)
	}
	for _, d := range []string{full, ro} {
		if entries, _ := os.ReadDir(d); len(entries) != 0 {
			t.Errorf("%s holds %d files after failed backups", d, len(entries))
		}
	}
}

// TestBackupReadOnly: a database opened read-only (a server started on a
// full disk, which holds the file's lock alone) is backed up through its
// own connection.
func TestBackupReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(tx *sql.Tx) error { return SaveBranch(ctx, tx, Branch{Code: "ozu", Name: "大洲図書館"}) })
	db.Close()
	ro, err := OpenReadOnly(ctx, dir, errors.New("test: full disk"))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	dest := filepath.Join(t.TempDir(), "ro.db.gz")
	if _, err := ro.Backup(ctx, dest); err != nil {
		t.Fatalf("backup of a read-only database: %v", err)
	}
	plain := filepath.Join(t.TempDir(), "ro.db")
	if err := Unpack(dest, plain); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(ctx, plain); err != nil {
		t.Error(err)
	}
}
