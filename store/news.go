package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// NewsItem is one notice on the home page.
type NewsItem struct {
	ID    int64
	Day   string
	Title string
	Body  string // Markdown
}

// AddNews inserts a news item inside the caller's transaction.
func AddNews(ctx context.Context, tx *sql.Tx, n *NewsItem, now time.Time) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO news(day, title, body, created_at) VALUES(?,?,?,?) RETURNING id`,
		n.Day, n.Title, n.Body, fmtTime(now)).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("store: add news: %w", mapErr(err))
	}
	return nil
}

// UpdateNews changes a news item.
func UpdateNews(ctx context.Context, tx *sql.Tx, n *NewsItem) error {
	res, err := tx.ExecContext(ctx, `UPDATE news SET day = ?, title = ?, body = ? WHERE id = ?`, n.Day, n.Title, n.Body, n.ID)
	if err != nil {
		return fmt.Errorf("store: update news: %w", mapErr(err))
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fmt.Errorf("store: update news: %w", ErrNotFound)
	}
	return nil
}

// DeleteNews removes a news item.
func DeleteNews(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM news WHERE id = ?`, id)
	return mapErr(err)
}

// News lists published news, newest first; limit <= 0 means all.
func (db *DB) News(ctx context.Context, limit int) ([]NewsItem, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, day, title, body FROM news WHERE published = 1
		ORDER BY day DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: news: %w", err)
	}
	defer rows.Close()
	var out []NewsItem
	for rows.Next() {
		var n NewsItem
		if err := rows.Scan(&n.ID, &n.Day, &n.Title, &n.Body); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NewsByID returns one published news item.
func (db *DB) NewsByID(ctx context.Context, id int64) (*NewsItem, error) {
	var n NewsItem
	err := db.read.QueryRowContext(ctx, `SELECT id, day, title, body FROM news WHERE id = ? AND published = 1`, id).
		Scan(&n.ID, &n.Day, &n.Title, &n.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: news %d: %w", id, ErrNotFound)
	}
	return &n, err
}
