package store

import (
	"context"
	"database/sql"
	"fmt"
)

// AddLoanCount adds n anonymous loans of a record at a branch on a day.
func AddLoanCount(ctx context.Context, tx *sql.Tx, recordID int64, branch, day string, n int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO loan_counts(record_id, branch, day, count) VALUES(?,?,?,?)
		ON CONFLICT(record_id, branch, day) DO UPDATE SET count = count + excluded.count`, recordID, branch, day, n)
	if err != nil {
		return fmt.Errorf("store: loan count: %w", mapErr(err))
	}
	return nil
}

// LoanRanking is one line of a most-borrowed or most-reserved list.
type LoanRanking struct {
	RecordID int64
	Count    int
}

// TopLoans ranks records by anonymous loan counts since a day (inclusive;
// "" for all time).
func (db *DB) TopLoans(ctx context.Context, since string, limit int) ([]LoanRanking, error) {
	return db.ranking(ctx, `SELECT record_id, sum(count) AS n FROM loan_counts WHERE day >= ?
		GROUP BY record_id ORDER BY n DESC, record_id LIMIT ?`, since, limit)
}

// TopHolds ranks records by holds waiting now.
func (db *DB) TopHolds(ctx context.Context, limit int) ([]LoanRanking, error) {
	return db.ranking(ctx, `SELECT record_id, count(*) AS n FROM holds WHERE status = 'waiting'
		GROUP BY record_id ORDER BY n DESC, record_id LIMIT ?`, limit)
}

func (db *DB) ranking(ctx context.Context, q string, args ...any) ([]LoanRanking, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: ranking: %w", err)
	}
	defer rows.Close()
	var out []LoanRanking
	for rows.Next() {
		var r LoanRanking
		if err := rows.Scan(&r.RecordID, &r.Count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
