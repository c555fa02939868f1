package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
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
