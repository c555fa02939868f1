package library

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"hondana/exporter"
	"hondana/store"
)

// What an export can take out (R61): the catalogue, or the patrons,
// their loans and holds.
const (
	ExportRecords = "records"
	ExportPatrons = MoveInPatrons
	ExportLoans   = MoveInLoans
	ExportHolds   = MoveInHolds
)

// ExportAllowed reports whether a format can carry what: the catalogue
// as MARC21, MARCXML or CSV, the rest as CSV.
func ExportAllowed(what, format string) bool {
	switch what {
	case ExportRecords:
		return format == exporter.MARC21 || format == exporter.MARCXML || format == exporter.CSV
	case ExportPatrons, ExportLoans, ExportHolds:
		return format == exporter.CSV
	}
	return false
}

// ExportPersonal reports whether an export holds patrons' data: only
// admins may take it, and the staff log says who did.
func ExportPersonal(what string) bool { return what != ExportRecords }

// Exporter writes the library's data out, so that it can move to
// another system (R61): nothing is held in memory but a page of rows.
type Exporter struct {
	db  *store.DB
	log *StaffLog
	loc *time.Location
}

// NewExporter returns the exporter; exports of patrons, loans and holds
// are written to log; loc is the library's zone, the days' zone.
func NewExporter(db *store.DB, log *StaffLog, loc *time.Location) *Exporter {
	return &Exporter{db: db, log: log, loc: loc}
}

// Export writes what (ExportRecords, …) in format to w and returns the
// number of records or rows written. staffID is who asked (0: the
// command line). The CSV files have the headers an import reads.
func (e *Exporter) Export(ctx context.Context, staffID int64, what, format string, w io.Writer) (int, error) {
	if !ExportAllowed(what, format) {
		return 0, fmt.Errorf("library: cannot export %s as %s", what, format)
	}
	if ExportPersonal(what) {
		// Logged before: an export cut short has still shown some rows.
		if err := e.log.Write(ctx, staffID, "export."+what, format); err != nil {
			return 0, err
		}
	}
	if what == ExportRecords {
		ew, err := exporter.NewWriter(w, format)
		if err != nil {
			return 0, err
		}
		if err := e.db.EachRecord(ctx, ew.Write); err != nil {
			return ew.Count(), err
		}
		return ew.Count(), ew.Close()
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(MoveOutColumns[what]); err != nil {
		return 0, err
	}
	n := 0
	row := func(fields ...string) error {
		n++
		if err := cw.Write(fields); err != nil {
			return err
		}
		if n%1000 == 0 {
			cw.Flush()
		}
		return cw.Error()
	}
	var err error
	switch what {
	case ExportPatrons:
		err = e.db.EachPatron(ctx, func(p *store.Patron) error {
			return row(p.Card, p.Name, p.NameYomi, p.BirthDate, p.Address, p.Phone, p.Mobile, p.Email, p.Category, p.Expiry, p.HomeBranch)
		})
	case ExportLoans:
		err = e.db.EachLoan(ctx, func(l *store.LoanRow) error {
			return row(l.Card, l.Barcode, l.LoanedOn, l.DueDate)
		})
	case ExportHolds:
		err = e.db.EachHold(ctx, func(h *store.HoldRow) error {
			return row(h.Card, h.Source, h.ISBN, h.PlacedAt.In(e.loc).Format(DateLayout), h.Pickup, h.Contact, h.Status, h.Barcode, h.PickupDeadline, h.From)
		})
	}
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

// ExportFileName is a name for an export's file, e.g.
// "hondana-records-2026-04-01.mrc".
func ExportFileName(what, format string, now time.Time) string {
	ext := map[string]string{exporter.MARC21: "mrc", exporter.MARCXML: "xml", exporter.CSV: "csv"}[format]
	return "hondana-" + what + "-" + now.Format(DateLayout) + "." + ext
}
