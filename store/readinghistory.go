package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Reading is one return in a patron's reading history (読書通帳).
type Reading struct {
	ID         int64
	RecordID   int64 // 0 once the record is gone
	Title      string
	Author     string
	LoanedOn   string // YYYY-MM-DD
	ReturnedOn string // YYYY-MM-DD
}

// SetReadingHistory turns a patron's reading history on or off; off
// deletes every entry of it.
func SetReadingHistory(ctx context.Context, tx *sql.Tx, patronID int64, on bool) error {
	if _, err := tx.ExecContext(ctx, `UPDATE patrons SET reading_history = ? WHERE id = ?`, on, patronID); err != nil {
		return fmt.Errorf("store: reading history: %w", mapErr(err))
	}
	if on {
		return nil
	}
	return ClearReadings(ctx, tx, patronID)
}

// ReadingHistoryOn reports whether a patron keeps a reading history.
func ReadingHistoryOn(ctx context.Context, q Querier, patronID int64) (bool, error) {
	var on bool
	err := q.QueryRowContext(ctx, `SELECT reading_history FROM patrons WHERE id = ?`, patronID).Scan(&on)
	if err != nil {
		return false, fmt.Errorf("store: reading history: %w", mapErr(err))
	}
	return on, nil
}

// AddReading writes a return into the patron's reading history, with the
// record's title and first author as they are now.
func AddReading(ctx context.Context, tx *sql.Tx, patronID, recordID int64, loanedOn, returnedOn string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO reading_history(patron_id, record_id, title, author, loaned_on, returned_on)
		SELECT ?, id, title, COALESCE(json_extract(authors, '$[0].name'), ''), ?, ? FROM records WHERE id = ?`,
		patronID, loanedOn, returnedOn, recordID)
	if err != nil {
		return fmt.Errorf("store: add reading: %w", mapErr(err))
	}
	return nil
}

// Readings lists a patron's reading history, latest return first.
func (db *DB) Readings(ctx context.Context, patronID int64) ([]Reading, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, COALESCE(record_id, 0), title, author, loaned_on, returned_on
		FROM reading_history WHERE patron_id = ? ORDER BY returned_on DESC, id DESC`, patronID)
	if err != nil {
		return nil, fmt.Errorf("store: readings: %w", err)
	}
	defer rows.Close()
	var out []Reading
	for rows.Next() {
		var r Reading
		if err := rows.Scan(&r.ID, &r.RecordID, &r.Title, &r.Author, &r.LoanedOn, &r.ReturnedOn); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteReading deletes one entry of a patron's reading history;
// ErrNotFound when the patron has no such entry.
func DeleteReading(ctx context.Context, tx *sql.Tx, patronID, id int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM reading_history WHERE id = ? AND patron_id = ?`, id, patronID)
	if err != nil {
		return fmt.Errorf("store: delete reading: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: reading %d: %w", id, ErrNotFound)
	}
	return nil
}

// ClearReadings deletes a patron's whole reading history.
func ClearReadings(ctx context.Context, tx *sql.Tx, patronID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM reading_history WHERE patron_id = ?`, patronID); err != nil {
		return fmt.Errorf("store: clear readings: %w", mapErr(err))
	}
	return nil
}
