package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Hold statuses.
const (
	HoldWaiting   = "waiting"
	HoldInTransit = "in_transit"
	HoldReady     = "ready"
)

// Hold is a patron's reservation of a title.
type Hold struct {
	ID             int64
	RecordID       int64
	PatronID       int64
	PickupBranch   string
	Contact        string
	Status         string
	CopyID         int64 // 0 while waiting
	PlacedAt       time.Time
	ReadyAt        time.Time
	ContactedAt    time.Time
	PickupDeadline string
	// NotAfter is the last day the patron wants the title (YYYY-MM-DD;
	// "" for no end): a waiting hold lapses quietly after it.
	NotAfter string
	// Suspended: the hold keeps its place in the queue while copies
	// pass it by to the next in line (休止).
	Suspended bool
	// SeriesGroup is the group of a series-order hold (巻数順予約; 0 for
	// none) and SeriesSeq its place in reading order: a hold waits
	// while an earlier one of its group is still there.
	SeriesGroup int64
	SeriesSeq   int
}

// nullables are the hold's columns that are NULL until set.
func (h *Hold) nullables() (copyID, ready, contacted, deadline any) {
	if h.CopyID != 0 {
		copyID = h.CopyID
	}
	if !h.ReadyAt.IsZero() {
		ready = fmtTime(h.ReadyAt)
	}
	if !h.ContactedAt.IsZero() {
		contacted = fmtTime(h.ContactedAt)
	}
	if h.PickupDeadline != "" {
		deadline = h.PickupDeadline
	}
	return
}

// options are the hold's columns of its options, NULL when unset.
func (h *Hold) options() (notAfter, group any) {
	if h.NotAfter != "" {
		notAfter = h.NotAfter
	}
	if h.SeriesGroup != 0 {
		group = h.SeriesGroup
	}
	return
}

// AddHold inserts a hold inside the caller's transaction; a hold with a
// copy moves the copy to the hold shelf or into transit.
func AddHold(ctx context.Context, tx *sql.Tx, h *Hold) error {
	copyID, ready, contacted, deadline := h.nullables()
	notAfter, group := h.options()
	err := tx.QueryRowContext(ctx, `INSERT INTO holds(record_id, patron_id, pickup_branch, contact, status,
		copy_id, placed_at, ready_at, contacted_at, pickup_deadline, not_after, suspended, series_group, series_seq)
		VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		h.RecordID, h.PatronID, h.PickupBranch, h.Contact, h.Status, copyID, fmtTime(h.PlacedAt),
		ready, contacted, deadline, notAfter, h.Suspended, group, h.SeriesSeq).Scan(&h.ID)
	if err != nil {
		return fmt.Errorf("store: add hold: %w", mapErr(err))
	}
	switch h.Status {
	case HoldReady:
		_, err = tx.ExecContext(ctx, `UPDATE copies SET status = 'on_hold_shelf', transit_to = NULL, at_branch = ? WHERE id = ?`, h.PickupBranch, h.CopyID)
	case HoldInTransit:
		_, err = tx.ExecContext(ctx, `UPDATE copies SET status = 'in_transit', transit_to = ? WHERE id = ?`, h.PickupBranch, h.CopyID)
	}
	if err != nil {
		return fmt.Errorf("store: add hold: %w", mapErr(err))
	}
	return nil
}

const holdCols = `h.id, h.record_id, h.patron_id, h.pickup_branch, h.contact, h.status, COALESCE(h.copy_id, 0),
	h.placed_at, COALESCE(h.ready_at, ''), COALESCE(h.contacted_at, ''), COALESCE(h.pickup_deadline, ''),
	COALESCE(h.not_after, ''), h.suspended, COALESCE(h.series_group, 0), h.series_seq`

func scanHold(sc interface{ Scan(...any) error }, more ...any) (*Hold, error) {
	var h Hold
	var placed, ready, contacted string
	err := sc.Scan(append([]any{&h.ID, &h.RecordID, &h.PatronID, &h.PickupBranch, &h.Contact, &h.Status, &h.CopyID,
		&placed, &ready, &contacted, &h.PickupDeadline, &h.NotAfter, &h.Suspended, &h.SeriesGroup, &h.SeriesSeq}, more...)...)
	if err != nil {
		return nil, err
	}
	h.PlacedAt, h.ReadyAt, h.ContactedAt = parseTime(placed), parseTime(ready), parseTime(contacted)
	return &h, nil
}

// activeWaiting is the condition (on holds aliased h; its one parameter
// is today, YYYY-MM-DD) of a waiting hold a copy may go to now: none
// yet, not suspended, not past its end date, and no earlier volume of
// its series group still held.
const activeWaiting = `h.status = 'waiting' AND +h.copy_id IS NULL AND h.suspended = 0
	AND (h.not_after IS NULL OR h.not_after >= ?)
	AND (h.series_group IS NULL OR NOT EXISTS (SELECT 1 FROM holds e
		WHERE e.series_group = h.series_group AND e.series_seq < h.series_seq))`

// HoldByID reads a hold inside the caller's transaction.
func HoldByID(ctx context.Context, tx *sql.Tx, id int64) (*Hold, error) {
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdCols+` FROM holds h WHERE h.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("store: hold %d: %w", id, mapErr(err))
	}
	return h, nil
}

