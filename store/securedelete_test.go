package store

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// TestDeletedRowsLeaveNoTrace: a row deleted, once the database is
// checkpointed, is in neither the database file nor the WAL (R40). Before,
// with secure_delete off, the text of a deleted row stayed readable in a
// free page of the database file.
func TestDeletedRowsLeaveNoTrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	secret := "返却済み：山田花子さん『注文の多い料理店』の返却期限のお知らせ"
	inTx(t, db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outbox(kind, to_addr, subject, body, next_try_at, created_at)
			VALUES('due_reminder', 'hanako@example.jp', '返却期限のお知らせ', ?, 'x', 'x')`, secret)
		return err
	})
	// Folded into the database file, as SQLite's own checkpoints do.
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM outbox`)
		return err
	})
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, FileName+"-wal")); err == nil && fi.Size() != 0 {
		t.Errorf("the WAL has %d bytes after the checkpoint, want none", fi.Size())
	}
	for _, name := range []string{FileName, FileName + "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s still holds the deleted text", name)
		}
	}
}
