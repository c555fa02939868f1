package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// QueuedChange is one entry of the index queue.
type QueuedChange struct {
	Seq      int64
	RecordID int64
}

// IndexQueue returns up to limit queued changes after seq, in order.
func (db *DB) IndexQueue(ctx context.Context, after int64, limit int) ([]QueuedChange, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT seq, record_id FROM index_queue WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: index queue: %w", err)
	}
	defer rows.Close()
	var out []QueuedChange
	for rows.Next() {
		var c QueuedChange
		if err := rows.Scan(&c.Seq, &c.RecordID); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// IndexQueueBounds reports the lowest queued sequence number still in the
// queue (0 when empty) and the highest ever handed out.
func (db *DB) IndexQueueBounds(ctx context.Context) (lowest, highest int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT COALESCE((SELECT min(seq) FROM index_queue), 0),
		COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'index_queue'), 0)`).Scan(&lowest, &highest)
	if err != nil {
		return 0, 0, fmt.Errorf("store: index queue bounds: %w", err)
	}
	return lowest, highest, nil
}

// TrimIndexQueue forgets queued changes up to and including seq, once the
// index has applied them.
func (db *DB) TrimIndexQueue(ctx context.Context, seq int64) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM index_queue WHERE seq <= ?", seq)
		return err
	})
}

// QueueHighest is the highest index-queue sequence number handed out so
// far, read inside tx: a bulk loader notes it before and after its writes
// to know which queued changes are its own.
func QueueHighest(ctx context.Context, tx *sql.Tx) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'index_queue'), 0)`).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("store: index queue highest: %w", err)
	}
	return seq, nil
}

// Unqueued runs fn in tx with the queueing of inserted records and copies
// off: the two insert triggers are dropped, and put back as they were
// before Unqueued returns, in the same transaction, so no other writer
// ever sees them gone. It is for a bulk load that indexes the records it
// inserts itself: the triggers were a sixth of its SQLite time, and left
// a row per record and copy to delete afterwards. Updates and deletions
// are queued as ever. When fn fails, the caller's rollback restores them.
func Unqueued(ctx context.Context, tx *sql.Tx, fn func() error) error {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'trigger' AND name IN ('records_ai', 'copies_ai') ORDER BY name`)
	if err != nil {
		return fmt.Errorf("store: unqueued: %w", err)
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return fmt.Errorf("store: unqueued: %w", err)
		}
		names, defs = append(names, name), append(defs, def)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("store: unqueued: %w", err)
	}
	if len(names) != 2 {
		return fmt.Errorf("store: unqueued: insert triggers %q, want copies_ai and records_ai", names)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER "+name); err != nil {
			return fmt.Errorf("store: unqueued: %w", err)
		}
	}
	if err := fn(); err != nil {
		return err
	}
	for _, def := range defs {
		if _, err := tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("store: unqueued: restore trigger: %w", err)
		}
	}
	return nil
}
