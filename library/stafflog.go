package library

import (
	"context"
	"database/sql"
	"regexp"
	"strings"

	"hondana/store"
)

// StaffLog is the log of what staff do (R38): who did what, when. It
// never ties a patron to a title (R40), and card numbers in what it is
// given are masked.
type StaffLog struct {
	db    *store.DB
	clock Clock
}

// NewStaffLog returns the staff log in db.
func NewStaffLog(db *store.DB, clock Clock) *StaffLog { return &StaffLog{db: db, clock: clock} }

// Write logs that staff member staffID did action; detail says to what,
// with card numbers masked.
func (l *StaffLog) Write(ctx context.Context, staffID int64, action, detail string) error {
	return l.db.Tx(ctx, func(tx *sql.Tx) error {
		return store.Audit(ctx, tx, staffID, action, Redact(detail), l.clock.Now())
	})
}

var nineDigits = regexp.MustCompile(`\d{9,}`)

// Redact masks card numbers (nine digits or more) in s but their last
// three digits, for logs: "card 100001000" becomes "card ******000".
func Redact(s string) string {
	return nineDigits.ReplaceAllStringFunc(s, func(d string) string {
		return strings.Repeat("*", len(d)-3) + d[len(d)-3:]
	})
}