// HoldOn returns a patron's hold on a record; ErrNotFound when they have
// none.
func HoldOn(ctx context.Context, tx Querier, patronID, recordID int64) (*Hold, error) {
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdCols+` FROM holds h WHERE h.patron_id = ? AND h.record_id = ?`, patronID, recordID))
	if err != nil {
		return nil, fmt.Errorf("store: hold of patron %d on record %d: %w", patronID, recordID, mapErr(err))
	}
	return h, nil
}

// HoldOfCopy returns the hold a copy is allocated to; ErrNotFound when
// the copy serves none.
func HoldOfCopy(ctx context.Context, tx *sql.Tx, copyID int64) (*Hold, error) {
	h, err := scanHold(tx.QueryRowContext(ctx, `SELECT `+holdCols+` FROM holds h WHERE h.copy_id = ?`, copyID))
	if err != nil {
		return nil, fmt.Errorf("store: hold of copy %d: %w", copyID, mapErr(err))
	}
	return h, nil
}

// NextInLine returns the first waiting hold on a record without a copy,
// in order of placement, that a copy may go to today (see activeWaiting:
// suspended holds, holds past their end date and later volumes of a
// series keep their place but are passed by); ErrNotFound when nobody
// waits.
func NextInLine(ctx context.Context, q Querier, recordID int64, today string) (*Hold, error) {
	h, err := scanHold(q.QueryRowContext(ctx, `SELECT `+holdCols+` FROM holds h
		WHERE h.record_id = ? AND `+activeWaiting+` ORDER BY h.placed_at, h.id LIMIT 1`, recordID, today))
	if err != nil {
		return nil, fmt.Errorf("store: next hold on record %d: %w", recordID, mapErr(err))
	}
	return h, nil
}

// HoldExists reports whether a hold is still there.
func HoldExists(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM holds WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("store: hold: %w", err)
	}
	return n == 1, nil
}

// HoldPosition is a waiting hold's place in its title's queue, from 1.
func HoldPosition(ctx context.Context, q Querier, h *Hold) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM holds o WHERE o.record_id = ? AND o.status = 'waiting'
		AND +o.copy_id IS NULL AND (o.placed_at < ? OR (o.placed_at = ? AND o.id < ?))`,
		h.RecordID, fmtTime(h.PlacedAt), fmtTime(h.PlacedAt), h.ID).Scan(&n)
	return n + 1, err
}

// CountHolds counts a patron's holds.
func CountHolds(ctx context.Context, tx *sql.Tx, patronID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM holds WHERE patron_id = ?`, patronID).Scan(&n)
	return n, err
}

// CountHoldsOfType counts a patron's holds on titles of a material type.
func CountHoldsOfType(ctx context.Context, tx *sql.Tx, patronID int64, materialType string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM holds h JOIN records r ON r.id = h.record_id
		WHERE h.patron_id = ? AND r.material_type = ?`, patronID, materialType).Scan(&n)
	return n, err
}

// UpdateHold writes a hold's changeable fields.
func UpdateHold(ctx context.Context, tx *sql.Tx, h *Hold) error {
	copyID, ready, contacted, deadline := h.nullables()
	notAfter, _ := h.options()
	_, err := tx.ExecContext(ctx, `UPDATE holds SET pickup_branch = ?, contact = ?, status = ?, copy_id = ?,
		ready_at = ?, contacted_at = ?, pickup_deadline = ?, not_after = ?, suspended = ? WHERE id = ?`,
		h.PickupBranch, h.Contact, h.Status, copyID, ready, contacted, deadline, notAfter, h.Suspended, h.ID)
	if err != nil {
		return fmt.Errorf("store: update hold: %w", mapErr(err))
	}
	return nil
}

// DeleteHold forgets a hold: fulfilled, cancelled or expired, it keeps no
// link between the patron and the title (R40).
func DeleteHold(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM holds WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete hold: %w", mapErr(err))
	}
	return nil
}

// Demand is how many holds wait for a record that a copy could go to
// today (not suspended, ended or behind an earlier volume), and how many
// of its copies are on the shelf, unallocated, to serve them.
func Demand(ctx context.Context, q Querier, recordID int64, today string) (waiting, onShelf int, err error) {
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM holds h WHERE h.record_id = ? AND `+activeWaiting+`),
		(SELECT count(*) FROM copies WHERE record_id = ? AND status = 'on_shelf' AND not_for_loan = 0)`, recordID, today, recordID).Scan(&waiting, &onShelf)
	return waiting, onShelf, err
}

