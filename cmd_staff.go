package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"hondana/library"
)

// staffCmd adds a staff account: the first admin of a new installation
// is made this way, with the password from standard input or a terminal.
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
	if *role != library.RoleAdmin && *role != library.RoleLibrarian {
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
	if library.CheckStaffPassword(pw) != nil {
		return errors.New("staff add: a staff password needs at least 10 characters")
	}
	d, err := openData(fs)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := context.Background()
	policy, err := d.Config.AccountPolicy()
	if err != nil {
		return err
	}
	accounts, err := library.NewAccounts(d.DB, d.Clock, d.Pepper, library.AccountsOptions{Policy: policy, Location: d.Loc})
	if err != nil {
		return err
	}
	// From the command line: the staff log shows no staff member.
	err = accounts.AddStaff(ctx, 0, *username, *role, pw)
	var r *library.Refusal
	if errors.As(err, &r) && r.Code == library.StaffExists {
		return fmt.Errorf("staff add: %q exists already", *username)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "staff account %q (%s) created\n", *username, *role)
	return nil
}
