package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestIDsNeverReused: the id of a deleted hold or loan is never given to
// a new one, even when it was the highest (a retried cancel by id must
// not find a newer hold that got the same id).
func TestIDsNeverReused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t)
	now := time.Now()
	rec := Record{Source: "ids:1", Title: "よだかの星"}
	c := &Copy{Barcode: "ID-1"}
	addRecord(t, db, now, &rec, c)
	var patron Patron
	inTx(t, db, func(tx *sql.Tx) error {
		patron = Patron{Card: "100000001", Name: "夜鷹 一", BirthDate: "2000-01-01"}
		return AddPatron(ctx, tx, &patron, now)
	})
	hold := func() int64 {
		h := &Hold{RecordID: rec.ID, PatronID: patron.ID, PickupBranch: "ozu", Contact: "phone", Status: HoldWaiting, PlacedAt: now}
		inTx(t, db, func(tx *sql.Tx) error { return AddHold(ctx, tx, h) })
		inTx(t, db, func(tx *sql.Tx) error { return DeleteHold(ctx, tx, h.ID) })
		return h.ID
	}
	loan := func() int64 {
		l := &Loan{CopyID: c.ID, PatronID: patron.ID, Branch: "ozu", LoanedOn: "2026-12-01", DueDate: "2026-12-15"}
		inTx(t, db, func(tx *sql.Tx) error { return AddLoan(ctx, tx, l) })
		inTx(t, db, func(tx *sql.Tx) error { return DeleteLoan(ctx, tx, l.ID) })
		return l.ID
	}
	if first, second := hold(), hold(); second <= first {
		t.Errorf("a hold got id %d after hold %d was deleted", second, first)
	}
	if first, second := loan(), loan(); second <= first {
		t.Errorf("a loan got id %d after loan %d was returned", second, first)
	}
}

// TestAutoincrementMigration: migration 0007 rebuilds the holds and loans
// tables with AUTOINCREMENT and loses nothing: every row and column, the
// contact attempts that refer to holds (a rebuild with foreign keys on
// would have deleted them, ON DELETE CASCADE), every index and trigger,
// foreign keys that still hold; and new ids start past the highest known
// to have been used, a deleted hold the staff log still names among them.
func TestAutoincrementMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := open(ctx, dir, 6)
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO branches(code, name) VALUES('ozu', '大洲図書館');
INSERT INTO records(id, source, title, created_at, updated_at) VALUES(1, 'm:1', 'やまなし', 'x', 'x'), (2, 'm:2', 'なめとこ山の熊', 'x', 'x');
INSERT INTO copies(id, record_id, barcode, branch, shelved_on, acquired_on, created_at) VALUES(1, 1, 'M-1', 'ozu', 'x', 'x', 'x'), (2, 2, 'M-2', 'ozu', 'x', 'x', 'x');
INSERT INTO patrons(id, card, name, birth_date, created_at) VALUES(1, '100000001', '一', '2000-01-01', 'x'), (2, '100000002', '二', '2000-01-01', 'x');
INSERT INTO staff(id, username, password_hash, created_at) VALUES(1, 'kanri', 'x', 'x');
INSERT INTO holds(id, record_id, patron_id, pickup_branch, contact, status, copy_id, placed_at, ready_at, contacted_at, pickup_deadline, reminded)
  VALUES(1, 1, 1, 'ozu', 'phone', 'waiting', NULL, '2026-11-01', NULL, NULL, NULL, 0),
        (2, 2, 1, 'ozu', 'email', 'ready', 2, '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-11', 1),
        (3, 1, 2, 'ozu', 'mobile', 'waiting', NULL, '2026-11-05', NULL, NULL, NULL, 0);
INSERT INTO contact_attempts(hold_id, channel, result, staff_id, at) VALUES(2, 'email', 'sent', NULL, '2026-11-04');
INSERT INTO outbox(kind, hold_id, to_addr, subject, body, next_try_at, created_at) VALUES('hold_ready', 2, 'a@example.jp', 's', 'b', 'x', 'x');
INSERT INTO audit_log(staff_id, action, detail, at) VALUES(1, 'hold.contacted', 'hold 7: unreachable', 'x');
INSERT INTO loans(id, copy_id, patron_id, branch, loaned_on, due_date, renewals, due_reminded, overdue_notices, overdue_last)
  VALUES(1, 1, 2, 'ozu', '2026-11-20', '2026-12-04', 1, 1, 0, '');`)
		return err
	})
	dump := func(db *DB, query string) string {
		t.Helper()
		rows, err := db.Reader().QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		return strings.Join(out, "\n")
	}
	queries := []string{
		`SELECT * FROM holds ORDER BY id`,
		`SELECT * FROM loans ORDER BY id`,
		`SELECT * FROM contact_attempts ORDER BY id`,
		`SELECT * FROM outbox ORDER BY id`,
		// Every index and trigger of the two tables, by name.
		`SELECT type, name FROM sqlite_master WHERE tbl_name IN ('holds', 'loans') AND type IN ('index', 'trigger') ORDER BY name`,
	}
	before := map[string]string{}
	for _, q := range queries {
		before[q] = dump(db, q)
	}
	db.Close()

	// Up to 0007 alone: later migrations add columns of their own.
	db, err = open(ctx, dir, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range queries {
		if got := dump(db, q); got != before[q] {
			t.Errorf("%s\nbefore the migration:\n%s\nafter:\n%s", q, before[q], got)
		}
	}
	if got := dump(db, `SELECT count(*) FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%' AND name IN ('holds', 'loans')`); got != "2" {
		t.Errorf("tables with AUTOINCREMENT: %s, want holds and loans", got)
	}

	// The later migrations, for what follows.
	if latest, err := latestMigration(); err != nil {
		t.Fatal(err)
	} else if err := db.migrate(ctx, latest); err != nil {
		t.Fatal(err)
	}
	// Foreign keys are on again, and hold.
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		return AddHold(ctx, tx, &Hold{RecordID: 99, PatronID: 1, PickupBranch: "ozu", Contact: "phone", Status: HoldWaiting, PlacedAt: time.Now()})
	})
	if !errors.Is(err, ErrReference) {
		t.Errorf("a hold of a missing record: %v, want ErrReference", err)
	}
	// New ids start past hold 7, which the staff log names.
	var h Hold
	inTx(t, db, func(tx *sql.Tx) error {
		h = Hold{RecordID: 2, PatronID: 2, PickupBranch: "ozu", Contact: "phone", Status: HoldWaiting, PlacedAt: time.Now()}
		return AddHold(ctx, tx, &h)
	})
	if h.ID <= 7 {
		t.Errorf("the first hold after the migration got id %d, want above 7", h.ID)
	}
	// The trigger and the cascade work on the new table.
	inTx(t, db, func(tx *sql.Tx) error { return DeleteHold(ctx, tx, 2) })
	if got := dump(db, `SELECT (SELECT count(*) FROM outbox WHERE hold_id = 2) + (SELECT count(*) FROM contact_attempts WHERE hold_id = 2)`); got != "0" {
		t.Errorf("a deleted hold's messages and contact attempts: %s left", got)
	}
}
