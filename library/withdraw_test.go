package library

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"hondana/search"
	"hondana/store"
)

// TestCheckWithdraw: only a copy nobody has or waits for may go.
func TestCheckWithdraw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		status              string
		onLoan, servingHold bool
		want                string
	}{
		{"on the shelf", store.CopyOnShelf, false, false, ""},
		{"missing", store.CopyMissing, false, false, ""},
		{"withdrawn already", store.CopyWithdrawn, false, false, ""},
		{"on loan", store.CopyOnLoan, false, false, CopyInUse},
		{"on the hold shelf", store.CopyOnHoldShelf, false, false, CopyInUse},
		{"in transit", store.CopyInTransit, false, false, CopyInUse},
		{"a loan, whatever the status says", store.CopyOnShelf, true, false, CopyInUse},
		{"a hold, whatever the status says", store.CopyOnShelf, false, true, CopyInUse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := CheckWithdraw(store.Copy{Status: tt.status}, tt.onLoan, tt.servingHold)
			got := ""
			if r != nil {
				got = r.Code
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWithdrawCopy: a copy on the shelf goes, with a line in the staff
// log, and the index no longer counts it; one in use or unknown is
// refused and nothing is written.
func TestWithdrawCopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cat := openCatalogT(t, t.TempDir())
	t.Cleanup(func() { cat.Close(); db.Close() })
	staff := store.Staff{Username: "kato", Role: "librarian", PasswordHash: "x"}
	if err := db.Tx(ctx, func(tx *sql.Tx) error { return store.AddStaff(ctx, tx, &staff, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	rec := &store.Record{Source: "t:1", Title: "銀河鉄道の夜"}
	cp := func(barcode, status string) store.Copy {
		return store.Copy{Barcode: barcode, Branch: "ozu", Status: status, ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}
	}
	if err := cat.SaveRecords(ctx, []*store.Record{rec}, [][]store.Copy{{cp("S1", store.CopyOnShelf), cp("L1", store.CopyOnLoan)}}); err != nil {
		t.Fatal(err)
	}

	want(t, cat.WithdrawCopy(ctx, staff.ID, "L1"), CopyInUse)
	want(t, cat.WithdrawCopy(ctx, staff.ID, "NOPE"), ItemNotFound)
	if log, err := db.AuditLog(ctx, 10); err != nil || len(log) != 0 {
		t.Fatalf("refusals logged: %v %v", log, err)
	}
	want(t, cat.WithdrawCopy(ctx, staff.ID, "S1"), "")

	copies, err := db.CopiesOf(ctx, []int64{rec.ID})
	if err != nil || len(copies[rec.ID]) != 1 || copies[rec.ID][0].Barcode != "L1" {
		t.Errorf("copies listed after the withdrawal: %v %v", copies[rec.ID], err)
	}
	log, err := db.AuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Staff != "kato" || log[0].Action != "copy.withdraw" || log[0].Detail != "item S1" {
		t.Errorf("staff log: %+v %v", log, err)
	}
	if err := cat.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := titles(t, cat, search.Query{Text: "銀河", Available: true}); len(got) != 0 {
		t.Errorf("available with its only shelved copy withdrawn: %v", got)
	}
}
