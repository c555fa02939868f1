package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

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
	opts  search.Options // to build and open the index with

	// mu guards ix and closed; a search holds it for reading, so that a
	// new index takes the place of the old one between searches, not
	// under them.
	mu     sync.RWMutex
	ix     *search.Index
	closed bool
	wake   chan struct{}
	syncMu sync.Mutex

	readOnly bool
	// failure is why the index could not be brought up to date, nil
	// once it was (see Health).
	failMu  sync.Mutex
	failure error
}

// CatalogOptions tune the catalogue's index; the zero value is the defaults.
type CatalogOptions struct {
	// AroundBuild, when set, is called as an index build begins, and the
	// function it returns as the build ends (see search.Options). The
	// code that owns the process passes buildgc.Relax here.
	AroundBuild func() (done func())
	// ReadOnly opens the index as it is, writing nothing: for a data
	// directory whose disk takes no writes. Changes are not applied;
	// without a usable index, searches are refused (store.ErrStorage).
	ReadOnly bool
}

// OpenCatalog opens the index in dir, rebuilding it from the store when it
// is missing, unreadable, of an older mapping or out of step with the
// store, and catches it up with changes made while it was closed.
func OpenCatalog(ctx context.Context, db *store.DB, dir string, clock Clock, log *slog.Logger, opts CatalogOptions) (*Catalog, error) {
	c := &Catalog{db: db, dir: dir, clock: clock, log: log, wake: make(chan struct{}, 1), readOnly: opts.ReadOnly,
		opts: search.Options{AroundBuild: opts.AroundBuild, Log: log, ReadOnly: opts.ReadOnly}}
	ix, err := search.Open(dir, c.opts)
	if c.readOnly {
		// Nothing can be rebuilt or caught up: serve the index as it is,
		// or serve without one.
		if err != nil {
			log.Error("search index not usable, and it cannot be rebuilt while nothing can be written: searches are refused", "err", err)
			c.fail(err)
		}
		c.ix = ix
		return c, nil
	}
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
		rebuild := false
		if seq := ix.Seq(); seq > highest || (lowest > 0 && seq < lowest-1) || (lowest == 0 && seq < highest) {
			log.Warn("search index out of step with the database; rebuilding", "index_seq", seq, "db_lowest", lowest, "db_highest", highest)
			rebuild = true
		} else if docs, _ := ix.Count(); backlogWantsRebuild(highest-seq, docs) {
			// After a large import (hondana import with no server running)
			// a bulk build is several times faster than applying the
			// queue change by change.
			log.Info("many queued changes; rebuilding the search index", "queued", highest-seq, "indexed", docs)
			rebuild = true
		}
		if rebuild {
			// Nobody searches yet: the old index need not stay open (and
			// in memory) while the new one is built.
			c.ix = nil
			ix.Close()
			if err := c.Rebuild(ctx); err != nil {
				return nil, err
			}
		}
	}
	if err := c.Sync(ctx); errors.Is(err, search.ErrWriteFailed) {
		// The disk did not take the changes: searches answer from the
		// index as it is, and Run tries again.
		log.Error("search index update failed", "err", err)
	} else if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// backlogWantsRebuild reports whether queued changes are so many, against
// the documents in the index, that a rebuild beats applying them.
func backlogWantsRebuild(queued int64, docs uint64) bool {
	return queued > 20000 && uint64(queued) > docs/4
}

// Close closes the index.
func (c *Catalog) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.ix == nil {
		return nil
	}
	err := c.ix.Close()
	c.ix = nil
	return err
}

// index returns the index in use, nil once the catalogue is closed. Only
// a build, which holds syncMu, puts another in its place: a holder of
// syncMu keeps this one throughout. A search holds mu instead (see
// Search), so that the index is not closed under it.
func (c *Catalog) index() *search.Index {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ix
}

// install puts a built index in the place of the one in use. Searches
// wait for the swap (milliseconds), never fail for it: the old index
// answers them until then.
func (c *Catalog) install(built *search.Built) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ix != nil {
		if err := c.ix.Close(); err != nil {
			c.log.Warn("closing the replaced search index", "err", err)
		}
		c.ix = nil
	}
	ix, err := built.Install()
	if err != nil {
		// The old index is back in its place: use it until a build succeeds.
		if old, oerr := search.Open(c.dir, c.opts); oerr == nil {
			c.ix = old
		}
		return fmt.Errorf("library: install the new index: %w", err)
	}
	c.ix = ix
	return nil
}

// Rebuild builds the index anew from the store, beside the index in use,
// which answers searches until the new one takes its place.
func (c *Catalog) Rebuild(ctx context.Context) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	return c.rebuildLocked(ctx)
}

// errReadOnly refuses to change an index opened read-only.
var errReadOnly = fmt.Errorf("library: the search index was opened read-only: %w", store.ErrStorage)

