package library

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hondana/importer"
	"hondana/search"
	"hondana/store"
)

func loadRecord(i int, title string) (*store.Record, []store.Copy) {
	r := &store.Record{Source: fmt.Sprintf("load:%d", i), Title: title, NDC: "913", Year: 2000 + i%20}
	cs := []store.Copy{{Barcode: fmt.Sprintf("L%06d", i), Branch: "ozu", ShelvedOn: "2024-01-01", AcquiredOn: "2024-01-01"}}
	if i%2 == 1 {
		cs[0].Status = store.CopyOnLoan
	}
	return r, cs
}

// loadBatch makes records from to from+n-1 titled title, as loadRecord.
func loadBatch(from, n int, title string) ([]*store.Record, [][]store.Copy) {
	recs := make([]*store.Record, 0, n)
	copies := make([][]store.Copy, 0, n)
	for i := from; i < from+n; i++ {
		r, c := loadRecord(i, title)
		recs, copies = append(recs, r), append(copies, c)
	}
	return recs, copies
}

// TestLoad checks the bulk load: records in the store and searchable,
// including records already there, records the load updates, and a change
// another writer makes while the load runs; nothing left in the queue.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	db, cat := openCatalogT(t, t.TempDir())
	defer db.Close()
	defer cat.Close()

	before, cs := loadRecord(0, "前からある本")
	if err := cat.SaveRecords(ctx, []*store.Record{before}, [][]store.Copy{cs}); err != nil {
		t.Fatal(err)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	const n = 2500
	i := 1
	batches := 0
	saved, err := cat.Load(ctx, func() ([]*store.Record, [][]store.Copy, error) {
		if i > n {
			return nil, nil, nil
		}
		var recs []*store.Record
		var copies [][]store.Copy
		for k := 0; k < 1000 && i <= n; k++ {
			title := "積み込みの本"
			if i == 7 {
				title = "猫の図鑑"
			}
			r, c := loadRecord(i, title)
			recs = append(recs, r)
			copies = append(copies, c)
			i++
		}
		batches++
		switch batches {
		case 2:
			// The load updates the record that was there and one of its own.
			up, _ := loadRecord(0, "前からある本 改訂版")
			up7, _ := loadRecord(7, "犬の図鑑")
			recs = append(recs, up, up7)
			copies = append(copies, nil, nil)
		case 3:
			// Another writer, between two batches: a copy of one of the
			// load's records goes on loan, and a record is added, its id
			// among the load's.
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE copies SET status = 'on_loan' WHERE barcode = 'L000002'")
				return err
			})
			if err != nil {
				return nil, nil, err
			}
			other := &store.Record{Source: "other:1", Title: "割り込みの本"}
			if err := cat.SaveRecords(ctx, []*store.Record{other}, nil); err != nil {
				return nil, nil, err
			}
		}
		return recs, copies, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if saved != n+2 {
		t.Errorf("saved %d, want %d", saved, n+2)
	}
	res, err := cat.Search(ctx, search.Query{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != n+2 {
		t.Errorf("index holds %d, want %d", res.Total, n+2)
	}
	indexMatchesStore(t, db, cat)
	for _, tc := range []struct {
		q    string
		want int
	}{{"改訂版", 1}, {"犬の図鑑", 1}, {"猫の図鑑", 0}, {"積み込み", n - 1}, {"割り込み", 1}} {
		if got := len(titles(t, cat, search.Query{Text: tc.q, Limit: 100})); got != min(tc.want, 100) {
			t.Errorf("%s: %d hits, want %d", tc.q, got, tc.want)
		}
	}
	// Record 2's copy went on loan by the other writer: only odd records
	// and record 2 are unavailable now.
	res, err = cat.Search(ctx, search.Query{Available: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + n/2 - 1; res.Total != want {
		t.Errorf("available %d, want %d", res.Total, want)
	}
	if lowest, _, err := db.IndexQueueBounds(ctx); err != nil || lowest != 0 {
		t.Errorf("queue from %d (%v), want empty", lowest, err)
	}

	// Later changes follow as usual: a record and a copy added are queued.
	r, c := loadRecord(n+10, "あとから来た本")
	if err := cat.SaveRecords(ctx, []*store.Record{r}, [][]store.Copy{c}); err != nil {
		t.Fatal(err)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := titles(t, cat, search.Query{Text: "あとから"}); len(got) != 1 {
		t.Errorf("after the load: %v", got)
	}
}

// TestLoadCutShort: the process stops in the middle of a load (the files
// as they were on disk between two batches): the next start
// must find every record saved so far, and in the index. The load does not
// queue its records, so an index left from before it would miss them.
func TestLoadCutShort(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, cat := openCatalogT(t, dir)
	defer db.Close()
	defer cat.Close()
	var crashed string
	i := 0
	_, err := cat.Load(ctx, func() ([]*store.Record, [][]store.Copy, error) {
		if i == 2000 {
			crashed = crashCopy(t, dir)
		}
		if i == 3000 {
			return nil, nil, nil
		}
		recs, copies := loadBatch(i, 1000, "途中の本")
		i += len(recs)
		return recs, copies, nil
	})
	if err != nil {
		t.Fatal(err)
	}

	db2, err := store.Open(ctx, crashed)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	cat2, err := OpenCatalog(ctx, db2, crashed, SystemClock{}, quietLog(), CatalogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat2.Close()
	n, err := db2.RecordCount(ctx)
	if err != nil || n != 2000 {
		t.Fatalf("%d records after the crash (%v), want the 2000 of the first two batches", n, err)
	}
	res, err := cat2.Search(ctx, search.Query{Text: "途中", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != n {
		t.Errorf("the index after the crash finds %d of the %d records", res.Total, n)
	}
}

// indexMatchesStore checks that the index holds a document for each
// record in the store and for nothing else.
func indexMatchesStore(t *testing.T, db *store.DB, cat *Catalog) {
	t.Helper()
	ctx := context.Background()
	want := map[int64]bool{}
	err := db.EachIndexBatch(ctx, 1000, func(es []store.IndexEntry) error {
		for _, e := range es {
			want[e.Record.ID] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ix := cat.index()
	if ix == nil {
		t.Fatal("no index open")
	}
	res, err := ix.Search(ctx, search.Query{Limit: len(want) + 10})
	if err != nil {
		t.Fatal(err)
	}
	missing := maps.Clone(want)
	var extra []int64
	for _, id := range res.IDs {
		if !want[id] {
			extra = append(extra, id)
		}
		delete(missing, id)
	}
	if len(missing) > 0 || len(extra) > 0 || res.Total != len(want) {
		t.Errorf("index of %d documents, store of %d records: %d records not indexed (%v), %d documents of no record (%v)",
			res.Total, len(want), len(missing), slices.Collect(maps.Keys(missing))[:min(len(missing), 5)], len(extra), extra[:min(len(extra), 5)])
	}
}

// crashCopy copies what a process stopped now would leave of the data in
// dir: the database and its log, and the index, if there is one (not the
// one being built, which a new start ignores).
func crashCopy(t *testing.T, dir string) string {
	t.Helper()
	to := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, store.FileName+"*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, search.DirName)); err == nil {
		if err := os.CopyFS(filepath.Join(to, search.DirName), os.DirFS(filepath.Join(dir, search.DirName))); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// TestOpenRebuildsBacklog checks that a large queue (a big import with no
// server running) is rebuilt rather than replayed, with the same result.
func TestOpenRebuildsBacklog(t *testing.T) {
	if !backlogWantsRebuild(40000, 1000) || backlogWantsRebuild(100, 10) || backlogWantsRebuild(30000, 1000000) {
		t.Error("backlogWantsRebuild thresholds")
	}
	ctx := context.Background()
	dir := t.TempDir()
	db, cat := openCatalogT(t, dir)
	cat.Close()
	im := NewImporter(db, SystemClock{})
	recs := make([]*store.Record, 0, 20500)
	for i := range 20500 {
		r, _ := loadRecord(i, "トリコミノホン")
		recs = append(recs, r)
	}
	if _, err := im.save(ctx, recs); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	cat, err := OpenCatalog(ctx, db, dir, SystemClock{}, slog.New(slog.NewTextHandler(&logged, nil)), CatalogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	defer db.Close()
	if !strings.Contains(logged.String(), "many queued changes; rebuilding") {
		t.Errorf("no rebuild logged:\n%s", logged.String())
	}
	res, err := cat.Search(ctx, search.Query{Text: "トリコミノホン", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 20500 {
		t.Errorf("%d found, want 20500", res.Total)
	}
	if lowest, _, _ := db.IndexQueueBounds(ctx); lowest != 0 {
		t.Errorf("queue from %d, want empty", lowest)
	}
}

// importCSV is a CSV catalogue of n records, ids from 0, each titled
// "<edition> の本 <i>" with its reading; record 3 is 猫の図鑑 without a
// reading, and the record at line bad+2 has no title.
func importCSV(n, bad int, edition string) string {
	var b strings.Builder
	b.WriteString("id,書名,書名ヨミ,著者\n")
	for i := range n {
		switch i {
		case 3:
			b.WriteString("3,猫の図鑑,,山田 花子\n")
		case bad:
			fmt.Fprintf(&b, "%d,,,山田 花子\n", i)
		default:
			fmt.Fprintf(&b, "%d,%s の本 %d,ホン %d,山田 花子\n", i, edition, i, i)
		}
	}
	return b.String()
}

// TestImporterLoadsInBulk: an importer of a catalogue switches to a bulk
// load once its import is large, into an empty catalogue and over one
// whose records it updates, and leaves the index with exactly the
// store's records, as the file has them, and as another writer changed
// them meanwhile, nothing queued; bad records are reported and skipped
// as on the queued path.
func TestImporterLoadsInBulk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, cat := openCatalogT(t, dir)
	defer db.Close()
	cat.Close()
	var logged bytes.Buffer
	cat, err := OpenCatalog(ctx, db, dir, SystemClock{}, slog.New(slog.NewTextHandler(&logged, nil)), CatalogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()

	const n, bad = 25000, 21500 // the bad record after the switch
	for round, edition := range []string{"初版", "改訂版"} {
		logged.Reset()
		im, err := cat.Importer()
		if err != nil {
			t.Fatal(err)
		}
		var problems []string
		interrupted := false
		st, err := im.Import(ctx, strings.NewReader(importCSV(n, bad, edition)), importer.CSV, func(p ImportProgress) {
			if p.Err != nil {
				problems = append(problems, p.Err.Error())
			}
			if p.Saved >= 22000 && !interrupted {
				// Another writer, once the bulk load runs: the first
				// round adds a record, the second changes it and adds
				// another.
				interrupted = true
				others := []*store.Record{{Source: "other:1", Title: "割り込みの本"}}
				if round == 1 {
					others = []*store.Record{{Source: "other:1", Title: "割り込みの本 第二刷"}, {Source: "other:2", Title: "横入りの本"}}
				}
				if err := cat.SaveRecords(ctx, others, nil); err != nil {
					t.Error(err)
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := im.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		wantAdded := n - 1
		if round == 1 {
			wantAdded = 0 // every record updated in place, by source
		}
		if st.Saved != n-1 || st.Added != wantAdded || st.Errors != 1 || len(problems) != 1 || !strings.Contains(problems[0], fmt.Sprintf("record %d", bad+1)) {
			t.Fatalf("%s: %+v, problems %q", edition, st, problems)
		}
		if !strings.Contains(logged.String(), "bulk load done") {
			t.Errorf("%s: no bulk load logged:\n%s", edition, logged.String())
		}
		if recs, err := db.RecordCount(ctx); err != nil || recs != n+round {
			t.Fatalf("%s: %d records in the store (%v), want %d", edition, recs, err, n+round)
		}
		indexMatchesStore(t, db, cat)
		for _, tc := range []struct {
			q    string
			want int
		}{
			{"初版", (1 - round) * (n - 2)}, {"改訂版", round * (n - 2)}, {"猫の図鑑", 1}, {"ねこのずかん", 1}, {"本 24999", 1},
			{"割り込み", 1}, {"第二刷", round}, {"横入り", round},
		} {
			res, err := cat.Search(ctx, search.Query{Text: tc.q, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != tc.want {
				t.Errorf("%s: %s finds %d, want %d", edition, tc.q, res.Total, tc.want)
			}
		}
		if lowest, _, err := db.IndexQueueBounds(ctx); err != nil || lowest != 0 {
			t.Errorf("%s: queue from %d (%v), want empty", edition, lowest, err)
		}
	}
}

// TestImporterCutShort: the process stops in the middle of an import's
// bulk load: the next start finds in the index every record saved so
// far, those saved through the queue before the switch and those of the
// load, which queues nothing.
func TestImporterCutShort(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, cat := openCatalogT(t, dir)
	defer db.Close()
	defer cat.Close()
	im, err := cat.Importer()
	if err != nil {
		t.Fatal(err)
	}
	var crashed string
	_, err = im.Import(ctx, strings.NewReader(importCSV(30000, -1, "途中")), importer.CSV, func(p ImportProgress) {
		if p.Saved == 24000 { // two batches into the bulk load
			crashed = crashCopy(t, dir)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := im.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if crashed == "" {
		t.Fatal("no copy made at 24,000 records")
	}

	db2, err := store.Open(ctx, crashed)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var logged bytes.Buffer
	cat2, err := OpenCatalog(ctx, db2, crashed, SystemClock{}, slog.New(slog.NewTextHandler(&logged, nil)), CatalogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat2.Close()
	if n, err := db2.RecordCount(ctx); err != nil || n != 24000 {
		t.Fatalf("%d records after the crash (%v), want the 24,000 saved", n, err)
	}
	if !strings.Contains(logged.String(), "building the search index") {
		t.Errorf("the next start did not rebuild the index:\n%s", logged.String())
	}
	indexMatchesStore(t, db2, cat2)
	res, err := cat2.Search(ctx, search.Query{Text: "途中 の本 23999", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 {
		t.Errorf("the last record saved: found %d times, want once", res.Total)
	}
}
