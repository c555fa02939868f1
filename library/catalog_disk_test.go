package library

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"hondana/internal/testdisk"
	"hondana/search"
	"hondana/store"
)

// TestIndexWriteFailureReopens: when the disk fills between the database
// write and the index write, applying the change fails, the index is
// reopened as the disk has it (Bleve leaves the failed batch's segment
// closed inside the open index: the next read of it panicked, killing
// the server), searches go on answering as before the change, Health
// says what failed, and once there is room the change is applied.
func TestIndexWriteFailureReopens(t *testing.T) {
	ctx := context.Background()
	mnt := testdisk.Small(t, 16<<20)
	dir := filepath.Join(mnt, "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, cat := openCatalogT(t, dir)
	defer db.Close()
	defer cat.Close()

	save := func(source, title string) {
		t.Helper()
		rec := &store.Record{Source: source, Title: title, NDC: "913", Year: 1930}
		copies := [][]store.Copy{{{Barcode: source, Branch: "ozu", Status: store.CopyOnShelf, ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}
		if err := cat.SaveRecords(ctx, []*store.Record{rec}, copies); err != nil {
			t.Fatal(err)
		}
	}
	save("disk:1", "風の又三郎")
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// Saved to the database; nothing runs the index worker here, so the
	// index sees it only at the next Sync, after the disk has filled.
	save("disk:2", "注文の多い料理店")
	free := testdisk.Fill(t, mnt)

	err := cat.Sync(ctx)
	if !errors.Is(err, search.ErrWriteFailed) {
		t.Fatalf("Sync on a full disk: %v, want search.ErrWriteFailed", err)
	}
	if cat.Health() == nil {
		t.Error("Health is nil after a failed index write")
	}
	// Facets read every segment: the failed batch's one too, had it
	// stayed in the index.
	if got := titles(t, cat, search.Query{Text: "風の又三郎"}); !has(got, "風の又三郎") {
		t.Errorf("search after the failed write: %v, want 風の又三郎", got)
	}
	if got := titles(t, cat, search.Query{Text: "料理店"}); len(got) != 0 {
		t.Errorf("the change the disk did not take is searchable: %v", got)
	}
	if err := cat.Sync(ctx); !errors.Is(err, search.ErrWriteFailed) {
		t.Fatalf("second Sync on a full disk: %v, want search.ErrWriteFailed", err)
	}

	free()
	if err := cat.Sync(ctx); err != nil {
		t.Fatalf("Sync with room again: %v", err)
	}
	if err := cat.Health(); err != nil {
		t.Errorf("Health after a good Sync: %v", err)
	}
	if got := titles(t, cat, search.Query{Text: "料理店"}); !has(got, "注文の多い料理店") {
		t.Errorf("after the disk had room again: %v, want 注文の多い料理店", got)
	}
}

// TestReadOnlyCatalog: a catalogue opened read-only (a start on a disk
// that takes no writes) searches the index as it is and changes nothing:
// catching up and rebuilding are refused as storage failures, and without
// a usable index searches are too, rather than the start failing.
func TestReadOnlyCatalog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, cat := openCatalogT(t, dir)
	defer db.Close()
	rec := &store.Record{Source: "ro:1", Title: "セロ弾きのゴーシュ"}
	if err := cat.SaveRecords(ctx, []*store.Record{rec}, nil); err != nil {
		t.Fatal(err)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	// A change the index has not seen: a read-only catalogue leaves it
	// queued.
	if err := cat.SaveRecords(ctx, []*store.Record{{Source: "ro:2", Title: "よだかの星"}}, nil); err != nil {
		t.Fatal(err)
	}

	ro, err := OpenCatalog(ctx, db, dir, SystemClock{}, quietLog(), CatalogOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := titles(t, ro, search.Query{Text: "ゴーシュ"}); !has(got, "セロ弾きのゴーシュ") {
		t.Errorf("read-only search: %v", got)
	}
	for name, err := range map[string]error{"Sync": ro.Sync(ctx), "Rebuild": ro.Rebuild(ctx)} {
		if !errors.Is(err, store.ErrStorage) {
			t.Errorf("%s of a read-only catalogue: %v, want store.ErrStorage", name, err)
		}
	}
	ro.Run(ctx) // returns at once: there is nothing it may do
	if got := titles(t, ro, search.Query{Text: "よだか"}); len(got) != 0 {
		t.Errorf("a read-only catalogue applied a change: %v", got)
	}
	ro.Close()

	// No usable index: it opens all the same, and searches are refused.
	if err := os.RemoveAll(filepath.Join(dir, search.DirName)); err != nil {
		t.Fatal(err)
	}
	ro, err = OpenCatalog(ctx, db, dir, SystemClock{}, quietLog(), CatalogOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only without an index: %v", err)
	}
	defer ro.Close()
	if _, err := ro.Search(ctx, search.Query{Text: "ゴーシュ"}); !errors.Is(err, store.ErrStorage) {
		t.Errorf("search without an index: %v, want store.ErrStorage", err)
	}
	if ro.Health() == nil {
		t.Error("Health is nil without an index")
	}
	if _, err := os.Stat(filepath.Join(dir, search.DirName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only catalogue made an index: %v", err)
	}
}
