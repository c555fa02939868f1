package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

// TestReadsOfNothingAreNotFound: a read that finds nothing says so with
// ErrNotFound, never with a nil value and no error; the same read of
// something that is there finds it.
func TestReadsOfNothingAreNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t)
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	rec := Record{Source: "t:1", Title: "銀河鉄道の夜"}
	shelved, lent, held := &Copy{Barcode: "A1"}, &Copy{Barcode: "A2"}, &Copy{Barcode: "A3"}
	addRecord(t, db, now, &rec, shelved, lent, held)
	var alice, bob Patron
	var waiting Hold
	inTx(t, db, func(tx *sql.Tx) error {
		alice = Patron{Card: "100000001", Name: "佐藤 花子", BirthDate: "1990-04-01"}
		bob = Patron{Card: "100000002", Name: "鈴木 太郎", BirthDate: "1990-04-01"}
		for _, p := range []*Patron{&alice, &bob} {
			if err := AddPatron(ctx, tx, p, now); err != nil {
				return err
			}
		}
		waiting = Hold{RecordID: rec.ID, PatronID: alice.ID, PickupBranch: "ozu", Contact: "phone", Status: HoldWaiting, PlacedAt: now}
		if err := AddHold(ctx, tx, &waiting); err != nil {
			return err
		}
		ready := Hold{RecordID: rec.ID, PatronID: bob.ID, PickupBranch: "ozu", Contact: "phone", Status: HoldReady, CopyID: held.ID, PlacedAt: now}
		if err := AddHold(ctx, tx, &ready); err != nil {
			return err
		}
		return AddLoan(ctx, tx, &Loan{CopyID: lent.ID, PatronID: bob.ID, Branch: "ozu", LoanedOn: "2026-04-01", DueDate: "2026-04-15"})
	})
	const none = 424242
	tests := []struct {
		name           string
		found, missing func(tx *sql.Tx) error
	}{
		{"HoldByID",
			func(tx *sql.Tx) error { _, err := HoldByID(ctx, tx, waiting.ID); return err },
			func(tx *sql.Tx) error { _, err := HoldByID(ctx, tx, none); return err }},
		{"HoldOn",
			func(tx *sql.Tx) error { _, err := HoldOn(ctx, tx, alice.ID, rec.ID); return err },
			func(tx *sql.Tx) error { _, err := HoldOn(ctx, tx, alice.ID, none); return err }},
		{"HoldOfCopy",
			func(tx *sql.Tx) error { _, err := HoldOfCopy(ctx, tx, held.ID); return err },
			func(tx *sql.Tx) error { _, err := HoldOfCopy(ctx, tx, shelved.ID); return err }},
		{"NextInLine",
			func(tx *sql.Tx) error { _, err := NextInLine(ctx, tx, rec.ID, "2026-01-01"); return err },
			func(tx *sql.Tx) error {
				// Bob's hold has its copy: once Alice's goes, nobody waits.
				if err := DeleteHold(ctx, tx, waiting.ID); err != nil {
					t.Fatal(err)
				}
				_, err := NextInLine(ctx, tx, rec.ID, "2026-01-01")
				return err
			}},
		{"LoanByCopy",
			func(tx *sql.Tx) error { _, err := LoanByCopy(ctx, tx, lent.ID); return err },
			func(tx *sql.Tx) error { _, err := LoanByCopy(ctx, tx, shelved.ID); return err }},
		{"LoanByID",
			func(tx *sql.Tx) error {
				l, err := LoanByCopy(ctx, tx, lent.ID)
				if err != nil {
					t.Fatal(err)
				}
				_, err = LoanByID(ctx, tx, l.ID)
				return err
			},
			func(tx *sql.Tx) error { _, err := LoanByID(ctx, tx, none); return err }},
		{"CopyByID",
			func(tx *sql.Tx) error { _, err := CopyByID(ctx, tx, shelved.ID); return err },
			func(tx *sql.Tx) error { _, err := CopyByID(ctx, tx, none); return err }},
		{"PatronBlock",
			func(*sql.Tx) error { _, err := db.PatronBlock(ctx, alice.ID); return err },
			func(*sql.Tx) error { _, err := db.PatronBlock(ctx, none); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case in a transaction rolled back, so none sees
			// another's changes.
			tx, err := db.write.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if err := tt.found(tx); err != nil {
				t.Errorf("found: %v", err)
			}
			if err := tt.missing(tx); !errors.Is(err, ErrNotFound) {
				t.Errorf("missing: %v, want ErrNotFound", err)
			}
		})
	}
}
