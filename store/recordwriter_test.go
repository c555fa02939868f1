package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRecordWriterMany: saving many records and copies at once, several
// to a statement, gives each its id, tells inserts from updates, and
// reports a refused copy by its barcode with nothing of the batch left.
func TestRecordWriterMany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t)
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	write := func(now time.Time, recs []*Record, cs []*Copy) (created []bool, err error) {
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			w, err := NewRecordWriter(ctx, tx, now)
			if err != nil {
				return err
			}
			defer w.Close()
			if created, err = w.SaveAll(ctx, recs); err != nil {
				return err
			}
			for _, c := range cs {
				c.RecordID = recs[0].ID
			}
			// In two calls: the first ends with a copy of its own,
			// which SQLite gives its id.
			half := min(len(cs), 101)
			if err := w.AddCopies(ctx, cs[:half]); err != nil {
				return err
			}
			return w.AddCopies(ctx, cs[half:])
		})
		return created, err
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return SaveBranch(ctx, tx, Branch{Code: "ozu", Name: "大洲図書館"}) }); err != nil {
		t.Fatal(err)
	}
	records := func(from, to int) []*Record {
		var out []*Record
		for i := from; i < to; i++ {
			out = append(out, &Record{Source: fmt.Sprintf("t:%d", i), Title: fmt.Sprintf("本 %d", i)})
		}
		return out
	}
	copies := func(prefix string, n int) []*Copy {
		out := make([]*Copy, n)
		for i := range out {
			out[i] = &Copy{Barcode: fmt.Sprintf("%s%04d", prefix, i), Branch: "ozu", ShelvedOn: "2026-04-01", AcquiredOn: "2026-04-01"}
		}
		return out
	}

	first := records(0, 120)
	cs := copies("a", 250)
	created, err := write(now, first, cs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range first {
		if !created[i] || r.ID != int64(i+1) {
			t.Fatalf("record %d: created %v, id %d; want true, %d", i, created[i], r.ID, i+1)
		}
	}
	seen := map[int64]bool{}
	for _, c := range cs {
		var id int64
		if err := db.Reader().QueryRowContext(ctx, "SELECT id FROM copies WHERE barcode = ?", c.Barcode).Scan(&id); err != nil || c.ID != id || seen[c.ID] {
			t.Fatalf("copy %s: id %d, its row's %d (%v)", c.Barcode, c.ID, id, err)
		}
		seen[c.ID] = true
	}

	// 100 updates and 60 inserts, with one source twice.
	second := records(20, 180)
	second = append(second, &Record{Source: "t:500", Title: "一度目"}, &Record{Source: "t:500", Title: "二度目"})
	created, err = write(now.Add(time.Hour), second, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range second {
		var n int
		fmt.Sscanf(r.Source, "t:%d", &n)
		// Created in this transaction, even when then updated in it.
		want := n >= 120
		if created[i] != want {
			t.Errorf("%s: created %v, want %v", r.Source, created[i], want)
		}
	}
	if second[len(second)-1].ID != second[len(second)-2].ID {
		t.Errorf("the same source saved twice got ids %d and %d", second[len(second)-2].ID, second[len(second)-1].ID)
	}
	var title string
	if err := db.Reader().QueryRowContext(ctx, "SELECT title FROM records WHERE source = 't:500'").Scan(&title); err != nil || title != "二度目" {
		t.Errorf("t:500 has title %q (%v), want the later one", title, err)
	}

	// A duplicate barcode among many: refused, named, nothing kept.
	bad := copies("b", 150)
	bad[120].Barcode = "a0007"
	_, err = write(now, records(1000, 1060), bad)
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), `"a0007"`) {
		t.Fatalf("duplicate barcode: %v, want ErrConflict naming a0007", err)
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM copies WHERE barcode LIKE 'b%'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d copies of the refused batch kept (%v)", n, err)
	}
}
