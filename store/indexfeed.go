package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Holdings summarises a record's copies for the search index.
type Holdings struct {
	Branches  []string // branches with a copy
	Available []string // branches with a copy on the shelf
	Acquired  string   // newest acquisition day, YYYY-MM-DD
	Copies    int
}

// IndexEntry is a record as the search index needs it.
type IndexEntry struct {
	Record   *Record
	Holdings Holdings
}

// IndexEntries loads the records with the given ids and their holdings.
// Ids of deleted records are absent from the result.
func (db *DB) IndexEntries(ctx context.Context, ids []int64) ([]IndexEntry, error) {
	recs, err := db.RecordsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	return db.withHoldings(ctx, recs)
}

// EachIndexBatch calls fn with every record, in id order, in batches of
// size n: what a rebuild of the index reads.
func (db *DB) EachIndexBatch(ctx context.Context, n int, fn func([]IndexEntry) error) error {
	var after int64
	for {
		rows, err := db.read.QueryContext(ctx, "SELECT "+recordCols+" FROM records WHERE id > ? ORDER BY id LIMIT ?", after, n)
		if err != nil {
			return fmt.Errorf("store: index batch: %w", err)
		}
		var recs []*Record
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		after = recs[len(recs)-1].ID
		entries, err := db.withHoldings(ctx, recs)
		if err != nil {
			return err
		}
		if err := fn(entries); err != nil {
			return err
		}
	}
}

func (db *DB) withHoldings(ctx context.Context, recs []*Record) ([]IndexEntry, error) {
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	out := make([]IndexEntry, len(recs))
	pos := make(map[int64]int, len(recs))
	for i, r := range recs {
		out[i].Record = r
		pos[r.ID] = i
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT record_id, branch, status, acquired_on FROM copies
		WHERE status <> 'withdrawn' AND record_id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: holdings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var branch, status, acquired string
		if err := rows.Scan(&id, &branch, &status, &acquired); err != nil {
			return nil, err
		}
		out[pos[id]].Holdings.add(branch, status, acquired)
	}
	return out, rows.Err()
}

// HoldingsOf summarises copies as the index sees them, for records whose
// copies are all at hand (a record just created with them).
func HoldingsOf(copies []Copy) Holdings {
	var h Holdings
	for _, c := range copies {
		if c.Status != CopyWithdrawn {
			h.add(c.Branch, c.Status, c.AcquiredOn)
		}
	}
	return h
}

func (h *Holdings) add(branch, status, acquired string) {
	h.Copies++
	h.Branches = appendUnique(h.Branches, branch)
	if status == CopyOnShelf {
		h.Available = appendUnique(h.Available, branch)
	}
	if acquired > h.Acquired {
		h.Acquired = acquired
	}
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// MaxRecordID is the highest record id in use, 0 when there is none.
func (db *DB) MaxRecordID(ctx context.Context) (int64, error) {
	var id int64
	if err := db.read.QueryRowContext(ctx, "SELECT COALESCE(max(id), 0) FROM records").Scan(&id); err != nil {
		return 0, fmt.Errorf("store: max record id: %w", err)
	}
	return id, nil
}

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
