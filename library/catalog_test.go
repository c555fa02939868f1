package library

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hondana/search"
	"hondana/store"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openCatalogT(t *testing.T, dir string) (*store.DB, *Catalog) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		return store.SaveBranch(ctx, tx, store.Branch{Code: "ozu", Name: "大洲図書館"})
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := OpenCatalog(ctx, db, dir, SystemClock{}, quietLog(), CatalogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return db, cat
}

func titles(t *testing.T, cat *Catalog, q search.Query) []string {
	t.Helper()
	res, err := cat.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Record.Title)
	}
	return out
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestIndexFollowsStore: what is written to SQLite becomes searchable,
// changes replace what was indexed, and copy status drives availability.
func TestIndexFollowsStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, cat := openCatalogT(t, dir)
	defer db.Close()
	defer cat.Close()

	rec := &store.Record{Source: "test:1", Title: "銀河鉄道の夜", TitleYomi: "ギンガ テツドウ ノ ヨル",
		Authors: []store.Author{{Name: "宮沢賢治", Yomi: "ミヤザワ ケンジ"}}, NDC: "913", Year: 1934}
	copies := [][]store.Copy{{{Barcode: "1001", Branch: "ozu", Status: store.CopyOnShelf, ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}}}
	if err := cat.SaveRecords(ctx, []*store.Record{rec}, copies); err != nil {
		t.Fatal(err)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := titles(t, cat, search.Query{Text: "ぎんがてつどう"}); !has(got, "銀河鉄道の夜") {
		t.Fatalf("after save: %v", got)
	}
	if got := titles(t, cat, search.Query{Text: "銀河", Available: true, Branch: "ozu"}); !has(got, "銀河鉄道の夜") {
		t.Fatalf("available at ozu: %v", got)
	}

	// The copy goes out: no longer available.
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("UPDATE copies SET status = 'on_loan' WHERE barcode = '1001'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := titles(t, cat, search.Query{Text: "銀河", Available: true}); len(got) != 0 {
		t.Fatalf("on loan but available: %v", got)
	}

	// A new title under the same source replaces the old one.
	rec2 := &store.Record{Source: "test:1", Title: "風の又三郎", TitleYomi: "カゼ ノ マタサブロウ"}
	if err := cat.SaveRecords(ctx, []*store.Record{rec2}, nil); err != nil {
		t.Fatal(err)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := titles(t, cat, search.Query{Text: "銀河"}); len(got) != 0 {
		t.Errorf("old title still found: %v", got)
	}
	if got := titles(t, cat, search.Query{Text: "またさぶろう"}); !has(got, "風の又三郎") {
		t.Errorf("new title not found: %v", got)
	}

	// A deleted record leaves the index.
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("DELETE FROM records WHERE source = 'test:1'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := titles(t, cat, search.Query{Text: "またさぶろう"}); len(got) != 0 {
		t.Errorf("deleted record found: %v", got)
	}
}

// TestIndexRecovers: the index is rebuilt or caught up at start-up when it
// is missing, damaged, or behind the database.
func TestIndexRecovers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, cat := openCatalogT(t, dir)
	save := func(source, title string) {
		t.Helper()
		saveRecord(t, db, time.Now(), &store.Record{Source: source, Title: title})
	}
	save("t:1", "羅生門")
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	cat.Close()

	reopen := func() *Catalog {
		t.Helper()
		c, err := OpenCatalog(ctx, db, dir, SystemClock{}, quietLog(), CatalogOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// Changes made while the server was down are applied at start-up.
	save("t:2", "鼻")
	cat = reopen()
	if got := titles(t, cat, search.Query{Text: "鼻"}); !has(got, "鼻") {
		t.Fatalf("change made while closed: %v", got)
	}
	cat.Close()

	// A missing index is rebuilt.
	if err := os.RemoveAll(filepath.Join(dir, search.DirName)); err != nil {
		t.Fatal(err)
	}
	cat = reopen()
	if got := titles(t, cat, search.Query{Text: "羅生門"}); !has(got, "羅生門") {
		t.Fatalf("after rebuild: %v", got)
	}
	cat.Close()

	// Changes the index never saw, but the queue forgot (an index restored
	// from an older backup): rebuilt.
	save("t:3", "蜘蛛の糸")
	_, highest, err := db.IndexQueueBounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.TrimIndexQueue(ctx, highest); err != nil {
		t.Fatal(err)
	}
	save("t:4", "杜子春")
	cat = reopen()
	for _, want := range []string{"蜘蛛の糸", "杜子春"} {
		if got := titles(t, cat, search.Query{Text: want}); !has(got, want) {
			t.Errorf("%s after an out-of-step start: %v", want, got)
		}
	}
	cat.Close()

	// An unreadable index is rebuilt.
	if err := os.WriteFile(filepath.Join(dir, search.DirName, "index_meta.json"), []byte("{garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	cat = reopen()
	if got := titles(t, cat, search.Query{Text: "杜子春"}); !has(got, "杜子春") {
		t.Errorf("after a damaged index: %v", got)
	}
	cat.Close()
	db.Close()
}

// TestSearchesThroughRebuildAndLoad: searches go on answering while the
// index is rebuilt, while a bulk load builds a new one beside it and
// while an import's batches are indexed, and what they find stays sane:
// the records nobody changes are all found every time, with facets that
// add up, and the catalogue never shrinks. Before the index was built
// beside the live one, every search failed while a build ran.
func TestSearchesThroughRebuildAndLoad(t *testing.T) {
	ctx := context.Background()
	db, cat := openCatalogT(t, t.TempDir())
	defer db.Close()
	defer cat.Close()

	const base, loaded = 1500, 3000
	saveTitled := func(from, n int, title string) {
		t.Helper()
		recs, copies := loadBatch(from, n, title)
		if err := cat.SaveRecords(ctx, recs, copies); err != nil {
			t.Fatal(err)
		}
		if err := cat.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	saveTitled(0, base, "変わらない本")

	var searches, failures atomic.Int64
	var firstFailure atomic.Pointer[string]
	fail := func(format string, args ...any) {
		failures.Add(1)
		msg := fmt.Sprintf(format, args...)
		firstFailure.CompareAndSwap(nil, &msg)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var seenAll, seenLoaded int // never fewer than seen before
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				default:
				}
				searches.Add(1)
				switch k % 3 {
				case 0:
					res, err := cat.Search(ctx, search.Query{Text: "変わらない", Limit: 10})
					if err != nil {
						fail("unchanged records: %v", err)
						continue
					}
					available := 0
					for _, c := range res.Facets.Available {
						available += c.Count
					}
					if res.Total != base || len(res.Hits) != 10 || available != base {
						fail("unchanged records: %d found, %d hits, availability facets add up to %d; want %d, 10, %d",
							res.Total, len(res.Hits), available, base, base)
					}
				case 1:
					res, err := cat.Search(ctx, search.Query{Text: "積み込み", Limit: 5})
					if err != nil {
						fail("loaded records: %v", err)
						continue
					}
					if res.Total < seenLoaded || res.Total > loaded {
						fail("loaded records: %d found after %d, of %d", res.Total, seenLoaded, loaded)
					}
					seenLoaded = max(seenLoaded, res.Total)
				default:
					res, err := cat.Search(ctx, search.Query{Limit: 1})
					if err != nil {
						fail("every record: %v", err)
						continue
					}
					if res.Total < max(base, seenAll) {
						fail("every record: %d found after %d", res.Total, seenAll)
					}
					seenAll = max(seenAll, res.Total)
				}
			}
		}()
	}
	// searched waits until the searchers have run n more searches.
	searched := func(n int64) {
		for want := searches.Load() + n; searches.Load() < want; {
			time.Sleep(time.Millisecond)
		}
	}
	searched(10)

	for range 2 {
		if err := cat.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
	}
	i := base
	_, err := cat.Load(ctx, func() ([]*store.Record, [][]store.Copy, error) {
		if i == base+loaded {
			return nil, nil, nil
		}
		// Searches run while the load is under way.
		searched(20)
		recs, copies := loadBatch(i, 1000, "積み込みの本")
		i += len(recs)
		return recs, copies, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	searched(10)
	for k := range 3 {
		saveTitled(base+loaded+k*500, 500, "取り込みの本")
	}
	searched(10)
	close(stop)
	wg.Wait()

	if n := failures.Load(); n > 0 {
		t.Fatalf("%d of %d searches failed or found nonsense; the first: %s", n, searches.Load(), *firstFailure.Load())
	}
	if got := titles(t, cat, search.Query{Text: "積み込み", Limit: 1}); len(got) != 1 {
		t.Errorf("the loaded records are not found after the load: %v", got)
	}
}