func (c *Catalog) rebuildLocked(ctx context.Context) error {
	if c.readOnly {
		return errReadOnly
	}
	_, highest, err := c.db.IndexQueueBounds(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	n := 0
	built, err := search.Build(c.dir, highest, func(add func([]search.Doc) error) error {
		// Read and convert on one goroutine while the builder indexes on
		// another: the machine has two cores.
		docs := make(chan []search.Doc, 2)
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var readErr error
		go func() {
			defer close(docs)
			readErr = c.db.EachIndexBatch(rctx, 1000, func(entries []store.IndexEntry) error {
				select {
				case docs <- docsOf(entries):
					return nil
				case <-rctx.Done():
					return rctx.Err()
				}
			})
		}()
		for batch := range docs {
			n += len(batch)
			if err := add(batch); err != nil {
				cancel()
				for range docs {
				}
				return err
			}
		}
		return readErr
	}, c.opts)
	if err != nil {
		return fmt.Errorf("library: rebuild index: %w", err)
	}
	if err := c.install(built); err != nil {
		return err
	}
	if err := c.db.TrimIndexQueue(ctx, highest); err != nil {
		return err
	}
	c.log.Info("search index built", "records", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Sync applies every queued change to the index. When the index cannot
// write them (a full disk), it is reopened as the disk has it, answers
// searches as before the changes, and Health reports the failure until
// a Sync succeeds.
func (c *Catalog) Sync(ctx context.Context) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	if c.readOnly {
		return errReadOnly
	}
	err := c.syncLocked(ctx)
	if errors.Is(err, search.ErrWriteFailed) {
		c.reopen()
	}
	if err == nil || ctx.Err() == nil {
		c.fail(err)
	}
	return err
}

// Health is nil when the index is open and up to date with every change
// it was asked to apply, or why not.
func (c *Catalog) Health() error {
	c.failMu.Lock()
	defer c.failMu.Unlock()
	return c.failure
}

// fail records why the index is behind (nil: it is not).
func (c *Catalog) fail(err error) {
	c.failMu.Lock()
	defer c.failMu.Unlock()
	c.failure = err
}

// reopen closes the index after a write failed and opens it again as the
// disk has it (see search.ErrWriteFailed). Searches wait for the swap, a
// few milliseconds. Should it not open, searches are refused until a
// later Sync opens it again (or rebuilds it).
func (c *Catalog) reopen() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if c.ix != nil {
		if err := c.ix.Close(); err != nil {
			c.log.Warn("closing the search index after a failed write", "err", err)
		}
		c.ix = nil
	}
	ix, err := search.Open(c.dir, c.opts)
	if err != nil {
		c.log.Error("reopening the search index after a failed write", "err", err)
		return
	}
	c.ix = ix
}

// errNoIndex refuses a search while no index is open: one that could
// not be reopened after a failed write, or a read-only start without a
// usable one.
var errNoIndex = fmt.Errorf("library: the search index is not open: %w", store.ErrStorage)

func (c *Catalog) syncLocked(ctx context.Context) error {
	ix := c.index()
	if ix == nil {
		c.mu.RLock()
		closed := c.closed
		c.mu.RUnlock()
		if closed {
			return errClosed
		}
		// A failed write closed it and it did not open again: try once
		// more, rebuilding it if need be.
		ix2, err := search.Open(c.dir, c.opts)
		switch {
		case errors.Is(err, search.ErrNeedsRebuild):
			return c.rebuildLocked(ctx)
		case err != nil:
			return err
		}
		c.mu.Lock()
		if c.closed { // closed meanwhile
			c.mu.Unlock()
			ix2.Close()
			return errClosed
		}
		c.ix = ix2
		c.mu.Unlock()
		ix = ix2
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
		last := changes[len(changes)-1].Seq
		if err := c.applyIDs(ctx, ix, ids, last); err != nil {
			return err
		}
		if err := c.db.TrimIndexQueue(ctx, last); err != nil {
			return err
		}
	}
}

// applyIDs indexes the records with the given ids as the store has them
// now, removes those it no longer has, and records seq as applied.
func (c *Catalog) applyIDs(ctx context.Context, ix *search.Index, ids []int64, seq int64) error {
	for len(ids) > 0 {
		n := min(len(ids), 2000)
		part := ids[:n]
		ids = ids[n:]
		entries, err := c.db.IndexEntries(ctx, part)
		if err != nil {
			return err
		}
		found := make(map[int64]bool, len(entries))
		for _, e := range entries {
			found[e.Record.ID] = true
		}
		var deleted []int64
		for _, id := range part {
			if !found[id] {
				deleted = append(deleted, id)
			}
		}
		s := int64(0)
		if len(ids) == 0 {
			s = seq
		}
		if err := ix.Apply(docsOf(entries), deleted, s); err != nil {
			return err
		}
	}
	return nil
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
// After a failure it waits longer each time (up to a minute) before
// trying again: a full disk stays full for a while. A read-only catalogue
// has nothing to run.
func (c *Catalog) Run(ctx context.Context) {
	if c.readOnly {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var wait time.Duration
	var next time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-t.C:
		}
		if wait > 0 && time.Now().Before(next) {
			continue
		}
		if err := c.Sync(ctx); err != nil && ctx.Err() == nil {
			wait = min(max(2*wait, time.Second), time.Minute)
			next = time.Now().Add(wait)
			c.log.Error("search index update failed", "err", err, "next_try_in", wait)
		} else {
			wait = 0
		}
	}
}

// SaveRecords writes records (insert, or update by Source) in one
// transaction, with copies for each when given, and wakes the indexer.
func (c *Catalog) SaveRecords(ctx context.Context, recs []*store.Record, copies [][]store.Copy) error {
	now := c.clock.Now()
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := saveBatch(ctx, tx, recs, copies, now)
		return err
	})
	if err != nil {
		return err
	}
	c.Changed()
	return nil
}

// saveBatch writes recs and their copies inside tx and reports which
// records it created.
func saveBatch(ctx context.Context, tx *sql.Tx, recs []*store.Record, copies [][]store.Copy, now time.Time) (created []bool, err error) {
	w, err := store.NewRecordWriter(ctx, tx, now)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if created, err = w.SaveAll(ctx, recs); err != nil {
		return nil, err
	}
	var cs []*store.Copy
	for i := range min(len(recs), len(copies)) {
		for j := range copies[i] {
			copies[i][j].RecordID = recs[i].ID
			cs = append(cs, &copies[i][j])
		}
	}
	if err := w.AddCopies(ctx, cs); err != nil {
		return nil, err
	}
	return created, nil
}

var errClosed = errors.New("library: index closed")
