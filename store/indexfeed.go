package store

import (
	"context"
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
	// Loans is the record's anonymous loan count, ever: the index ranks
	// the titles borrowed more first among equal matches.
	Loans int
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	loans, err := db.read.QueryContext(ctx, `SELECT record_id, sum(count) FROM loan_counts
		WHERE record_id IN (`+placeholders(len(ids))+`) GROUP BY record_id`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: loan counts: %w", err)
	}
	defer loans.Close()
	for loans.Next() {
		var id int64
		var n int
		if err := loans.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[pos[id]].Loans = n
	}
	return out, loans.Err()
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
