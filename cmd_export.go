package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"hondana/library"
)

// exportCmd writes the catalogue, the patrons, the loans or the holds
// to a file (R61). The file is written beside its name and renamed when
// complete, so a failed export leaves no half file under that name.
func exportCmd(args []string) error {
	fs := commonFlags("export")
	what := fs.String("what", library.ExportRecords, "records, patrons, loans or holds")
	format := fs.String("format", "", "marc21, marcxml or csv (default: marc21 for records, csv for the rest)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("export: name one FILE to write (- for standard output)")
	}
	if *format == "" {
		*format = "csv"
		if *what == library.ExportRecords {
			*format = "marc21"
		}
	}
	if !library.ExportAllowed(*what, *format) {
		return fmt.Errorf("export: --what %s cannot be written as %s (records: marc21, marcxml or csv; patrons, loans, holds: csv)", *what, *format)
	}
	d, err := openData(fs)
	if err != nil {
		return err
	}
	defer d.Close()
	ex := library.NewExporter(d.DB, library.NewStaffLog(d.DB, d.Clock), d.Loc)
	start := time.Now()
	path := fs.Arg(0)
	var n int
	if path == "-" {
		n, err = ex.Export(context.Background(), 0, *what, *format, os.Stdout)
	} else {
		n, err = exportFile(ex, *what, *format, path)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "exported %d %s as %s in %s (%.0f/s)\n", n, *what, *format, el.Round(time.Millisecond), float64(n)/el.Seconds())
	return nil
}

func exportFile(ex *library.Exporter, what, format, path string) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	n, err := ex.Export(context.Background(), 0, what, format, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	return n, os.Rename(tmp.Name(), path)
}
