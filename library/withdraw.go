package library

import (
	"context"
	"database/sql"
	"errors"
	"slices"

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

// Statuses staff may give a copy on its shelf (R54): back on the shelf,
// 修理中, 紛失, 調査中.
var settableStatuses = []string{store.CopyOnShelf, store.CopyRepair, store.CopyLost, store.CopyMissing}

// SetCopyState gives a copy a status staff decide (on the shelf, 修理中,
// 紛失, 調査中) and its flag 禁帯出, in the staff log. A copy on loan,
// travelling or on a hold shelf keeps its status (CopyStateLocked): its
// flag alone may change. A copy marked on the shelf again is not sent to a
// hold by this: scanning it at the desk does that, as for any copy.
func (c *Circulation) SetCopyState(ctx context.Context, staffID int64, barcode, status string, notForLoan bool) error {
	return c.tx(ctx, func(tx *sql.Tx) error {
		cp, err := store.CopyByBarcode(ctx, tx, barcode)
		if errors.Is(err, store.ErrNotFound) {
			return refuse(ItemNotFound)
		}
		if err != nil {
			return err
		}
		if cp.Status == store.CopyWithdrawn {
			return refuse(CopyWithdrawn)
		}
		if status != cp.Status && !slices.Contains(settableStatuses, status) {
			return &Refusal{Code: InvalidField, Field: "status"}
		}
		if status != cp.Status && !slices.Contains(settableStatuses, cp.Status) {
			return refuse(CopyStateLocked)
		}
		if err := store.SetCopyState(ctx, tx, cp.ID, status, notForLoan); err != nil {
			return err
		}
		detail := "item " + barcode + ": " + status
		if notForLoan {
			detail += ", not for loan"
		}
		return store.Audit(ctx, tx, staffID, "copy.state", detail, c.clock.Now())
	})
}
