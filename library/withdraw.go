package library

import (
	"context"
	"database/sql"
	"errors"

	"hondana/store"
)

// CheckWithdraw says whether a copy may leave the catalogue. A copy on
// loan, travelling or serving a hold is in a patron's hands or promised
// to one: withdrawn, it would vanish from the catalogue while a loan or
// a hold still points at it. onLoan and servingHold are what the loans
// and holds say, besides the copy's own status.
func CheckWithdraw(cp store.Copy, onLoan, servingHold bool) *Refusal {
	if onLoan || servingHold {
		return refuse(CopyInUse)
	}
	switch cp.Status {
	case store.CopyOnLoan, store.CopyOnHoldShelf, store.CopyInTransit:
		return refuse(CopyInUse)
	}
	return nil
}

// WithdrawCopy takes a copy out of the catalogue for a member of staff,
// in one transaction with the staff log, and tells the index, which
// stops counting the copy in the record's holdings.
func (c *Catalog) WithdrawCopy(ctx context.Context, staffID int64, barcode string) error {
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		cp, err := store.CopyByBarcode(ctx, tx, barcode)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(ItemNotFound)
		}
		if err != nil {
			return err
		}
		onLoan, err := found(store.LoanByCopy(ctx, tx, cp.ID))
		if err != nil {
			return err
		}
		servingHold, err := found(store.HoldOfCopy(ctx, tx, cp.ID))
		if err != nil {
			return err
		}
		if r := CheckWithdraw(*cp, onLoan, servingHold); r != nil {
			return r
		}
		if err := store.SetCopyStatus(ctx, tx, cp.ID, store.CopyWithdrawn, ""); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "copy.withdraw", "item "+barcode, c.clock.Now())
	})
	if err != nil {
		return err
	}
	c.Changed()
	return nil
}

// found turns the error of a read of one row into whether the row is
// there: the store's ErrNotFound is an answer, not a failure.
func found[T any](_ T, err error) (bool, error) {
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
