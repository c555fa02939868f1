package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"hondana/library"
)

// moveInCmd returns the command that brings one kind of vendor file in
// (R60): patrons, loans or holds.
func moveInCmd(kind string) func(args []string) error {
	return func(args []string) error {
		fs := commonFlags("import-" + kind)
		dry := fs.Bool("dry-run", false, "check every row and report, write nothing")
		quiet := fs.Bool("quiet", false, "print the summary only, not every bad row")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("import-%s: name one FILE (CSV or TSV, UTF-8 or Shift_JIS)", kind)
		}
		path := fs.Arg(0)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		d, err := openData(fs)
		if err != nil {
			return err
		}
		defer d.Close()
		rules, err := d.Rules(nil, nil)
		if err != nil {
			return err
		}
		m := d.MoveIn(rules)
		var r io.Reader = bufio.NewReaderSize(f, 1<<16)
		var bar *progressbar.ProgressBar
		if info, err := f.Stat(); err == nil && term.IsTerminal(int(os.Stderr.Fd())) {
			bar = progressbar.NewOptions64(info.Size(), progressbar.OptionSetDescription(filepath.Base(path)),
				progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
			pr := progressbar.NewReader(r, bar)
			r = &pr
		}
		start := time.Now()
		rep, err := m.Import(context.Background(), kind, r, *dry, func(p library.MoveInProgress) {
			if bar != nil {
				bar.Describe(fmt.Sprintf("%s: %d rows, %d bad", filepath.Base(path), p.Report.Rows, p.Report.Bad))
			}
		})
		if bar != nil {
			bar.Finish()
		}
		el := time.Since(start)
		if rep != nil && !*quiet {
			for _, p := range rep.Problems {
				fmt.Fprintf(os.Stderr, "%s: %s\n", path, p.Error())
			}
		}
		if err != nil {
			return fmt.Errorf("import-%s: %s: %w", kind, path, err)
		}
		fmt.Fprint(os.Stderr, moveInSummary(path, rep, el))
		if rep.Rows == 0 {
			return errors.New("the file has a header but no rows")
		}
		if kind != library.MoveInPatrons && !*dry && rep.Added+rep.Updated > 0 {
			// Copies went on loan, or to holds: the index shows it (or
			// the server will).
			return syncIndexIfFree(context.Background(), d)
		}
		return nil
	}
}

// moveInSummary is the closing lines of a move in, on the terminal.
func moveInSummary(path string, rep *library.MoveInReport, el time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, columns %s", path, rep.Encoding, strings.Join(rep.Columns, ", "))
	if len(rep.Unknown) > 0 {
		fmt.Fprintf(&b, " (ignored: %s)", strings.Join(rep.Unknown, ", "))
	}
	b.WriteString("\n")
	verb := "imported"
	if rep.DryRun {
		verb = "dry run, nothing written: would import"
	}
	fmt.Fprintf(&b, "%s: %d rows read; %s %d (%d new, %d changed, %d already there); %d bad rows, %d warnings; %s (%.0f rows/s)\n",
		rep.Kind, rep.Rows, verb, rep.Good(), rep.Added, rep.Updated, rep.Unchanged, rep.Bad, rep.Warnings,
		el.Round(time.Millisecond), float64(rep.Rows)/el.Seconds())
	return b.String()
}
