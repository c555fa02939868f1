package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// inTx runs fn in one transaction and fails the test if it fails.
func inTx(t *testing.T, db *DB, fn func(tx *sql.Tx) error) {
	t.Helper()
	if err := db.Tx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// withWriter runs fn with a RecordWriter on tx: the one write path of
// records and copies.
func withWriter(tx *sql.Tx, now time.Time, fn func(ctx context.Context, w *RecordWriter) error) error {
	ctx := context.Background()
	w, err := NewRecordWriter(ctx, tx, now)
	if err != nil {
		return err
	}
	defer w.Close()
	return fn(ctx, w)
}

// saveRecord saves r inside tx and reports whether it was created.
func saveRecord(tx *sql.Tx, r *Record, now time.Time) (created bool, err error) {
	err = withWriter(tx, now, func(ctx context.Context, w *RecordWriter) (err error) {
		created, err = w.Save(ctx, r)
		return err
	})
	return created, err
}

// addCopy adds c inside tx.
func addCopy(tx *sql.Tx, c *Copy, now time.Time) error {
	return withWriter(tx, now, func(ctx context.Context, w *RecordWriter) error { return w.AddCopy(ctx, c) })
}

// addRecord saves r and its copies at branch "ozu" (created if needed).
func addRecord(t *testing.T, db *DB, now time.Time, r *Record, copies ...*Copy) {
	t.Helper()
	inTx(t, db, func(tx *sql.Tx) error {
		if err := SaveBranch(context.Background(), tx, Branch{Code: "ozu", Name: "大洲図書館"}); err != nil {
			return err
		}
		return withWriter(tx, now, func(ctx context.Context, w *RecordWriter) error {
			if _, err := w.Save(ctx, r); err != nil {
				return err
			}
			for _, c := range copies {
				c.RecordID, c.Branch, c.ShelvedOn, c.AcquiredOn = r.ID, "ozu", "2026-01-01", "2026-01-01"
			}
			return w.AddCopies(ctx, copies)
		})
	})
}

func TestMigrateAndReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		return SaveBranch(ctx, tx, Branch{Code: "ozu", Name: "大洲図書館"})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, dir) // migrations must not run twice
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bs, err := db.Branches(ctx)
	if err != nil || len(bs) != 1 || bs[0].Name != "大洲図書館" {
		t.Fatalf("branches after reopen: %v %v", bs, err)
	}
}

