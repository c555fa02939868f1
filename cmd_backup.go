package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"hondana/internal/app"
)

// backupCmd writes a checked copy of the database, whether the server
// runs or not (see store.Backup).
func backupCmd(args []string) error {
	fs := commonFlags("backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("backup: name one FILE to write (FILE.gz to compress it)")
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, remembered, err := app.Backup(ctx, cfg, fs.Arg(0))
	if err != nil {
		return err
	}
	if remembered != nil {
		fmt.Fprintf(os.Stderr, "warning: the staff home will not show this backup: %v\n", remembered)
	}
	n := res.Counts
	fmt.Fprintf(os.Stderr, "backup written to %s: %d bytes in %s, checked (integrity_check, foreign_key_check); schema %d, %d records, %d copies, %d patrons, %d loans, %d holds\n",
		res.Path, res.Size, res.Took.Round(time.Millisecond), res.Schema, n.Records, n.Copies, n.Patrons, n.Loans, n.Holds)
	fmt.Fprintln(os.Stderr, "the password pepper is not in it: keep pepper.secret (or the pepper setting) apart, somewhere safe")
	return nil
}

// restoreCmd puts a backup in the place of the database; the server
// must be stopped.
func restoreCmd(args []string) error {
	fs := commonFlags("restore")
	forget := fs.Bool("forget-passwords", false, "the backup's pepper is lost: forget every password (patrons need new temporary passwords, staff new passwords)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("restore: name one backup FILE")
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	res, err := app.Restore(context.Background(), cfg, fs.Arg(0), app.RestoreOptions{ForgetPasswords: *forget})
	if err != nil {
		return err
	}
	n := res.Counts
	fmt.Fprintf(os.Stderr, "restored %s: schema %d, %d records, %d copies, %d patrons, %d loans, %d holds\n",
		fs.Arg(0), res.Schema, n.Records, n.Copies, n.Patrons, n.Loans, n.Holds)
	if res.Aside != "" {
		fmt.Fprintf(os.Stderr, "the database that was there is kept as %s\n", res.Aside)
	}
	fmt.Fprintln(os.Stderr, "the search index is rebuilt at the next start")
	if *forget {
		fmt.Fprintln(os.Stderr, "every password was forgotten: make an admin with `hondana staff add --username NAME --role admin`, set the other staff's passwords on the staff accounts page, and reissue patrons' temporary passwords at the counter")
	}
	if res.PepperWarning != "" {
		fmt.Fprintln(os.Stderr, "WARNING:", res.PepperWarning)
	}
	return nil
}
