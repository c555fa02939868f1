package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"hondana/isbn"
	"hondana/search"
	"hondana/store"
)

// Catalog is the catalogue: records and copies in the store, kept in step
// with the search index.
type Catalog struct {
	db    *store.DB
	dir   string
	clock Clock
	log   *slog.Logger

	mu     sync.RWMutex // guards ix while a rebuild swaps it
	ix     *search.Index
	wake   chan struct{}
	syncMu sync.Mutex
}

// OpenCatalog opens the index in dir, rebuilding it from the store when it
// is missing, unreadable, of an older mapping or out of step with the
// store, and catches it up with changes made while it was closed.
func OpenCatalog(ctx context.Context, db *store.DB, dir string, clock Clock, log *slog.Logger) (*Catalog, error) {
	c := &Catalog{db: db, dir: dir, clock: clock, log: log, wake: make(chan struct{}, 1)}
	ix, err := search.Open(dir)
	switch {
	case errors.Is(err, search.ErrNeedsRebuild):
		log.Info("building the search index", "reason", err)
		if err := c.Rebuild(ctx); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		c.ix = ix
		lowest, highest, err := db.IndexQueueBounds(ctx)
		if err != nil {
			ix.Close()
			return nil, err
		}
		// The index remembers the last change it applied. If it is ahead of
		// the store (an older database restored) or behind changes already
		// forgotten (an index restored from an older snapshot), rebuild.
		if seq := ix.Seq(); seq > highest || (lowest > 0 && seq < lowest-1) || (lowest == 0 && seq < highest) {
			log.Warn("search index out of step with the database; rebuilding", "index_seq", seq, "db_lowest", lowest, "db_highest", highest)
			if err := c.Rebuild(ctx); err != nil {
				return nil, err
			}
		}
	}
	if err := c.Sync(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the index.
func (c *Catalog) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ix == nil {
		return nil
	}
	err := c.ix.Close()
	c.ix = nil
	return err
}

func (c *Catalog) index() *search.Index {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ix
}

// Rebuild builds the index anew from the store.
func (c *Catalog) Rebuild(ctx context.Context) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	_, highest, err := c.db.IndexQueueBounds(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.ix != nil {
		c.ix.Close()
		c.ix = nil
	}
	c.mu.Unlock()
	start := time.Now()
	n := 0
	ix, err := search.Build(c.dir, highest, func(add func([]search.Doc) error) error {
		return c.db.EachIndexBatch(ctx, 1000, func(entries []store.IndexEntry) error {
			n += len(entries)
			return add(docsOf(entries))
		})
	})
	if err != nil {
		return fmt.Errorf("library: rebuild index: %w", err)
	}
	c.mu.Lock()
	c.ix = ix
	c.mu.Unlock()
	if err := c.db.TrimIndexQueue(ctx, highest); err != nil {
		return err
	}
	c.log.Info("search index built", "records", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Sync applies every queued change to the index.
func (c *Catalog) Sync(ctx context.Context) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	ix := c.index()
	if ix == nil {
		return errors.New("library: index closed")
	}
	for {
		changes, err := c.db.IndexQueue(ctx, ix.Seq(), 2000)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		seen := map[int64]bool{}
		var ids []int64
		for _, ch := range changes {
			if !seen[ch.RecordID] {
				seen[ch.RecordID] = true
				ids = append(ids, ch.RecordID)
			}
		}
		entries, err := c.db.IndexEntries(ctx, ids)
		if err != nil {
			return err
		}
		for _, e := range entries {
			delete(seen, e.Record.ID)
		}
		var deleted []int64
		for id := range seen {
			deleted = append(deleted, id)
		}
		last := changes[len(changes)-1].Seq
		if err := ix.Apply(docsOf(entries), deleted, last); err != nil {
			return err
		}
		if err := c.db.TrimIndexQueue(ctx, last); err != nil {
			return err
		}
	}
}

// Changed tells the index worker that the store has changes to apply.
func (c *Catalog) Changed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Run applies changes to the index as they come, until ctx ends. Changes
// made by other means (another process) are picked up within a second.
func (c *Catalog) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-t.C:
		}
		if err := c.Sync(ctx); err != nil && ctx.Err() == nil {
			c.log.Error("search index update failed", "err", err)
		}
	}
}

// docsOf turns store entries into index documents.
func docsOf(entries []store.IndexEntry) []search.Doc {
	docs := make([]search.Doc, len(entries))
	for i, e := range entries {
		r := e.Record
		d := search.Doc{
			ID:           r.ID,
			Title:        strings.TrimSpace(strings.Join([]string{r.Title, r.Subtitle, r.Volume}, " ")),
			TitleYomi:    strings.TrimSpace(r.TitleYomi + " " + r.SubtitleYomi),
			Publisher:    r.Publisher,
			ISBN:         r.ISBN,
			NDC:          r.NDC,
			MaterialType: r.MaterialType,
			Year:         r.Year,
			Branches:     e.Holdings.Branches,
			Available:    e.Holdings.Available,
			Acquired:     e.Holdings.Acquired,
		}
		if ten, ok := isbn.To10(r.ISBN); ok {
			d.ISBN10 = ten
		}
		for _, a := range r.Authors {
			d.Authors = append(d.Authors, a.Name)
			if a.Yomi != "" {
				d.AuthorsYomi = append(d.AuthorsYomi, a.Yomi)
			}
		}
		d.Other = append(d.Other, r.PublisherYomi, r.Series, r.SeriesYomi, r.Description)
		d.Other = append(d.Other, r.Subjects...)
		sortKey := r.TitleYomi
		if sortKey == "" {
			sortKey = r.Title
		}
		d.SortKey = search.Fold(sortKey)
		docs[i] = d
	}
	return docs
}

// SaveRecords writes records (insert, or update by Source) in one
// transaction, with copies for each when given, and wakes the indexer.
func (c *Catalog) SaveRecords(ctx context.Context, recs []*store.Record, copies [][]store.Copy) error {
	now := c.clock.Now()
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		for i, r := range recs {
			if _, err := store.SaveRecord(ctx, tx, r, now); err != nil {
				return err
			}
			if i < len(copies) {
				for j := range copies[i] {
					copies[i][j].RecordID = r.ID
					if err := store.AddCopy(ctx, tx, &copies[i][j], now); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.Changed()
	return nil
}

var errClosed = errors.New("library: index closed")
