package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Page is a content page of the site menu.
type Page struct {
	Slug      string
	Title     string
	TitleEn   string
	Body      string // Markdown
	MenuOrder int
	UpdatedAt time.Time
}

// SavePage inserts or replaces a content page inside the caller's transaction.
func SavePage(ctx context.Context, tx *sql.Tx, p Page, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pages(slug, title, title_en, body, menu_order, updated_at)
		VALUES(?,?,?,?,?,?) ON CONFLICT(slug) DO UPDATE SET title=excluded.title, title_en=excluded.title_en,
		body=excluded.body, menu_order=excluded.menu_order, updated_at=excluded.updated_at`,
		p.Slug, p.Title, p.TitleEn, p.Body, p.MenuOrder, fmtTime(now))
	if err != nil {
		return fmt.Errorf("store: save page %s: %w", p.Slug, mapErr(err))
	}
	return nil
}

// Pages lists the content pages in menu order, without their bodies.
func (db *DB) Pages(ctx context.Context) ([]Page, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT slug, title, title_en, menu_order, updated_at FROM pages ORDER BY menu_order, slug`)
	if err != nil {
		return nil, fmt.Errorf("store: pages: %w", err)
	}
	defer rows.Close()
	var out []Page
	for rows.Next() {
		var p Page
		var ts string
		if err := rows.Scan(&p.Slug, &p.Title, &p.TitleEn, &p.MenuOrder, &ts); err != nil {
			return nil, err
		}
		p.UpdatedAt = parseTime(ts)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PageBySlug returns one content page.
func (db *DB) PageBySlug(ctx context.Context, slug string) (*Page, error) {
	var p Page
	var ts string
	err := db.read.QueryRowContext(ctx, `SELECT slug, title, title_en, body, menu_order, updated_at FROM pages WHERE slug = ?`, slug).
		Scan(&p.Slug, &p.Title, &p.TitleEn, &p.Body, &p.MenuOrder, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: page %s: %w", slug, ErrNotFound)
	}
	p.UpdatedAt = parseTime(ts)
	return &p, err
}
