package main

import (
	"bufio"
	"context"
	"database/sql"
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
	"hondana/library"
	"hondana/store"
)

func saveBranches(ctx context.Context, db *store.DB, branches []store.Branch) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, b := range branches {
			if err := store.SaveBranch(ctx, tx, b); err != nil {
				return err
			}
		}
		return nil
	})
}

// importCmd reads catalogue files into the database. The search index
// follows: directly when no server is running, else the running server
// applies the queued changes within a second.
func importCmd(args []string) error {
	fs := commonFlags("import")
	format := fs.String("format", "", "marc21, marcxml, csv, tsv or aozora (default: detect)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("import: name at least one file")
	}
	ctx := context.Background()
	a, err := open(ctx, fs)
	if err != nil {
		return err
	}
	defer a.db.Close()
	if err := saveBranches(ctx, a.db, a.branches()); err != nil {
		return err
	}
	cat := library.NewImporter(a.db, a.clock)
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	var total library.ImportStats
	start := time.Now()
	for _, path := range fs.Args() {
		st, err := importFile(ctx, cat, path, importer.Format(*format), tty)
		total.Add(st)
		if err != nil {
			return err
		}
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "imported %d records (%d new, %d updated), %d errors, in %s (%.0f records/s)\n",
		total.Saved, total.Added, total.Saved-total.Added, total.Errors, el.Round(time.Millisecond), float64(total.Saved)/el.Seconds())
	return syncIndexIfFree(ctx, a)
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
func syncIndexIfFree(ctx context.Context, a *app) error {
	cat, err := library.OpenCatalog(ctx, a.db, a.cfg.DataDir, a.clock, a.log)
	if err != nil {
		if strings.Contains(err.Error(), "in use by another process") {
			fmt.Fprintln(os.Stderr, "the server is running: it will index the new records within a second")
			return nil
		}
		return err
	}
	return cat.Close()
}

func reindexCmd(args []string) error {
	fs := commonFlags("reindex")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := open(ctx, fs)
	if err != nil {
		return err
	}
	defer a.db.Close()
	start := time.Now()
	cat, err := library.OpenCatalog(ctx, a.db, a.cfg.DataDir, a.clock, a.log)
	if err != nil {
		if strings.Contains(err.Error(), "in use by another process") {
			return errors.New("reindex: the server is running and holds the index; stop it first, or reindex from the staff screens")
		}
		return err
	}
	defer cat.Close()
	if err := cat.Rebuild(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "index rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func staffCmd(args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: hondana staff add [--username] USERNAME [--role admin|librarian] [--password-stdin]")
	}
	fs := commonFlags("staff add")
	role := fs.String("role", "librarian", "admin or librarian")
	username := fs.String("username", "", "the account's name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *username == "" && fs.NArg() == 1 {
		*username = fs.Arg(0)
	}
	if *username == "" || fs.NArg() > 1 || (fs.NArg() == 1 && fs.Arg(0) != *username) {
		return errors.New("staff add: name one USERNAME")
	}
	if *role != "admin" && *role != "librarian" {
		return fmt.Errorf("staff add: role must be admin or librarian, not %q", *role)
	}
	var pw string
	if *fromStdin || !term.IsTerminal(int(os.Stdin.Fd())) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("staff add: read password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	} else {
		fmt.Fprint(os.Stderr, "Password (at least 10 characters): ")
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return err
		}
		pw = string(b)
	}
	if len(pw) < 10 {
		return errors.New("staff add: a staff password needs at least 10 characters")
	}
	ctx := context.Background()
	a, err := open(ctx, fs)
	if err != nil {
		return err
	}
	defer a.db.Close()
	hash, err := library.HashPassword(pw, a.pepper)
	if err != nil {
		return err
	}
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
		return store.AddStaff(ctx, tx, &store.Staff{Username: *username, Role: *role, PasswordHash: hash}, a.clock.Now())
	})
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("staff add: %q exists already", *username)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "staff account %q (%s) created\n", *username, *role)
	return nil
}
