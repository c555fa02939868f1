package library

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"hondana/search"
	"hondana/store"
)

// A BulkLoad writes many records, as SaveRecords does batch by batch, and
// builds the index anew alongside: the store's writes on one core, the
// index build on the other, so the records are both saved and searchable
// when Finish returns. The whole index is rebuilt, so a bulk load suits a
// first load, or one as large as the catalogue; for fewer records
// SaveRecords is cheaper. Searches go on meanwhile, answered by the index
// from before the load, as during Rebuild.
//
// A record a batch creates is indexed from the batch itself, and not
// queued. The records there before the load are read from the store once
// its writes are done, as the load left them; records it updates that it
// created itself, and changes other writers make meanwhile, are re-read
// from the store and applied once the build is done.
type BulkLoad struct {
	c     *Catalog
	start time.Time
	first int64 // the queue's highest sequence number when the load began
	maxID int64 // the highest record id when the load began
	sent  int64 // the highest record id sent to the index
	saved int
	own   []span         // the queue sequence numbers each batch wrote
	redo  map[int64]bool // records to re-read once the index is built

	entries  chan []store.IndexEntry // the created records, to the builder
	done     chan struct{}           // closed when the build has ended
	built    *search.Built
	buildErr error
}

// span is the queue sequence numbers a batch wrote, (lo, hi].
type span struct{ lo, hi int64 }

// BeginLoad begins a bulk load. The catalogue's other changes to the index
// wait until Finish, which must be called.
func (c *Catalog) BeginLoad(ctx context.Context) (*BulkLoad, error) {
	c.syncMu.Lock()
	l, err := c.beginLoad(ctx)
	if err != nil {
		c.syncMu.Unlock()
	}
	return l, err
}

func (c *Catalog) beginLoad(ctx context.Context) (*BulkLoad, error) {
	if c.readOnly {
		return nil, errReadOnly
	}
	l := &BulkLoad{c: c, start: time.Now(), redo: map[int64]bool{},
		entries: make(chan []store.IndexEntry, 2), done: make(chan struct{})}
	var err error
	if _, l.first, err = c.db.IndexQueueBounds(ctx); err != nil {
		return nil, err
	}
	if l.maxID, err = c.db.MaxRecordID(ctx); err != nil {
		return nil, err
	}
	l.sent = l.maxID
	// The records the load inserts are not queued (store.Unqueued): from
	// its first batch on, the old index is out of step with the store for
	// good. It answers searches until the new one is built, marked stale
	// so that, should the process die before then, the next start
	// rebuilds it.
	old := c.index()
	if old == nil {
		return nil, errClosed
	}
	if err := old.MarkStale(); err != nil {
		if errors.Is(err, search.ErrWriteFailed) {
			c.reopen()
		}
		return nil, err
	}
	go func() {
		defer close(l.done)
		l.built, l.buildErr = search.BuildStream(c.dir, l.feed(ctx), c.opts)
	}()
	return l, nil
}

// feed is the build's feed: the records the load creates as it saves
// them, then the records there before it, read from the store.
func (l *BulkLoad) feed(ctx context.Context) func(add func([]search.Doc) error) (int64, error) {
	return func(add func([]search.Doc) error) (int64, error) {
		var failed error
		for es := range l.entries {
			if failed == nil {
				failed = add(docsOf(es))
			}
		}
		if failed == nil && l.maxID > 0 {
			errStop := errors.New("stop")
			err := l.c.db.EachIndexBatch(ctx, 1000, func(es []store.IndexEntry) error {
				for i, e := range es {
					if e.Record.ID > l.maxID {
						if err := add(docsOf(es[:i])); err != nil {
							return err
						}
						return errStop
					}
				}
				return add(docsOf(es))
			})
			if err != nil && !errors.Is(err, errStop) {
				failed = err
			}
		}
		var last int64
		if len(l.own) > 0 {
			last = l.own[len(l.own)-1].hi
		}
		return max(last, l.first), failed
	}
}

