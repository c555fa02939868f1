// Command hondana is a whole library system in one binary: the public
// catalogue, patron self-service and the staff counter. Each command is
// in a file of its own (cmd_*.go); internal/app builds what they run.
package main

import (
	"fmt"
	"os"

	"hondana/library"
)

// commands maps each command to its function, which gets the arguments
// after the command's name.
var commands = map[string]func(args []string) error{
	"serve":             serveCmd,
	"import":            importCmd,
	"reindex":           reindexCmd,
	"staff":             staffCmd,
	"bench":             benchCmd,
	"bench-circulation": benchCirculationCmd,
	"import-patrons":    moveInCmd(library.MoveInPatrons),
	"import-loans":      moveInCmd(library.MoveInLoans),
	"import-holds":      moveInCmd(library.MoveInHolds),
	"export":            exportCmd,
	"bench-movein":      benchMoveInCmd,
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	if name == "help" || name == "-h" || name == "--help" {
		usage()
		return
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "hondana: unknown command %q\n\n", name)
		usage()
		os.Exit(2)
	}
	if err := cmd(args); err != nil {
		fmt.Fprintln(os.Stderr, "hondana:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `Hondana — a library system in one binary.

Usage:
  hondana serve   [--config FILE] [--addr HOST:PORT] [--data DIR] [--demo] [--test-clock]
  hondana import  [--config FILE] [--data DIR] [--format marc21|marcxml|csv|tsv|aozora] FILE...
  hondana reindex [--config FILE] [--data DIR]
  hondana staff add [--config FILE] [--data DIR] --username NAME [--role admin|librarian] [--password-stdin]
  hondana import-patrons|import-loans|import-holds [--config FILE] [--data DIR] [--dry-run] [--quiet] FILE
  hondana export  [--config FILE] [--data DIR] --what records|patrons|loans|holds [--format marc21|marcxml|csv] FILE
  hondana bench   [--records N] [--queries N] [--dir DIR]
  hondana bench-circulation [--clients 64] [--duration 5s]

Configuration comes from the file given by --config (see config.example.yaml),
then HONDANA_* environment variables (HONDANA_DATA_DIR, HONDANA_ADDR, …), then flags.
`)
}
