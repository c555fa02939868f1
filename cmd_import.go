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

	"hondana/importer"
	"hondana/internal/app"
	"hondana/internal/buildgc"
	"hondana/library"
)

// importCmd reads catalogue files into the database. With no server
// running, the command keeps the search index in step itself: a large
// import goes through a bulk load, the index built alongside the writes
// (library.Catalog.Importer). Else the running server applies the queued
// changes within a second.
func importCmd(args []string) error {
	fs := commonFlags("import")
	format := fs.String("format", "", "marc21, marcxml, csv, tsv or aozora (default: detect)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("import: name at least one file")
	}
	d, err := openData(fs)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := context.Background()
	buildgc.Bound()
	imp, cat, err := newImporter(ctx, d)
	if err != nil {
		return err
	}
	if cat != nil {
		defer cat.Close()
	}
	imp.Limits = d.Config.ImportLimits()
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	var total library.ImportStats
	start := time.Now()
	for _, path := range fs.Args() {
		st, err := importFile(ctx, imp, path, importer.Format(*format), tty)
		total.Add(st)
		if err != nil {
			// What was saved is indexed all the same.
			return errors.Join(err, imp.Finish(ctx))
		}
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "imported %d records (%d new, %d updated), %d errors, in %s (%.0f records/s)\n",
		total.Saved, total.Added, total.Saved-total.Added, total.Errors, el.Round(time.Millisecond), float64(total.Saved)/el.Seconds())
	if cat == nil {
		fmt.Fprintln(os.Stderr, "the server is running: it will index the new records within a second")
		return nil
	}
	finish := time.Now()
	buildgc.FeedEnded() // the bulk load's build, if any, only merges from here
	if err := imp.Finish(ctx); err != nil {
		return err
	}
	if time.Since(finish) >= time.Second {
		el = time.Since(start)
		fmt.Fprintf(os.Stderr, "search index up to date after %s in all (%.0f records/s)\n", el.Round(time.Millisecond), float64(total.Saved)/el.Seconds())
	}
	return nil
}

// newImporter returns the importer of the catalogue, which keeps the
// index in step, when no server holds the index; else, with a nil
// catalogue, one that only queues the changes for the server.
func newImporter(ctx context.Context, d *app.Data) (*library.Importer, *library.Catalog, error) {
	cat, err := d.OpenCatalog(ctx)
	if err != nil {
		if strings.Contains(err.Error(), "in use by another process") {
			return library.NewImporter(d.DB, d.Clock), nil, nil
		}
		return nil, nil, err
	}
	imp, err := cat.Importer()
	if err != nil {
		cat.Close()
		return nil, nil, err
	}
	return imp, cat, nil
}

func importFile(ctx context.Context, imp *library.Importer, path string, format importer.Format, tty bool) (library.ImportStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return library.ImportStats{}, err
	}
	defer f.Close()
	info, _ := f.Stat()
	br := bufio.NewReaderSize(f, 1<<16)
	if format == "" {
		head, _ := br.Peek(4096)
		format, err = importer.DetectFormat(path, head)
		if err != nil {
			return library.ImportStats{}, fmt.Errorf("%s: %w (name it with --format)", path, err)
		}
	}
	var bar *progressbar.ProgressBar
	if tty && info != nil {
		bar = progressbar.NewOptions64(info.Size(), progressbar.OptionSetDescription(filepath.Base(path)),
			progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	}
	var r io.Reader = br
	if bar != nil {
		pr := progressbar.NewReader(br, bar)
		r = &pr
	}
	start := time.Now()
	st, err := imp.Import(ctx, r, format, func(p library.ImportProgress) {
		if p.Err != nil {
			if bar != nil {
				bar.Clear()
			}
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, p.Err)
		}
		if bar != nil {
			rate := float64(p.Saved) / time.Since(start).Seconds()
			bar.Describe(fmt.Sprintf("%s: %d records, %d errors, %.0f/s", filepath.Base(path), p.Saved, p.Errors, rate))
		}
	})
	if bar != nil {
		bar.Finish()
	}
	fmt.Fprintf(os.Stderr, "%s (%s): %d records saved, %d bad records skipped\n", path, format, st.Saved, st.Errors)
	return st, err
}

// syncIndexIfFree brings the index up to date when no server holds it.
func syncIndexIfFree(ctx context.Context, d *app.Data) error {
	cat, err := d.OpenCatalog(ctx)
	if err != nil {
		if strings.Contains(err.Error(), "in use by another process") {
			fmt.Fprintln(os.Stderr, "the server is running: it will index the new records within a second")
			return nil
		}
		return err
	}
	return cat.Close()
}