// HoldsWaiting counts the holds not yet filled for each record.
func (db *DB) HoldsWaiting(ctx context.Context, recordIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(recordIDs))
	if len(recordIDs) == 0 {
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT record_id, count(*) FROM holds
		WHERE status = 'waiting' AND record_id IN (`+placeholders(len(recordIDs))+`) GROUP BY record_id`,
		int64Args(recordIDs)...)
	if err != nil {
		return nil, fmt.Errorf("store: holds waiting: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// PatronHold is a hold as its patron sees it, with its live queue position.
type PatronHold struct {
	Hold
	Title    string
	Volume   string
	Position int
	// Ahead counts the holds before it in the queue that a copy would
	// go to first (not suspended), for the estimated wait; Behind says
	// an earlier volume of its series group is still held.
	Ahead  int
	Behind bool
}

// HoldsOf lists a patron's holds with their positions in the queues.
func HoldsOf(ctx context.Context, q Querier, patronID int64) ([]PatronHold, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+holdCols+`, r.title, r.volume,
		(SELECT count(*) FROM holds o WHERE o.record_id = h.record_id AND o.status = 'waiting' AND +o.copy_id IS NULL
		   AND (o.placed_at < h.placed_at OR (o.placed_at = h.placed_at AND o.id < h.id))) + 1,
		(SELECT count(*) FROM holds o WHERE o.record_id = h.record_id AND o.status = 'waiting' AND +o.copy_id IS NULL
		   AND o.suspended = 0 AND (o.placed_at < h.placed_at OR (o.placed_at = h.placed_at AND o.id < h.id))),
		h.series_group IS NOT NULL AND EXISTS (SELECT 1 FROM holds e WHERE e.series_group = h.series_group AND e.series_seq < h.series_seq)
		FROM holds h JOIN records r ON r.id = h.record_id WHERE h.patron_id = ?
		ORDER BY COALESCE(h.series_group, h.id), h.series_seq, h.placed_at, h.id`, patronID)
	if err != nil {
		return nil, fmt.Errorf("store: holds: %w", err)
	}
	defer rows.Close()
	var out []PatronHold
	for rows.Next() {
		var h PatronHold
		hold, err := scanHold(rows, &h.Title, &h.Volume, &h.Position, &h.Ahead, &h.Behind)
		if err != nil {
			return nil, err
		}
		h.Hold = *hold
		out = append(out, h)
	}
	return out, rows.Err()
}

// ShelfHold is a hold on the hold shelf or call list, for staff.
type ShelfHold struct {
	Hold
	Title      string
	PatronName string
	Card       string
	Phone      string
	Mobile     string
	Barcode    string
	Location   string
	CallNumber string
}

// ReadyHolds lists ready holds at a branch ("" for all), deadline first.
func (db *DB) ReadyHolds(ctx context.Context, branch string) ([]ShelfHold, error) {
	return db.shelfHolds(ctx, `h.status = 'ready' AND (? = '' OR h.pickup_branch = ?) ORDER BY h.pickup_deadline IS NULL, h.pickup_deadline, h.id`, branch, branch)
}

// CallList lists ready holds to be told by phone and not yet reached:
// phone contacts, and e-mail contacts whose message failed for good.
func (db *DB) CallList(ctx context.Context) ([]ShelfHold, error) {
	return db.shelfHolds(ctx, `h.status = 'ready' AND h.contacted_at IS NULL AND (h.contact IN ('phone','mobile')
		OR EXISTS (SELECT 1 FROM contact_attempts a WHERE a.hold_id = h.id AND a.channel = 'email' AND a.result = 'failed'))
		ORDER BY h.ready_at, h.id`)
}

func (db *DB) shelfHolds(ctx context.Context, where string, args ...any) ([]ShelfHold, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+holdCols+`, r.title, p.name, p.card, p.phone, p.mobile,
		COALESCE(c.barcode, ''), COALESCE(c.location, ''), COALESCE(c.call_number, '')
		FROM holds h JOIN records r ON r.id = h.record_id JOIN patrons p ON p.id = h.patron_id
		LEFT JOIN copies c ON c.id = h.copy_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: shelf holds: %w", err)
	}
	defer rows.Close()
	var out []ShelfHold
	for rows.Next() {
		var h ShelfHold
		hold, err := scanHold(rows, &h.Title, &h.PatronName, &h.Card, &h.Phone, &h.Mobile,
			&h.Barcode, &h.Location, &h.CallNumber)
		if err != nil {
			return nil, err
		}
		h.Hold = *hold
		out = append(out, h)
	}
	return out, rows.Err()
}

