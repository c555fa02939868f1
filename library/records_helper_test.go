package library

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"hondana/store"
)

// withRecordWriter runs fn in one transaction with a store.RecordWriter,
// the write path of Catalog.SaveRecords and Load, for tests that need
// records and copies without a search index.
func withRecordWriter(t testing.TB, db *store.DB, now time.Time, fn func(ctx context.Context, w *store.RecordWriter) error) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		w, err := store.NewRecordWriter(ctx, tx, now)
		if err != nil {
			return err
		}
		defer w.Close()
		return fn(ctx, w)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// saveRecord saves r (an insert, or an update by Source) and sets r.ID.
func saveRecord(t testing.TB, db *store.DB, now time.Time, r *store.Record) {
	t.Helper()
	withRecordWriter(t, db, now, func(ctx context.Context, w *store.RecordWriter) error {
		_, err := w.Save(ctx, r)
		return err
	})
}
