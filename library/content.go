package library

import (
	"context"
	"database/sql"
	"time"
	"unicode/utf8"

	"hondana/store"
)

// Content is what staff write for the public site: news items and the
// content pages of the menu, in Markdown. Each change is written to the
// staff log in the same transaction.
type Content struct {
	db    *store.DB
	clock Clock
}

// NewContent returns the content service.
func NewContent(db *store.DB, clock Clock) *Content { return &Content{db: db, clock: clock} }

// Limits of what staff may write: long enough for any notice, short
// enough that no page becomes a download.
const (
	maxNewsTitle = 200
	maxNewsBody  = 20000
	maxPageTitle = 100
	maxPageBody  = 50000
)

// CheckNews returns the fields of n that cannot be saved: a day that is
// not a date, an empty or overlong title, an overlong body or one that is
// not valid UTF-8.
func CheckNews(n store.NewsItem) (bad []string) {
	if _, err := time.Parse(DateLayout, n.Day); err != nil {
		bad = append(bad, "day")
	}
	if n.Title == "" || utf8.RuneCountInString(n.Title) > maxNewsTitle {
		bad = append(bad, "title")
	}
	if utf8.RuneCountInString(n.Body) > maxNewsBody || !utf8.ValidString(n.Body) {
		bad = append(bad, "body")
	}
	return bad
}

// CheckPage returns the fields of p that cannot be saved (see CheckNews).
func CheckPage(p store.Page) (bad []string) {
	if p.Title == "" || utf8.RuneCountInString(p.Title) > maxPageTitle {
		bad = append(bad, "title")
	}
	if utf8.RuneCountInString(p.Body) > maxPageBody || !utf8.ValidString(p.Body) {
		bad = append(bad, "body")
	}
	return bad
}

// SaveNews adds n (ID 0) or updates it, for staff member staffID.
func (c *Content) SaveNews(ctx context.Context, staffID int64, n *store.NewsItem) error {
	if bad := CheckNews(*n); len(bad) > 0 {
		return &Refusal{Code: InvalidField, Field: bad[0]}
	}
	now := c.clock.Now()
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if n.ID != 0 {
			err = store.UpdateNews(ctx, tx, n)
		} else {
			err = store.AddNews(ctx, tx, n, now)
		}
		if err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "news.save", Redact(n.Title), now)
	})
}

// DeleteNews deletes a news item, for staff member staffID.
func (c *Content) DeleteNews(ctx context.Context, staffID, id int64) error {
	now := c.clock.Now()
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.DeleteNews(ctx, tx, id); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "news.delete", "", now)
	})
}

// SavePage saves a content page, for staff member staffID.
func (c *Content) SavePage(ctx context.Context, staffID int64, p store.Page) error {
	if bad := CheckPage(p); len(bad) > 0 {
		return &Refusal{Code: InvalidField, Field: bad[0]}
	}
	now := c.clock.Now()
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SavePage(ctx, tx, p, now); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "page.save", p.Slug, now)
	})
}