// PickItem is a waiting hold a copy on the shelf at a branch can fill.
type PickItem struct {
	HoldID       int64
	RecordID     int64
	Title        string
	PickupBranch string
	PlacedAt     time.Time
	Barcode      string
	Location     string
	CallNumber   string
}

// PickList lists, for a branch, the first waiting hold of each record with
// a copy on its shelves, leaving out copies on their first day on the
// shelf (R23: new arrivals stay for walk-in patrons that day).
func (db *DB) PickList(ctx context.Context, branch, today string) ([]PickItem, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT h.id, h.record_id, r.title, h.pickup_branch, h.placed_at,
		c.barcode, c.location, c.call_number
		FROM holds h JOIN records r ON r.id = h.record_id
		JOIN copies c ON c.id = (SELECT c2.id FROM copies c2 WHERE c2.record_id = h.record_id AND c2.branch = ?
			AND c2.status = 'on_shelf' AND c2.not_for_loan = 0 AND c2.shelved_on < ? ORDER BY c2.id LIMIT 1)
		WHERE h.status = 'waiting' AND +h.copy_id IS NULL
		  AND h.id = (SELECT h.id FROM holds h WHERE h.record_id = r.id AND `+activeWaiting+`
			ORDER BY h.placed_at, h.id LIMIT 1)
		ORDER BY c.location, c.call_number, h.placed_at`, branch, today, today)
	if err != nil {
		return nil, fmt.Errorf("store: pick list: %w", err)
	}
	defer rows.Close()
	var out []PickItem
	for rows.Next() {
		var p PickItem
		var placed string
		if err := rows.Scan(&p.HoldID, &p.RecordID, &p.Title, &p.PickupBranch, &placed, &p.Barcode, &p.Location, &p.CallNumber); err != nil {
			return nil, err
		}
		p.PlacedAt = parseTime(placed)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ExpiredHolds lists ready holds whose pickup deadline is before today.
func ExpiredHolds(ctx context.Context, tx *sql.Tx, today string) ([]Hold, error) {
	return queryHolds(ctx, tx, "expired holds", `h.status = 'ready'
		AND h.pickup_deadline IS NOT NULL AND h.pickup_deadline < ? ORDER BY h.id`, today)
}

// MovePickupDeadlines moves the deadlines of ready holds at branch that
// fall between from and to (inclusive) to day.
func MovePickupDeadlines(ctx context.Context, tx *sql.Tx, branch, from, to, day string) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE holds SET pickup_deadline = ? WHERE pickup_branch = ? AND status = 'ready'
		AND pickup_deadline BETWEEN ? AND ?`, day, branch, from, to)
	if err != nil {
		return 0, fmt.Errorf("store: move deadlines: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// QueuedHold is a hold in a title's queue as staff see it from the
// record (R57): its number, never its patron.
type QueuedHold struct {
	ID           int64
	Status       string
	PickupBranch string
	PlacedAt     time.Time
	Barcode      string // the copy it has, once it has one
}

// HoldQueue lists a record's holds in the order of the queue: those with
// a copy first, then the waiting in order of placement.
func (db *DB) HoldQueue(ctx context.Context, recordID int64) ([]QueuedHold, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT h.id, h.status, h.pickup_branch, h.placed_at, COALESCE(c.barcode, '')
		FROM holds h LEFT JOIN copies c ON c.id = h.copy_id WHERE h.record_id = ?
		ORDER BY h.copy_id IS NULL, h.placed_at, h.id`, recordID)
	if err != nil {
		return nil, fmt.Errorf("store: hold queue: %w", err)
	}
	defer rows.Close()
	var out []QueuedHold
	for rows.Next() {
		var q QueuedHold
		var placed string
		if err := rows.Scan(&q.ID, &q.Status, &q.PickupBranch, &placed, &q.Barcode); err != nil {
			return nil, err
		}
		q.PlacedAt = parseTime(placed)
		out = append(out, q)
	}
	return out, rows.Err()
}
