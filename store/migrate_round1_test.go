package store

import (
	"context"
	"database/sql"
	"testing"
)

// TestCounterMigrationsOnARound1Database migrates a database of round 1
// (schema 6) with a copy on a hold shelf, one in transit, one on loan
// and one on the shelf through issue 15's migrations and on: the copy
// on the hold shelf is at its hold's pickup library (so the new hold
// shelf and transit lists of that library find it), the others are at
// home, patrons have the default category, copies are for loan, and the
// records read back with an empty extent.
func TestCounterMigrationsOnARound1Database(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := open(ctx, dir, 6)
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO branches(code, name) VALUES('ozu', '大洲図書館'), ('nagahama', '長浜図書館');
INSERT INTO records(id, source, title, created_at, updated_at) VALUES(1, 'm:1', 'やまなし', 'x', 'x'), (2, 'm:2', 'なめとこ山の熊', 'x', 'x'),
  (3, 'm:3', 'よだかの星', 'x', 'x'), (4, 'm:4', '雪渡り', 'x', 'x');
INSERT INTO copies(id, record_id, barcode, branch, status, transit_to, shelved_on, acquired_on, created_at) VALUES
  (1, 1, 'M-1', 'ozu', 'on_hold_shelf', NULL, 'x', 'x', 'x'),
  (2, 2, 'M-2', 'ozu', 'in_transit', 'nagahama', 'x', 'x', 'x'),
  (3, 3, 'M-3', 'ozu', 'on_loan', NULL, 'x', 'x', 'x'),
  (4, 4, 'M-4', 'nagahama', 'on_shelf', NULL, 'x', 'x', 'x');
INSERT INTO patrons(id, card, name, birth_date, created_at) VALUES(1, '100000001', '一', '2000-01-01', 'x'), (2, '100000002', '二', '2000-01-01', 'x');
INSERT INTO holds(id, record_id, patron_id, pickup_branch, contact, status, copy_id, placed_at, ready_at, contacted_at, pickup_deadline, reminded)
  VALUES(1, 1, 1, 'nagahama', 'phone', 'ready', 1, '2026-11-01', '2026-11-03', NULL, '2026-11-11', 0),
        (2, 2, 2, 'nagahama', 'phone', 'in_transit', 2, '2026-11-02', NULL, NULL, NULL, 0);
INSERT INTO loans(id, copy_id, patron_id, branch, loaned_on, due_date, renewals, due_reminded, overdue_notices, overdue_last)
  VALUES(1, 3, 2, 'ozu', '2026-11-20', '2026-12-04', 0, 0, 0, '');`)
		return err
	})
	db.Close()

	db, err = Open(ctx, dir)
	if err != nil {
		t.Fatalf("migrating a round-1 database: %v", err)
	}
	defer db.Close()
	at := map[string]string{}
	rows, err := db.Reader().QueryContext(ctx, `SELECT barcode, COALESCE(at_branch, ''), not_for_loan FROM copies ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var bc, b string
		var nfl bool
		if err := rows.Scan(&bc, &b, &nfl); err != nil {
			t.Fatal(err)
		}
		at[bc] = b
		if nfl {
			t.Errorf("%s is 禁帯出 after the migration", bc)
		}
	}
	rows.Close()
	want := map[string]string{"M-1": "nagahama", "M-2": "", "M-3": "", "M-4": ""}
	for bc, w := range want {
		if at[bc] != w {
			t.Errorf("copy %s is at %q after the migration; want %q", bc, at[bc], w)
		}
	}
	// The transit copy whose origin nobody recorded is listed where it
	// goes; nagahama does not send it.
	out, in, err := db.InTransit(ctx, "nagahama")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 0 || len(in) != 1 || in[0].Barcode != "M-2" || in[0].HoldID != 2 || in[0].Title != "なめとこ山の熊" {
		t.Errorf("nagahama's transit lists after the migration: out %+v, in %+v; want M-2 coming in for hold 2", out, in)
	}
	var cats string
	if err := db.Reader().QueryRowContext(ctx, `SELECT group_concat(category, ',') FROM patrons`).Scan(&cats); err != nil || cats != "," {
		t.Errorf("patron categories after the migration: %q %v; want the default ('') for both", cats, err)
	}
	r, err := db.Record(ctx, 1)
	if err != nil || r.Extent != "" || r.Title != "やまなし" {
		t.Errorf("record 1 after the migration: %+v %v", r, err)
	}
}
