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

// Copy statuses. The first five are the API's item statuses.
const (
	CopyOnShelf     = "on_shelf"
	CopyOnLoan      = "on_loan"
	CopyInTransit   = "in_transit"
	CopyOnHoldShelf = "on_hold_shelf"
	CopyMissing     = "missing"
	CopyWithdrawn   = "withdrawn"
)

// Copy is one physical item of a record.
type Copy struct {
	ID         int64
	RecordID   int64
	Barcode    string
	Branch     string
	Location   string
	CallNumber string
	Status     string
	TransitTo  string
	ShelvedOn  string // YYYY-MM-DD
	AcquiredOn string // YYYY-MM-DD
	DueDate    string // YYYY-MM-DD while on loan, from the loan
}

const recordCols = `id, source, title, title_yomi, subtitle, subtitle_yomi, authors,
	publisher, publisher_yomi, year, ndc, isbn, material_type, series, series_yomi,
	volume, subjects, description, language, yomi_generated, created_at, updated_at`

func scanRecord(sc interface{ Scan(...any) error }) (*Record, error) {
	var r Record
	var authors, subjects, created, updated string
	err := sc.Scan(&r.ID, &r.Source, &r.Title, &r.TitleYomi, &r.Subtitle, &r.SubtitleYomi,
		&authors, &r.Publisher, &r.PublisherYomi, &r.Year, &r.NDC, &r.ISBN, &r.MaterialType,
		&r.Series, &r.SeriesYomi, &r.Volume, &subjects, &r.Description, &r.Language,
		&r.YomiGenerated, &created, &updated)
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(authors), &r.Authors)
	_ = json.Unmarshal([]byte(subjects), &r.Subjects)
	r.CreatedAt, r.UpdatedAt = parseTime(created), parseTime(updated)
	return &r, nil
}

// Record returns one record by id.
func (db *DB) Record(ctx context.Context, id int64) (*Record, error) {
	row := db.read.QueryRowContext(ctx, "SELECT "+recordCols+" FROM records WHERE id = ?", id)
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: record %d: %w", id, ErrNotFound)
	}
	return r, err
}

// RecordsByID returns the records with the given ids, in that order,
// skipping ids that do not exist.
func (db *DB) RecordsByID(ctx context.Context, ids []int64) ([]*Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, "SELECT "+recordCols+" FROM records WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: records by id: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]*Record, len(ids))
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		byID[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*Record, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// RecordByISBN returns the first record with the given ISBN-13.
func (db *DB) RecordByISBN(ctx context.Context, isbn13 string) (*Record, error) {
	row := db.read.QueryRowContext(ctx, "SELECT "+recordCols+" FROM records WHERE isbn = ? ORDER BY id LIMIT 1", isbn13)
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: record isbn %s: %w", isbn13, ErrNotFound)
	}
	return r, err
}

// SaveRecord inserts r, or updates the record with the same Source, and
// sets r.ID and r.CreatedAt; created reports an insert. It runs inside the
// caller's transaction.
func SaveRecord(ctx context.Context, tx *sql.Tx, r *Record, now time.Time) (created bool, err error) {
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
	ts := fmtTime(now)
	var createdAt string
	err = tx.QueryRowContext(ctx, saveRecordSQL,
		r.Source, r.Title, r.TitleYomi, r.Subtitle, r.SubtitleYomi, string(authors), r.Publisher,
		r.PublisherYomi, r.Year, r.NDC, r.ISBN, r.MaterialType, r.Series, r.SeriesYomi, r.Volume,
		string(subjects), r.Description, r.Language, r.YomiGenerated, ts, ts).Scan(&r.ID, &createdAt)
	if err != nil {
		return false, fmt.Errorf("store: save record %q: %w", r.Source, mapErr(err))
	}
	r.CreatedAt = parseTime(createdAt)
	return createdAt == ts, nil
}

// AddCopy inserts a copy inside the caller's transaction and sets c.ID.
func AddCopy(ctx context.Context, tx *sql.Tx, c *Copy, now time.Time) error {
	if c.Status == "" {
		c.Status = CopyOnShelf
	}
	var transit any
	if c.TransitTo != "" {
		transit = c.TransitTo
	}
	err := tx.QueryRowContext(ctx, addCopySQL,
		c.RecordID, c.Barcode, c.Branch, c.Location, c.CallNumber, c.Status, transit,
		c.ShelvedOn, c.AcquiredOn, fmtTime(now)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: add copy %q: %w", c.Barcode, mapErr(err))
	}
	return nil
}

const copyCols = `c.id, c.record_id, c.barcode, c.branch, c.location, c.call_number, c.status,
	COALESCE(c.transit_to, ''), c.shelved_on, c.acquired_on, COALESCE(l.due_date, '')`

func scanCopies(rows *sql.Rows) ([]Copy, error) {
	defer rows.Close()
	var out []Copy
	for rows.Next() {
		var c Copy
		if err := rows.Scan(&c.ID, &c.RecordID, &c.Barcode, &c.Branch, &c.Location, &c.CallNumber,
			&c.Status, &c.TransitTo, &c.ShelvedOn, &c.AcquiredOn, &c.DueDate); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CopiesOf returns the copies of several records, keyed by record id.
func (db *DB) CopiesOf(ctx context.Context, recordIDs []int64) (map[int64][]Copy, error) {
	out := make(map[int64][]Copy, len(recordIDs))
	if len(recordIDs) == 0 {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+copyCols+` FROM copies c
		LEFT JOIN loans l ON l.copy_id = c.id
		LEFT JOIN branches b ON b.code = c.branch
		WHERE c.record_id IN (`+placeholders(len(recordIDs))+`) AND c.status <> 'withdrawn'
		ORDER BY b.sort_order, c.barcode`, int64Args(recordIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: copies of: %w", err)
	}
	cs, err := scanCopies(rows)
	for _, c := range cs {
		out[c.RecordID] = append(out[c.RecordID], c)
	}
	return out, err
}

// HoldsWaiting counts the holds not yet filled for each record.
func (db *DB) HoldsWaiting(ctx context.Context, recordIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(recordIDs))
	if len(recordIDs) == 0 {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT record_id, count(*) FROM holds
		WHERE status = 'waiting' AND record_id IN (`+placeholders(len(recordIDs))+`) GROUP BY record_id`,
		int64Args(recordIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: holds waiting: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// RecordCount is the number of records in the catalogue.
func (db *DB) RecordCount(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM records").Scan(&n)
	return n, err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

func nonNil(a []Author) []Author {
	if a == nil {
		return []Author{}
	}
	return a
}

func nonNilS(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
