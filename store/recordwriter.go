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
	subjects, description, extent, language, yomi_generated, created_at, updated_at)
	VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)` + saveRecordUpsert + `
	RETURNING id, created_at`

// saveRecordUpsert is the conflict clause of saveRecordSQL, shared with
// the statements that save many records at once.
const saveRecordUpsert = `
	ON CONFLICT(source) DO UPDATE SET title=excluded.title, title_yomi=excluded.title_yomi,
	subtitle=excluded.subtitle, subtitle_yomi=excluded.subtitle_yomi, authors=excluded.authors,
	publisher=excluded.publisher, publisher_yomi=excluded.publisher_yomi, year=excluded.year,
	ndc=excluded.ndc, isbn=excluded.isbn, material_type=excluded.material_type, series=excluded.series,
	series_yomi=excluded.series_yomi, volume=excluded.volume, subjects=excluded.subjects,
	description=excluded.description, extent=excluded.extent, language=excluded.language,
	yomi_generated=excluded.yomi_generated, updated_at=excluded.updated_at`

const addCopySQL = `INSERT INTO copies(record_id, barcode, branch, location, call_number,
	status, transit_to, shelved_on, acquired_on, created_at) VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING id`

// Rows one multi-row statement of a RecordWriter writes: the driver's and
// database/sql's cost per statement, not SQLite's per row, was most of a
// bulk import's time. Both stay well below SQLite's limit of 32,766
// parameters.
const (
	recordsPerStmt = 50  // 22 parameters each
	copiesPerStmt  = 100 // 11 parameters each
)

// RecordWriter saves many records and copies inside one transaction, with
// multi-row statements prepared once: preparing the insert for every row
// took half of a bulk import's time, and running one statement per row
// most of the rest.
type RecordWriter struct {
	tx         *sql.Tx
	save, copy *sql.Stmt
	multi      map[string]*sql.Stmt // multi-row statements by kind and rows
	now        string
	nextCopy   int64 // the id AddCopies gives next; 0: read the highest first
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
	return &RecordWriter{tx: tx, save: save, copy: cp, multi: map[string]*sql.Stmt{}, now: fmtTime(now)}, nil
}

// Close releases the prepared statements.
func (w *RecordWriter) Close() error {
	errs := []error{w.save.Close(), w.copy.Close()}
	for _, st := range w.multi {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// stmt returns the multi-row statement of kind ("records", "copies") for n
// rows, preparing it the first time.
func (w *RecordWriter) stmt(ctx context.Context, kind string, n int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s/%d", kind, n)
	if st, ok := w.multi[key]; ok {
		return st, nil
	}
	var q string
	switch kind {
	case "records":
		q = strings.Replace(saveRecordSQL, "RETURNING id, created_at", "RETURNING id, created_at, source", 1)
		q = strings.Replace(q, saveRecordUpsert, strings.Repeat(",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", n-1)+saveRecordUpsert, 1)
	case "copies":
		q = strings.Replace(addCopySQL, "copies(record_id,", "copies(id, record_id,", 1)
		q = strings.Replace(q, "VALUES(?,", "VALUES(?,?,", 1)
		q = strings.Replace(q, " RETURNING id", strings.Repeat(",(?,?,?,?,?,?,?,?,?,?,?)", n-1), 1)
	}
	st, err := w.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: prepare save %s: %w", kind, err)
	}
	w.multi[key] = st
	return st, nil
}

// Save inserts r, or updates the record with the same Source, and sets
// r.ID and r.CreatedAt; created reports an insert.
func (w *RecordWriter) Save(ctx context.Context, r *Record) (created bool, err error) {
	args, err := w.recordArgs(r, nil)
	if err != nil {
		return false, err
	}
	var createdAt string
	if err := w.save.QueryRowContext(ctx, args...).Scan(&r.ID, &createdAt); err != nil {
		return false, fmt.Errorf("store: save record %q: %w", r.Source, mapErr(err))
	}
	r.CreatedAt = parseTime(createdAt)
	return createdAt == w.now, nil
}

func (w *RecordWriter) recordArgs(r *Record, args []any) ([]any, error) {
	if strings.TrimSpace(r.Title) == "" {
		return nil, fmt.Errorf("store: save record: %w: empty title", ErrConstraint)
	}
	if r.Source == "" {
		return nil, fmt.Errorf("store: save record: %w: empty source", ErrConstraint)
	}
	if r.MaterialType == "" {
		r.MaterialType = MaterialBook
	}
	authors, _ := json.Marshal(nonNil(r.Authors))
	subjects, _ := json.Marshal(nonNilS(r.Subjects))
	return append(args,
		r.Source, r.Title, r.TitleYomi, r.Subtitle, r.SubtitleYomi, string(authors), r.Publisher,
		r.PublisherYomi, r.Year, r.NDC, r.ISBN, r.MaterialType, r.Series, r.SeriesYomi, r.Volume,
		string(subjects), r.Description, r.Extent, r.Language, r.YomiGenerated, w.now, w.now), nil
}

// SaveAll saves recs as Save does, several to a statement, and reports
// which it inserted. A record whose Source comes twice is inserted once
// and then updated, as with Save.
func (w *RecordWriter) SaveAll(ctx context.Context, recs []*Record) (created []bool, err error) {
	created = make([]bool, len(recs))
	args := make([]any, 0, 22*recordsPerStmt)
	for lo := 0; lo < len(recs); lo += recordsPerStmt {
		part := recs[lo:min(lo+recordsPerStmt, len(recs))]
		if len(part) == 1 || hasDuplicateSource(part) {
			// One row, or a source twice in one statement (SQLite's
			// upsert would see the earlier row, but RETURNING order is
			// unspecified): row by row.
			for i, r := range part {
				if created[lo+i], err = w.Save(ctx, r); err != nil {
					return nil, err
				}
			}
			continue
		}
		args = args[:0]
		for _, r := range part {
			if args, err = w.recordArgs(r, args); err != nil {
				return nil, err
			}
		}
		st, err := w.stmt(ctx, "records", len(part))
		if err != nil {
			return nil, err
		}
		bySource := make(map[string]int, len(part))
		for i, r := range part {
			bySource[r.Source] = i
		}
		n, err := eachReturned(ctx, st, args, func(rows *sql.Rows) error {
			var id int64
			var createdAt, source string
			if err := rows.Scan(&id, &createdAt, &source); err != nil {
				return err
			}
			i, ok := bySource[source]
			if !ok {
				return fmt.Errorf("%w: source %q", errReturned, source)
			}
			part[i].ID, part[i].CreatedAt = id, parseTime(createdAt)
			created[lo+i] = createdAt == w.now
			return nil
		})
		switch {
		case errors.Is(err, errReturned) || (err == nil && n != len(part)):
			return nil, fmt.Errorf("store: save records: %d of %d returned: %w", n, len(part), err)
		case err != nil:
			// The statement changed nothing; row by row finds the
			// record at fault and reports it as Save does.
			for i, r := range part {
				if created[lo+i], err = w.Save(ctx, r); err != nil {
					return nil, err
				}
			}
		}
	}
	return created, nil
}

func hasDuplicateSource(recs []*Record) bool {
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		if seen[r.Source] {
			return true
		}
		seen[r.Source] = true
	}
	return false
}

// errReturned marks a RETURNING row that matches no row written: a bug,
// not a refusal of the data, so not worth retrying row by row.
var errReturned = errors.New("store: unexpected row returned")

// eachReturned runs the RETURNING statement st and hands each row to fn and
// reports how many there were. SQLite runs the statement to its end
// before the first row comes back, so an error from the statement itself
// means it changed nothing.
func eachReturned(ctx context.Context, st *sql.Stmt, args []any, fn func(*sql.Rows) error) (n int, _ error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, rows.Close()
}

// AddCopy inserts a copy and sets c.ID.
func (w *RecordWriter) AddCopy(ctx context.Context, c *Copy) error {
	w.nextCopy = 0 // SQLite chose the id: read the highest again
	err := w.copy.QueryRowContext(ctx, w.copyArgs(c, nil)...).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: add copy %q: %w", c.Barcode, mapErr(err))
	}
	return nil
}

func (w *RecordWriter) copyArgs(c *Copy, args []any) []any {
	if c.Status == "" {
		c.Status = CopyOnShelf
	}
	var transit any
	if c.TransitTo != "" {
		transit = c.TransitTo
	}
	return append(args, c.RecordID, c.Barcode, c.Branch, c.Location, c.CallNumber,
		c.Status, transit, c.ShelvedOn, c.AcquiredOn, w.now)
}

// AddCopies inserts copies as AddCopy does, several to a statement. It
// gives them their ids itself, the next after the highest, as SQLite
// would (the transaction is the only writer): reading them back with
// RETURNING was a sixth of a bulk load's time in SQLite.
func (w *RecordWriter) AddCopies(ctx context.Context, cs []*Copy) error {
	args := make([]any, 0, 11*copiesPerStmt)
	for lo := 0; lo < len(cs); lo += copiesPerStmt {
		part := cs[lo:min(lo+copiesPerStmt, len(cs))]
		if len(part) == 1 {
			if err := w.AddCopy(ctx, part[0]); err != nil {
				return err
			}
			continue
		}
		if w.nextCopy == 0 {
			var highest int64
			if err := w.tx.QueryRowContext(ctx, "SELECT COALESCE(max(id), 0) FROM copies").Scan(&highest); err != nil {
				return fmt.Errorf("store: add copies: %w", err)
			}
			w.nextCopy = highest + 1
		}
		args = args[:0]
		for i, c := range part {
			args = w.copyArgs(c, append(args, w.nextCopy+int64(i)))
		}
		st, err := w.stmt(ctx, "copies", len(part))
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			// The statement changed nothing (a duplicate barcode, an
			// unknown branch): row by row names the copy at fault.
			for _, c := range part {
				if err := w.AddCopy(ctx, c); err != nil {
					return err
				}
			}
			continue
		}
		for i, c := range part {
			c.ID = w.nextCopy + int64(i)
		}
		w.nextCopy += int64(len(part))
	}
	return nil
}
