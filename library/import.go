package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"hondana/importer"
	"hondana/store"
	"hondana/yomi"
)

// Importer loads catalogue files into the store. The index follows
// through the store's change queue, or, for an importer of a catalogue
// (Catalog.Importer), through a bulk load once an import is large.
type Importer struct {
	db    *store.DB
	clock Clock
	// BatchSize is how many records one transaction writes.
	BatchSize int
	// Limits bound what a file may make the import read and store (zero:
	// the defaults, see importer.Limits).
	Limits importer.Limits

	cat    *Catalog  // the catalogue whose index the importer keeps, if any
	docs   uint64    // the documents in its index when the importer was made
	queued int64     // records saved through the change queue
	load   *BulkLoad // the bulk load begun, if any
}

// NewImporter returns an importer writing to db; the index follows
// through the store's change queue (a running server applies it).
func NewImporter(db *store.DB, clock Clock) *Importer {
	return &Importer{db: db, clock: clock, BatchSize: 2000}
}

// Importer returns an importer that keeps the catalogue's index in step
// itself, for the process that holds the index (hondana import with no
// server running). Records go through the change queue until so many
// are saved that rebuilding the index beats applying them one by one (as
// OpenCatalog judges a backlog); from then on they go through a bulk
// load, the index built alongside the writes, which is faster and needs
// less memory than queueing them all and rebuilding afterwards. Finish
// brings the index up to date once every file is imported.
func (c *Catalog) Importer() (*Importer, error) {
	ix := c.index()
	if ix == nil {
		return nil, errClosed
	}
	docs, err := ix.Count()
	if err != nil {
		return nil, err
	}
	im := NewImporter(c.db, c.clock)
	im.cat, im.docs = c, docs
	return im, nil
}

// Finish brings the catalogue's index up to date with what the importer
// saved: it ends the bulk load, if one began, or else applies the queued
// changes. It does nothing for an importer made by NewImporter.
func (im *Importer) Finish(ctx context.Context) error {
	if im.cat == nil {
		return nil
	}
	if im.load == nil {
		return im.cat.Sync(ctx)
	}
	l := im.load
	im.load = nil
	return l.Finish(ctx)
}

// ImportStats counts what an import did.
type ImportStats struct {
	Read   int // records read, good or bad
	Saved  int
	Added  int // of Saved, new records
	Errors int
}

// Add adds o to s.
func (s *ImportStats) Add(o ImportStats) {
	s.Read += o.Read
	s.Saved += o.Saved
	s.Added += o.Added
	s.Errors += o.Errors
}

// ImportProgress is reported after every batch and every bad record.
type ImportProgress struct {
	ImportStats
	Err error // the bad record just skipped, with its position
}

// Import reads r in the given format and saves every good record; a bad
// record is reported and skipped, and no record is ever half written.
func (im *Importer) Import(ctx context.Context, r io.Reader, f importer.Format, progress func(ImportProgress)) (ImportStats, error) {
	var st ImportStats
	if progress == nil {
		progress = func(ImportProgress) {}
	}
	batch := make([]*store.Record, 0, im.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := im.loadIfLarge(ctx, len(batch)); err != nil {
			return err
		}
		added, err := im.save(ctx, batch)
		if err != nil {
			// Save one by one to find the record the store refuses.
			for _, rec := range batch {
				a, err := im.save(ctx, []*store.Record{rec})
				if err != nil {
					st.Errors++
					progress(ImportProgress{ImportStats: st, Err: fmt.Errorf("record %q: %w", rec.Source, err)})
					continue
				}
				st.Saved++
				st.Added += a
			}
		} else {
			st.Saved += len(batch)
			st.Added += added
		}
		batch = batch[:0]
		progress(ImportProgress{ImportStats: st})
		return nil
	}
	err := importer.ReadWith(ctx, r, f, im.Limits, func(pos int, rec *store.Record, err error) error {
		st.Read++
		if err != nil || rec == nil {
			st.Errors++
			if err == nil {
				err = fmt.Errorf("record %d: empty", pos)
			}
			progress(ImportProgress{ImportStats: st, Err: err})
			return nil
		}
		batch = append(batch, rec)
		if len(batch) >= im.BatchSize {
			return flush()
		}
		return ctx.Err()
	})
	if err != nil {
		// The records read before a file-wide error (one too large) are
		// good: they are saved, unless the import was cancelled.
		if ctx.Err() == nil {
			err = errors.Join(err, flush())
		}
		return st, err
	}
	if err := flush(); err != nil {
		return st, err
	}
	if st.Read == 0 {
		return st, ErrNoRecords
	}
	return st, nil
}

// ErrNoRecords says a file read without error held no record at all:
// rather a file of another kind than a catalogue with nothing in it.
var ErrNoRecords = errors.New("the file holds no records: is it a catalogue file?")

// loadIfLarge begins the bulk load of an importer of a catalogue when n
// more records queued would make a backlog worth a rebuild.
func (im *Importer) loadIfLarge(ctx context.Context, n int) error {
	if im.cat == nil || im.load != nil || !backlogWantsRebuild(im.queued+int64(n), im.docs) {
		return nil
	}
	l, err := im.cat.BeginLoad(ctx)
	im.load = l
	return err
}

// save writes recs in one transaction and reports how many it created.
func (im *Importer) save(ctx context.Context, recs []*store.Record) (added int, err error) {
	for _, r := range recs {
		fillReadings(r)
		r.ID = 0 // given by a batch that failed
	}
	if im.load != nil {
		return im.load.Save(ctx, recs, nil)
	}
	now := im.clock.Now()
	err = im.db.Tx(ctx, func(tx *sql.Tx) error {
		added = 0
		created, err := saveBatch(ctx, tx, recs, nil, now)
		for _, c := range created {
			if c {
				added++
			}
		}
		return err
	})
	if err == nil {
		im.queued += int64(len(recs))
	}
	return added, err
}

// fillReadings gives a record without a title reading a generated one,
// marked as generated: a patron typing the reading in kana then still
// finds a title catalogued only in kanji. Author readings are left alone,
// as the analyser gets names wrong too often.
func fillReadings(r *store.Record) {
	if r.TitleYomi == "" && yomi.NeedsReading(r.Title) {
		r.TitleYomi = yomi.Reading(r.Title)
		r.YomiGenerated = r.TitleYomi != ""
	}
	if r.SubtitleYomi == "" && r.Subtitle != "" && yomi.NeedsReading(r.Subtitle) {
		r.SubtitleYomi = yomi.Reading(r.Subtitle)
	}
}
