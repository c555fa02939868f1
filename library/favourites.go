package library

import (
	"context"
	"database/sql"
	"errors"

	"hondana/store"
)

// AddFavourite puts a title on a patron's favourites (お気に入り).
func (c *Circulation) AddFavourite(ctx context.Context, patronID, recordID int64) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if ok, err := store.RecordExists(ctx, tx, recordID); err != nil {
			return err
		} else if !ok {
			return refuse(RecordNotFound)
		}
		return store.AddFavourite(ctx, tx, patronID, recordID, c.clock.Now())
	})
}

// RemoveFavourite takes a title off a patron's favourites.
func (c *Circulation) RemoveFavourite(ctx context.Context, patronID, recordID int64) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		err := store.RemoveFavourite(ctx, tx, patronID, recordID)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(FavouriteNotFound)
		}
		return err
	})
}