// TestConstraintErrors: the store's callers see sentinel errors, never
// driver messages, and a failed transaction leaves nothing behind.
func TestConstraintErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t)
	now := time.Now()
	rec := Record{Source: "test:1", Title: "こころ", Authors: []Author{{Name: "夏目漱石", Yomi: "ナツメ ソウセキ", Role: RoleAuthor}}}
	addRecord(t, db, now, &rec, &Copy{Barcode: "1001"})
	tests := []struct {
		name string
		fn   func(tx *sql.Tx) error
		want error
	}{
		{"duplicate barcode", func(tx *sql.Tx) error {
			return addCopy(tx, &Copy{RecordID: rec.ID, Barcode: "1001", Branch: "ozu", ShelvedOn: "x", AcquiredOn: "x"}, now)
		}, ErrConflict},
		{"unknown branch", func(tx *sql.Tx) error {
			return addCopy(tx, &Copy{RecordID: rec.ID, Barcode: "1002", Branch: "tokyo", ShelvedOn: "x", AcquiredOn: "x"}, now)
		}, ErrReference},
		{"bad card", func(tx *sql.Tx) error {
			return AddPatron(ctx, tx, &Patron{Card: "12", Name: "x", BirthDate: "2000-01-01"}, now)
		}, ErrConstraint},
		{"empty title", func(tx *sql.Tx) error {
			_, err := saveRecord(tx, &Record{Source: "test:2", Title: " "}, now)
			return err
		}, ErrConstraint},
		{"second hold on one title", func(tx *sql.Tx) error {
			p := Patron{Card: "100000001", Name: "佐藤 花子", BirthDate: "1990-04-01"}
			if err := AddPatron(ctx, tx, &p, now); err != nil {
				return err
			}
			h := Hold{RecordID: rec.ID, PatronID: p.ID, PickupBranch: "ozu", Contact: "phone", Status: HoldWaiting, PlacedAt: now}
			if err := AddHold(ctx, tx, &h); err != nil {
				return err
			}
			h2 := h
			return AddHold(ctx, tx, &h2)
		}, ErrConflict},
		{"bad contact", func(tx *sql.Tx) error {
			p := Patron{Card: "100000002", Name: "鈴木 太郎", BirthDate: "1990-04-01"}
			if err := AddPatron(ctx, tx, &p, now); err != nil {
				return err
			}
			return AddHold(ctx, tx, &Hold{RecordID: rec.ID, PatronID: p.ID, PickupBranch: "ozu", Contact: "pigeon", Status: HoldWaiting, PlacedAt: now})
		}, ErrConstraint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Tx(ctx, tt.fn)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
	// Nothing of the failed transactions was kept.
	var patrons int
	if err := db.Reader().QueryRow("SELECT count(*) FROM patrons").Scan(&patrons); err != nil || patrons != 0 {
		t.Errorf("patrons left behind: %d %v", patrons, err)
	}
}

// TestSaveUpserts: the same source updates, and every change is queued
// for the index by the database itself.
func TestSaveUpserts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t)
	r := Record{Source: "aozora:000773", Title: "こゝろ", TitleYomi: "ココロ", Subjects: []string{"小説"}}
	var created1, created2 bool
	err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
		created1, err = saveRecord(tx, &r, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	id := r.ID
	r2 := Record{Source: "aozora:000773", Title: "こころ", TitleYomi: "ココロ", Year: 1914}
	err = db.Tx(ctx, func(tx *sql.Tx) (err error) {
		created2, err = saveRecord(tx, &r2, time.Now().Add(time.Second))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !created1 || created2 || r2.ID != id {
		t.Fatalf("created %v, %v; ids %d, %d", created1, created2, id, r2.ID)
	}
	got, err := db.Record(ctx, id)
	if err != nil || got.Title != "こころ" || got.Year != 1914 || got.MaterialType != MaterialBook {
		t.Fatalf("record %+v %v", got, err)
	}
	changes, err := db.IndexQueue(ctx, 0, 100)
	if err != nil || len(changes) != 2 {
		t.Fatalf("queue %v %v", changes, err)
	}
	if _, err := db.Record(ctx, 424242); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing record: %v", err)
	}
}

// TestUnqueued: inside Unqueued, inserted records and copies are not
// queued but updates are; after it, and after a failed one rolled back,
// every change is queued again.
func TestUnqueued(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t)
	now := time.Now()
	queued := func() []int64 {
		t.Helper()
		changes, err := db.IndexQueue(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range changes {
			ids = append(ids, c.RecordID)
		}
		return ids
	}
	add := func(tx *sql.Tx, source, barcode string) (int64, error) {
		r := Record{Source: source, Title: "本"}
		if _, err := saveRecord(tx, &r, now); err != nil {
			return 0, err
		}
		return r.ID, addCopy(tx, &Copy{RecordID: r.ID, Barcode: barcode, Branch: "ozu", ShelvedOn: "2024-01-01", AcquiredOn: "2024-01-01"}, now)
	}
	var old, quiet int64
	err := db.Tx(ctx, func(tx *sql.Tx) (err error) {
		if err := SaveBranch(ctx, tx, Branch{Code: "ozu", Name: "大洲図書館"}); err != nil {
			return err
		}
		old, err = add(tx, "a", "A1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.TrimIndexQueue(ctx, 1<<62)

	err = db.Tx(ctx, func(tx *sql.Tx) error {
		return Unqueued(ctx, tx, func() (err error) {
			if quiet, err = add(tx, "b", "B1"); err != nil {
				return err
			}
			_, err = saveRecord(tx, &Record{Source: "a", Title: "本 改訂版"}, now) // an update
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := queued(); len(got) != 1 || got[0] != old {
		t.Errorf("queued inside Unqueued: %v, want only the update of %d", got, old)
	}

	boom := errors.New("boom")
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		return Unqueued(ctx, tx, func() error { return boom })
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed Unqueued: %v", err)
	}
	db.TrimIndexQueue(ctx, 1<<62)
	var later int64
	err = db.Tx(ctx, func(tx *sql.Tx) (err error) {
		later, err = add(tx, "c", "C1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := queued(); len(got) != 2 || got[0] != later || got[1] != later {
		t.Errorf("queued after Unqueued: %v, want record %d and its copy", got, later)
	}
	if quiet == 0 || quiet == later {
		t.Errorf("ids %d, %d", quiet, later)
	}
}
