package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

const saveRecordSQL = `INSERT INTO records(source, title, title_yomi, subtitle, subtitle_yomi,
	authors, publisher, publisher_yomi, year, ndc, isbn, material_type, series, series_yomi, volume,
	subjects, description, language, yomi_generated, created_at, updated_at)
	VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
	ON CONFLICT(source) DO UPDATE SET title=excluded.title, title_yomi=excluded.title_yomi,
	subtitle=excluded.subtitle, subtitle_yomi=excluded.subtitle_yomi, authors=excluded.authors,
	publisher=excluded.publisher, publisher_yomi=excluded.publisher_yomi, year=excluded.year,
	ndc=excluded.ndc, isbn=excluded.isbn, material_type=excluded.material_type, series=excluded.series,
	series_yomi=excluded.series_yomi, volume=excluded.volume, subjects=excluded.subjects,
	description=excluded.description, language=excluded.language,
	yomi_generated=excluded.yomi_generated, updated_at=excluded.updated_at
	RETURNING id, created_at`

const addCopySQL = `INSERT INTO copies(record_id, barcode, branch, location, call_number,
	status, transit_to, shelved_on, acquired_on, created_at) VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING id`

// RecordWriter saves many records and copies inside one transaction with
// statements prepared once: preparing the insert for every row took half
// of a bulk import's time.
type RecordWriter struct {
	save, copy *sql.Stmt
	now        string
}

// NewRecordWriter prepares the statements on tx. Close it before the
// transaction ends.
func NewRecordWriter(ctx context.Context, tx *sql.Tx, now time.Time) (*RecordWriter, error) {
	save, err := tx.PrepareContext(ctx, saveRecordSQL)
	if err != nil {
		return nil, fmt.Errorf("store: prepare save record: %w", err)
	}
	cp, err := tx.PrepareContext(ctx, addCopySQL)
	if err != nil {
		save.Close()
		return nil, fmt.Errorf("store: prepare add copy: %w", err)
	}
	return &RecordWriter{save: save, copy: cp, now: fmtTime(now)}, nil
}

// Close releases the prepared statements.
func (w *RecordWriter) Close() error {
	return errors.Join(w.save.Close(), w.copy.Close())
}

// Save inserts r, or updates the record with the same Source, and sets
// r.ID and r.CreatedAt; created reports an insert.
func (w *RecordWriter) Save(ctx context.Context, r *Record) (created bool, err error) {
	if strings.TrimSpace(r.Title) == "" {
		return false, fmt.Errorf("store: save record: %w: empty title", ErrConstraint)
	}
	if r.Source == "" {
		return false, fmt.Errorf("store: save record: %w: empty source", ErrConstraint)
	}
	if r.MaterialType == "" {
		r.MaterialType = MaterialBook
	}
	authors, _ := json.Marshal(nonNil(r.Authors))
	subjects, _ := json.Marshal(nonNilS(r.Subjects))
	var createdAt string
	err = w.save.QueryRowContext(ctx,
		r.Source, r.Title, r.TitleYomi, r.Subtitle, r.SubtitleYomi, string(authors), r.Publisher,
		r.PublisherYomi, r.Year, r.NDC, r.ISBN, r.MaterialType, r.Series, r.SeriesYomi, r.Volume,
		string(subjects), r.Description, r.Language, r.YomiGenerated, w.now, w.now).Scan(&r.ID, &createdAt)
	if err != nil {
		return false, fmt.Errorf("store: save record %q: %w", r.Source, mapErr(err))
	}
	r.CreatedAt = parseTime(createdAt)
	return createdAt == w.now, nil
}

// AddCopy inserts a copy and sets c.ID.
func (w *RecordWriter) AddCopy(ctx context.Context, c *Copy) error {
	if c.Status == "" {
		c.Status = CopyOnShelf
	}
	var transit any
	if c.TransitTo != "" {
		transit = c.TransitTo
	}
	err := w.copy.QueryRowContext(ctx, c.RecordID, c.Barcode, c.Branch, c.Location, c.CallNumber,
		c.Status, transit, c.ShelvedOn, c.AcquiredOn, w.now).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: add copy %q: %w", c.Barcode, mapErr(err))
	}
	return nil
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