// Save writes recs (insert, or update by Source) in one transaction, with
// copies for each when given, and reports how many it created. A batch
// that fails leaves nothing behind, in the store or the index: the load
// goes on with the next.
func (l *BulkLoad) Save(ctx context.Context, recs []*store.Record, copies [][]store.Copy) (added int, err error) {
	var sp span
	var created []bool
	now := l.c.clock.Now()
	err = l.c.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if sp.lo, err = store.QueueHighest(ctx, tx); err != nil {
			return err
		}
		err = store.Unqueued(ctx, tx, func() error {
			created, err = saveBatch(ctx, tx, recs, copies, now)
			return err
		})
		if err != nil {
			return err
		}
		sp.hi, err = store.QueueHighest(ctx, tx)
		return err
	})
	if err != nil {
		return 0, err
	}
	l.saved += len(recs)
	l.own = append(l.own, sp)
	es := make([]store.IndexEntry, 0, len(recs))
	for i, r := range recs {
		if created[i] {
			added++
		}
		switch {
		case r.ID <= l.maxID:
			continue // there before the load: read once it is written
		case r.ID <= l.sent || l.redo[r.ID]:
			// A record inserted gets an id above every record's before it
			// (rowids grow), so an id at or below the highest sent to the
			// index so far is an update of one of the load's own: the
			// builder has it already, and would index it twice.
			l.redo[r.ID] = true
			continue
		}
		l.sent = r.ID
		var cs []store.Copy
		if i < len(copies) {
			cs = copies[i]
		}
		es = append(es, store.IndexEntry{Record: r, Holdings: store.HoldingsOf(cs)})
	}
	select {
	case l.entries <- es:
	case <-l.done:
		// The build has failed already; Finish rebuilds from the store.
	}
	return added, nil
}

// Finish ends the load: it waits for the index build, puts the new index
// in place of the old one, and applies the changes made meanwhile. Should
// the build fail, the index is rebuilt from the store.
func (l *BulkLoad) Finish(ctx context.Context) error {
	c := l.c
	defer c.syncMu.Unlock()
	close(l.entries)
	<-l.done
	buildErr := l.buildErr
	if buildErr == nil {
		buildErr = c.install(l.built)
	}
	if buildErr != nil {
		// The store has what was written; a rebuild makes the index match.
		c.log.Error("bulk load: index build failed; rebuilding", "err", buildErr)
		if rerr := c.rebuildLocked(ctx); rerr != nil {
			return errors.Join(buildErr, rerr)
		}
		return nil
	}
	ix := c.index()

	// Changes in the queue between the load's own batches were made by
	// other writers: re-read their records too.
	prev := l.first
	var gaps []span
	for _, sp := range l.own {
		if sp.lo > prev {
			gaps = append(gaps, span{prev, sp.lo})
		}
		prev = sp.hi
	}
	for _, g := range gaps {
		after := g.lo
		for after < g.hi {
			changes, err := c.db.IndexQueue(ctx, after, 2000)
			if err != nil {
				return err
			}
			if len(changes) == 0 {
				break
			}
			for _, ch := range changes {
				if ch.Seq <= g.hi {
					l.redo[ch.RecordID] = true
				}
			}
			after = changes[len(changes)-1].Seq
		}
	}
	if len(l.redo) > 0 {
		ids := make([]int64, 0, len(l.redo))
		for id := range l.redo {
			ids = append(ids, id)
		}
		if err := c.applyIDs(ctx, ix, ids, ix.Seq()); err != nil {
			return err
		}
	}
	if err := c.db.TrimIndexQueue(ctx, ix.Seq()); err != nil {
		return err
	}
	c.log.Info("bulk load done", "records", l.saved, "redone", len(l.redo), "took", time.Since(l.start).Round(time.Millisecond))
	return c.syncLocked(ctx)
}

// Load is a bulk load (see BulkLoad) of the batches next yields, an empty
// one at the end. It stops at the first batch next or the store fails,
// and still ends the load, so what was saved is searchable.
func (c *Catalog) Load(ctx context.Context, next func() ([]*store.Record, [][]store.Copy, error)) (saved int, err error) {
	l, err := c.BeginLoad(ctx)
	if err != nil {
		return 0, err
	}
	var writeErr error
	for {
		recs, copies, err := next()
		if err != nil {
			writeErr = err
			break
		}
		if len(recs) == 0 {
			break
		}
		if _, err := l.Save(ctx, recs, copies); err != nil {
			writeErr = err
			break
		}
		saved += len(recs)
	}
	return saved, errors.Join(writeErr, l.Finish(ctx))
}
