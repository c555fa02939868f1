package store

import (
	"context"
	"database/sql"
	"fmt"
)

// EndedHolds lists the waiting holds without a copy whose end date
// ("この日以降は不要") is before today: they lapse quietly.
func EndedHolds(ctx context.Context, tx *sql.Tx, today string) ([]Hold, error) {
	return queryHolds(ctx, tx, "ended holds", `h.not_after IS NOT NULL
		AND h.not_after < ? AND h.status = 'waiting' AND +h.copy_id IS NULL ORDER BY h.id`, today)
}

// queryHolds lists the holds h matching where (with its ORDER BY).
func queryHolds(ctx context.Context, q Querier, what, where string, args ...any) ([]Hold, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+holdCols+` FROM holds h WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *h)
	}
	return out, rows.Err()
}

// SetHoldSeries puts a hold in a series group at its place in reading
// order.
func SetHoldSeries(ctx context.Context, tx *sql.Tx, holdID, group int64, seq int) error {
	if _, err := tx.ExecContext(ctx, `UPDATE holds SET series_group = ?, series_seq = ? WHERE id = ?`, group, seq, holdID); err != nil {
		return fmt.Errorf("store: hold series: %w", mapErr(err))
	}
	return nil
}

// SeriesGroupHolds lists a patron's holds of one series group in
// reading order.
func SeriesGroupHolds(ctx context.Context, tx *sql.Tx, patronID, group int64) ([]Hold, error) {
	return queryHolds(ctx, tx, "series group", `h.patron_id = ? AND h.series_group = ? ORDER BY h.series_seq, h.id`, patronID, group)
}

// SeriesRecords lists the records of a series, or of a multi-volume
// title: those whose series is name, and those titled name that have a
// volume (at most limit).
func (db *DB) SeriesRecords(ctx context.Context, name string, limit int) ([]*Record, error) {
	return db.records(ctx, "series", "series = ? OR (title = ? AND volume != '') ORDER BY id LIMIT ?", name, name, limit)
}

// TitleVolumes counts the records titled title that have a volume: the
// volumes of a multi-volume work (上巻, 下巻).
func (db *DB) TitleVolumes(ctx context.Context, title string) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE title = ? AND volume != ''`, title).Scan(&n)
	return n, err
}
