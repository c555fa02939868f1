package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Material types a record can have. The list is short on purpose: it is a
// facet patrons click, not a cataloguing standard.
const (
	MaterialBook     = "book"
	MaterialMagazine = "magazine"
	MaterialEbook    = "ebook"
	MaterialAudio    = "audio"
	MaterialVideo    = "video"
	MaterialScore    = "score"
	MaterialMap      = "map"
	MaterialOther    = "other"
)

// MaterialTypes are the material types, in the order pages list them.
var MaterialTypes = []string{MaterialBook, MaterialMagazine, MaterialEbook, MaterialAudio,
	MaterialVideo, MaterialScore, MaterialMap, MaterialOther}

// Author roles, in the words Japanese catalogues use.
const (
	RoleAuthor      = "著"
	RoleTranslator  = "訳"
	RoleEditor      = "編"
	RoleIllustrator = "絵"
	RoleOther       = "他"
)

// Author is one person or body responsible for a record.
type Author struct {
	Name string `json:"name"`
	// Yomi is the reading in katakana, e.g. "ナツメ ソウセキ".
	Yomi string `json:"yomi,omitempty"`
	Role string `json:"role,omitempty"`
}

// Record is a bibliographic record: one title, whatever number of copies.
type Record struct {
	ID int64
	// Source says where the record came from, e.g. "aozora:000148" or
	// "marc:JTNDL:029455884"; an import with the same source updates
	// instead of adding.
	Source        string
	Title         string
	TitleYomi     string // katakana
	Subtitle      string
	SubtitleYomi  string
	Authors       []Author
	Publisher     string
	PublisherYomi string
	Year          int // 0 when unknown
	NDC           string
	ISBN          string // ISBN-13 without hyphens, "" when none
	MaterialType  string
	Series        string
	SeriesYomi    string
	Volume        string
	Subjects      []string
	Description   string
	// Extent is the physical description: pages, size ("269p ; 22cm").
	Extent   string
	Language string // ISO 639-2, e.g. "jpn"
	// YomiGenerated marks readings made by a morphological analyser, not
	// by a cataloguer: they can be wrong for names.
	YomiGenerated bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const recordCols = `id, source, title, title_yomi, subtitle, subtitle_yomi, authors,
	publisher, publisher_yomi, year, ndc, isbn, material_type, series, series_yomi,
	volume, subjects, description, extent, language, yomi_generated, created_at, updated_at`

func scanRecord(sc interface{ Scan(...any) error }) (*Record, error) {
	var r Record
	var authors, subjects, created, updated string
	err := sc.Scan(&r.ID, &r.Source, &r.Title, &r.TitleYomi, &r.Subtitle, &r.SubtitleYomi,
		&authors, &r.Publisher, &r.PublisherYomi, &r.Year, &r.NDC, &r.ISBN, &r.MaterialType,
		&r.Series, &r.SeriesYomi, &r.Volume, &subjects, &r.Description, &r.Extent, &r.Language,
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

// RecordCount is the number of records in the catalogue.
func (db *DB) RecordCount(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM records").Scan(&n)
	return n, err
}

// MaxRecordID is the highest record id in use, 0 when there is none.
func (db *DB) MaxRecordID(ctx context.Context) (int64, error) {
	var id int64
	if err := db.read.QueryRowContext(ctx, "SELECT COALESCE(max(id), 0) FROM records").Scan(&id); err != nil {
		return 0, fmt.Errorf("store: max record id: %w", err)
	}
	return id, nil
}

// RecordExists reports whether a record exists.
func RecordExists(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// RecordTitle reads a record's title inside a transaction.
func RecordTitle(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	var t string
	if err := tx.QueryRowContext(ctx, `SELECT title FROM records WHERE id = ?`, id).Scan(&t); err != nil {
		return "", fmt.Errorf("store: record title: %w", mapErr(err))
	}
	return t, nil
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

// RecordMaterial reads a record's material type; "" when there is no
// such record.
func RecordMaterial(ctx context.Context, q Querier, id int64) (string, error) {
	var m string
	err := q.QueryRowContext(ctx, `SELECT material_type FROM records WHERE id = ?`, id).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: record material: %w", err)
	}
	return m, nil
}

// RecordsInSeries returns up to limit records of a series (its name as
// stored) that give their volume, in no particular order: a publisher's
// series of unnumbered titles (a 文庫) lists nothing.
func (db *DB) RecordsInSeries(ctx context.Context, series string, limit int) ([]*Record, error) {
	if series == "" {
		return nil, nil
	}
	return db.records(ctx, "records in series", "series = ? AND series <> '' AND volume <> '' LIMIT ?", series, limit)
}

// records runs a query of whole records, where the condition (and its
// ORDER BY and LIMIT) follows WHERE; what names it in errors.
func (db *DB) records(ctx context.Context, what, where string, args ...any) ([]*Record, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT "+recordCols+" FROM records WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
