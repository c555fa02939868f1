package main

import (
	"context"
	"os"
	"time"

	"github.com/spf13/pflag"

	"hondana/internal/bench"
)

// benchCmd builds a synthetic catalogue and measures import, index,
// start-up and queries (see bench.Catalog).
func benchCmd(args []string) error {
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	o := bench.CatalogOptions{Out: os.Stdout}
	fs.IntVar(&o.Records, "records", 100000, "number of synthetic records")
	fs.IntVar(&o.Queries, "queries", 1000, "number of queries")
	fs.StringVar(&o.Dir, "dir", "", "where to build (default: a temporary directory, removed afterwards)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile to this file (with --reuse: of the queries alone)")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile to this file at the end of the build")
	fs.BoolVar(&o.Reuse, "reuse", false, "reuse the catalogue already in --dir (built by an earlier run with the same --records): measure start-up and queries only")
	fs.IntVar(&o.Slowest, "slowest", 0, "list this many of the slowest queries")
	fs.BoolVar(&o.Rebuild, "rebuild", false, "with --reuse: measure a rebuild of the index first")
	fs.BoolVar(&o.Separate, "separate", true, "also measure the import to SQLite alone and the index rebuild alone")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return bench.Catalog(context.Background(), o)
}

// benchCirculationCmd measures holds and the counter over HTTP (see
// bench.Circulation).
func benchCirculationCmd(args []string) error {
	fs := pflag.NewFlagSet("bench-circulation", pflag.ContinueOnError)
	o := bench.CirculationOptions{Out: os.Stdout}
	fs.IntVar(&o.Clients, "clients", 64, "concurrent HTTP clients")
	fs.DurationVar(&o.Duration, "duration", 5*time.Second, "how long each phase runs")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the HTTP phases to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return bench.Circulation(context.Background(), o)
}

// benchMoveInCmd writes a vendor-style patron file for measuring
// `hondana import-patrons` (see bench.WritePatrons).
func benchMoveInCmd(args []string) error {
	fs := pflag.NewFlagSet("bench-movein", pflag.ContinueOnError)
	n := fs.Int("patrons", 100000, "rows of patrons")
	out := fs.String("out", "patrons.csv", "the file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := bench.WritePatrons(f, *n); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
