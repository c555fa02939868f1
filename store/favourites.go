package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Favourite is a title on a patron's list of favourites.
type Favourite struct {
	RecordID int64
	Title    string
	Authors  []Author
	AddedAt  time.Time
}

// AddFavourite puts a record on a patron's favourites; adding it again
// changes nothing.
func AddFavourite(ctx context.Context, tx *sql.Tx, patronID, recordID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO favourites(patron_id, record_id, added_at) VALUES(?, ?, ?)
		ON CONFLICT(patron_id, record_id) DO NOTHING`, patronID, recordID, fmtTime(now))
	if err != nil {
		return fmt.Errorf("store: add favourite: %w", mapErr(err))
	}
	return nil
}

// RemoveFavourite takes a record off a patron's favourites; ErrNotFound
// when it was not on them.
func RemoveFavourite(ctx context.Context, tx *sql.Tx, patronID, recordID int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM favourites WHERE patron_id = ? AND record_id = ?`, patronID, recordID)
	if err != nil {
		return fmt.Errorf("store: remove favourite: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: favourite %d: %w", recordID, ErrNotFound)
	}
	return nil
}

// Favourites lists a patron's favourites, the latest added first.
func (db *DB) Favourites(ctx context.Context, patronID int64) ([]Favourite, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT f.record_id, r.title, r.authors, f.added_at FROM favourites f
		JOIN records r ON r.id = f.record_id WHERE f.patron_id = ? ORDER BY f.added_at DESC, f.record_id DESC`, patronID)
	if err != nil {
		return nil, fmt.Errorf("store: favourites: %w", err)
	}
	defer rows.Close()
	var out []Favourite
	for rows.Next() {
		var f Favourite
		var authors, added string
		if err := rows.Scan(&f.RecordID, &f.Title, &authors, &added); err != nil {
			return nil, err
		}
		f.Authors = parseAuthors(authors)
		f.AddedAt = parseTime(added)
		out = append(out, f)
	}
	return out, rows.Err()
}

// IsFavourite reports whether a record is on a patron's favourites.
func (db *DB) IsFavourite(ctx context.Context, patronID, recordID int64) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM favourites WHERE patron_id = ? AND record_id = ?`, patronID, recordID).Scan(&n)
	return n > 0, err
}

// parseAuthors reads a record's authors column (JSON).
func parseAuthors(s string) []Author {
	var as []Author
	_ = json.Unmarshal([]byte(s), &as)
	return as
}
