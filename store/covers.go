package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Where a cover came from.
const (
	CoverUpload = "upload" // staff uploaded it
	CoverImport = "import" // an import folder brought it
)

// Cover is a record's cover image, a JPEG.
type Cover struct {
	RecordID   int64
	Hash       string // names Image's bytes
	SourceHash string // names the bytes of the file it was made from
	Source     string // CoverUpload or CoverImport
	Width      int
	Height     int
	Image      []byte
	UpdatedAt  time.Time
}

// SaveCover puts c in place of the record's cover, if it had one.
func SaveCover(ctx context.Context, tx *sql.Tx, c *Cover, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO covers(record_id, hash, source_hash, source, width, height, image, updated_at)
		VALUES(?,?,?,?,?,?,?,?)
		ON CONFLICT(record_id) DO UPDATE SET hash = excluded.hash, source_hash = excluded.source_hash,
			source = excluded.source, width = excluded.width, height = excluded.height,
			image = excluded.image, updated_at = excluded.updated_at`,
		c.RecordID, c.Hash, c.SourceHash, c.Source, c.Width, c.Height, c.Image, fmtTime(now))
	if err != nil {
		return fmt.Errorf("store: save cover: %w", mapErr(err))
	}
	c.UpdatedAt = now
	return nil
}

// DeleteCover removes the record's cover; it is no error when it had none.
func DeleteCover(ctx context.Context, tx *sql.Tx, recordID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM covers WHERE record_id = ?`, recordID); err != nil {
		return fmt.Errorf("store: delete cover: %w", mapErr(err))
	}
	return nil
}

// CoverSource reports where the record's cover came from and the hash of
// the file it was made from, inside a transaction; ErrNotFound when it
// has none.
func CoverSource(ctx context.Context, tx *sql.Tx, recordID int64) (source, sourceHash string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT source, source_hash FROM covers WHERE record_id = ?`, recordID).Scan(&source, &sourceHash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("store: cover of %d: %w", recordID, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("store: cover source: %w", mapErr(err))
	}
	return source, sourceHash, nil
}

// Cover returns the record's cover with its image; ErrNotFound when it
// has none.
func (db *DB) Cover(ctx context.Context, recordID int64) (*Cover, error) {
	c := Cover{RecordID: recordID}
	var updated string
	err := db.read.QueryRowContext(ctx, `SELECT hash, source_hash, source, width, height, image, updated_at FROM covers WHERE record_id = ?`, recordID).
		Scan(&c.Hash, &c.SourceHash, &c.Source, &c.Width, &c.Height, &c.Image, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: cover of %d: %w", recordID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: cover: %w", err)
	}
	c.UpdatedAt = parseTime(updated)
	return &c, nil
}

// CoverHashes returns the hash of the cover of each of the records that
// have one: what a page of hits needs to name their images.
func (db *DB) CoverHashes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT record_id, hash FROM covers WHERE record_id IN (`+placeholders(len(ids))+`)`, int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("store: cover hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

// RecordsByISBN returns the ids of the records with the given ISBN-13.
func (db *DB) RecordsByISBN(ctx context.Context, isbn13 string) ([]int64, error) {
	return db.ids(ctx, "records by isbn", `SELECT id FROM records WHERE isbn = ? ORDER BY id`, isbn13)
}

// ids runs a query of one column of ids; what names it in errors.
func (db *DB) ids(ctx context.Context, what, query string, args ...any) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
