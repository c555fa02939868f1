package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hondana/internal/testdisk"
)

// TestFullIsErrStorage: a write SQLite cannot store for want of space
// fails with ErrStorage, leaves nothing behind, and writes work again
// once there is room. The database's page limit (max_page_count) stands
// in for a full disk here: SQLite answers both with SQLITE_FULL. (The
// real full disk is internal/app's TestFullDisk.)
func TestFullIsErrStorage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t)
	limit := func(extra int) {
		t.Helper()
		inTx(t, db, func(tx *sql.Tx) error {
			var pages int
			if err := tx.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+extra))
			return err
		})
	}
	addNews := func() error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO news(day, title, body, created_at) VALUES('2026-12-01', 'お知らせ', ?, 'x')`,
				strings.Repeat("本", 40000))
			return err
		})
	}
	limit(2)
	if err := addNews(); !errors.Is(err, ErrStorage) {
		t.Fatalf("a write the database has no room for: %v, want ErrStorage", err)
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM news").Scan(&n); err != nil || n != 0 {
		t.Fatalf("after the failed write: %d news, %v; want 0, and reads working", n, err)
	}
	limit(1000)
	if err := addNews(); err != nil {
		t.Fatalf("with room again: %v", err)
	}
}

// TestFullDisk: on a file system that fills up, Health says so (the data
// directory takes no small file), writes fail with ErrStorage, and a
// database that cannot even be opened for writing there (SQLite cannot
// make its shared-memory file) opens read-only: reads work, every write
// is refused with ErrStorage at once. With room again, all is as before.
func TestFullDisk(t *testing.T) {
	ctx := context.Background()
	mnt := testdisk.Small(t, 8<<20)
	dir := filepath.Join(mnt, "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	inTx(t, db, func(tx *sql.Tx) error { return SaveBranch(ctx, tx, Branch{Code: "ozu", Name: "大洲図書館"}) })
	if err := db.Health(ctx); err != nil {
		t.Fatalf("Health with room: %v", err)
	}
	addNews := func() error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO news(day, title, body, created_at) VALUES('2026-12-01', 'お知らせ', ?, 'x')`,
				strings.Repeat("本", 400000))
			return err
		})
	}

	free := testdisk.Fill(t, mnt)
	if err := db.Health(ctx); !errors.Is(err, ErrStorage) {
		t.Errorf("Health on a full disk: %v, want ErrStorage", err)
	}
	if err := addNews(); !errors.Is(err, ErrStorage) {
		t.Errorf("a write on a full disk: %v, want ErrStorage", err)
	}
	// Closed with room, SQLite folds its WAL into the database and
	// removes it and its shared-memory file; a full disk then refuses to
	// make them again, even for reading.
	free()
	db.Close()
	free = testdisk.Fill(t, mnt)
	if db, err = Open(ctx, dir); !errors.Is(err, ErrStorage) {
		t.Fatalf("Open on a full disk: %v, want ErrStorage", err)
	}
	db, err = OpenReadOnly(ctx, dir, err)
	if err != nil {
		t.Fatalf("OpenReadOnly on a full disk: %v", err)
	}
	if bs, err := db.Branches(ctx); err != nil || len(bs) != 1 {
		t.Errorf("read-only read: %v, %v", bs, err)
	}
	if err := addNews(); !errors.Is(err, ErrStorage) {
		t.Errorf("a write to a read-only database: %v, want ErrStorage", err)
	}
	if db.ReadOnly() == nil || !errors.Is(db.Health(ctx), ErrStorage) {
		t.Errorf("read-only: ReadOnly %v, Health %v; want both to say so", db.ReadOnly(), db.Health(ctx))
	}
	db.Close()

	free()
	if db, err = Open(ctx, dir); err != nil {
		t.Fatalf("Open with room again: %v", err)
	}
	if err := addNews(); err != nil {
		t.Errorf("a write with room again: %v", err)
	}
	if err := db.Health(ctx); err != nil {
		t.Errorf("Health with room again: %v", err)
	}
}

// TestOpenReadOnlyNeedsCurrentSchema: a read-only start cannot migrate,
// so it refuses a database at an older schema, saying why.
func TestOpenReadOnlyNeedsCurrentSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "PRAGMA user_version = 1")
		return err
	})
	db.Close()
	if _, err := OpenReadOnly(ctx, dir, ErrStorage); err == nil || !strings.Contains(err.Error(), "schema version 1") {
		t.Fatalf("OpenReadOnly of an old schema: %v", err)
	}
}
