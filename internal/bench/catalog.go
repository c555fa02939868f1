// Package bench measures Hondana on synthetic data: the catalogue (bulk
// load, index, start-up, queries with facets) and circulation over HTTP.
// Both build what they measure through internal/app, as the server does.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"time"

	"hondana/internal/app"
	"hondana/library"
	"hondana/search"
	"hondana/store"
)

// CatalogOptions say what the catalogue bench builds and measures.
type CatalogOptions struct {
	Records int    // synthetic records
	Queries int    // queries measured
	Dir     string // where to build; "": a temporary directory, removed afterwards
	// Reuse measures start-up and queries on the catalogue an earlier
	// run with the same Records built in Dir; with Rebuild, a rebuild of
	// its index first.
	Reuse, Rebuild bool
	// Separate also measures the import to SQLite alone and the index
	// rebuild alone.
	Separate bool
	// CPUProfile is written for the whole run (with Reuse: of the
	// queries alone), MemProfile (a heap profile) at the end of the
	// build.
	CPUProfile, MemProfile string
	Slowest                int // the slowest queries to list
	Out                    io.Writer
}

// catalogRun is one run of the catalogue bench.
type catalogRun struct {
	CatalogOptions
	log  *slog.Logger
	anon *anonSampler
}

// Catalog builds a synthetic catalogue of o.Records records and measures
// the import and indexing rate, the index size, peak memory, start-up
// time with the index in place, and query latency with facets.
func Catalog(ctx context.Context, o CatalogOptions) error {
	r := &catalogRun{CatalogOptions: o, log: slog.New(slog.NewTextHandler(io.Discard, nil)), anon: sampleAnon()}
	defer r.anon.stop()
	stopProfile := func() {}
	defer func() { stopProfile() }()
	startProfile := func() error {
		if r.CPUProfile == "" {
			return nil
		}
		f, err := os.Create(r.CPUProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		stopProfile = func() {
			pprof.StopCPUProfile()
			f.Close()
		}
		return nil
	}
	if !r.Reuse {
		if err := startProfile(); err != nil {
			return err
		}
	}
	if r.Reuse && r.Dir == "" {
		return fmt.Errorf("bench: --reuse needs --dir")
	}
	if r.Dir == "" {
		d, err := os.MkdirTemp("", "hondana-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		r.Dir = d
	} else if err := os.MkdirAll(r.Dir, 0o750); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "hondana bench: %d records, %d queries, %d CPUs, in %s\n", r.Records, r.Queries, runtime.NumCPU(), r.Dir)

	g := newSynth(1)
	if !r.Reuse {
		if err := r.build(ctx, g); err != nil {
			return err
		}
	} else {
		// Advance the generator as a build would have, so the queries match.
		for i := 0; i < r.Records; i++ {
			g.record(i)
		}
		if r.Rebuild {
			if err := r.rebuild(ctx); err != nil {
				return err
			}
		}
	}
	d, cat, err := r.open(ctx, r.Dir)
	if err != nil {
		return err
	}
	// Incremental: the path every checkout and edit takes.
	start := time.Now()
	const changes = 2000
	for i := 0; i < changes; i += 100 {
		recs := make([]*store.Record, 100)
		for k := range recs {
			recs[k], _ = g.record(i + k) // same sources: updates
		}
		if err := cat.SaveRecords(ctx, recs, nil); err != nil {
			return err
		}
	}
	if err := cat.Sync(ctx); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "incremental updates: %6.0f changes/s (%d updates, committed and indexed)\n", changes/time.Since(start).Seconds(), changes)
	if err := closeAll(cat, d); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "index size:       %8.1f MB; database %0.1f MB\n", dirMB(filepath.Join(r.Dir, search.DirName)), dirMB(filepath.Join(r.Dir, store.FileName)))

	start = time.Now()
	d, cat, err = r.open(ctx, r.Dir)
	if err != nil {
		return err
	}
	defer closeAll(cat, d)
	fmt.Fprintf(r.Out, "start-up with existing index: %s\n", time.Since(start).Round(time.Millisecond))
	// Until the facet columns are read (in the background after start-up)
	// queries count facets the slow way; the figures below are those of
	// a running server.
	for !cat.FacetsReady() && time.Since(start) < time.Minute {
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintf(r.Out, "facet columns read: %s after start-up\n", time.Since(start).Round(time.Millisecond))

	queries := g.queries(r.Queries)
	if r.Reuse {
		if err := startProfile(); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, 0, len(queries))
	hits := 0
	zero := 0
	var timed []timedQuery
	start = time.Now()
	for _, q := range queries {
		t := time.Now()
		res, err := cat.Search(ctx, q)
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
		timed = append(timed, timedQuery{q, res.Total, res.FacetsApproximate, time.Since(t)})
		hits += res.Total
		if res.Total == 0 {
			zero++
		}
	}
	wall := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Fprintf(r.Out, "queries with facets: p50 %s  p90 %s  p99 %s  max %s  (%.0f queries/s, mean %d hits, %d with none)\n",
		pct(.5).Round(10*time.Microsecond), pct(.9).Round(10*time.Microsecond), pct(.99).Round(10*time.Microsecond),
		lat[len(lat)-1].Round(10*time.Microsecond), float64(len(lat))/wall.Seconds(), hits/len(lat), zero)
	fmt.Fprintf(r.Out, "peak RSS: %s (anonymous memory, sampled: peak %.0f MB; the rest is index files mapped by Bleve)\n", peakRSS(), r.anon.peakMB())
	sort.Slice(timed, func(i, j int) bool { return timed[i].took > timed[j].took })
	for _, t := range timed[:min(r.Slowest, len(timed))] {
		fmt.Fprintf(r.Out, "  slow: %8s  %6d hits  approximate facets %-5t  %+v\n", t.took.Round(10*time.Microsecond), t.total, t.approx, t.q)
	}
	return nil
}

type timedQuery struct {
	q      search.Query
	total  int
	approx bool
	took   time.Duration
}

// build measures the bulk load (records saved in SQLite and the index
// built alongside, all searchable at the end) into r.Dir, then, when
// r.Separate, the index rebuild alone and the import to SQLite alone (in
// a second, temporary directory).
func (r *catalogRun) build(ctx context.Context, g *synth) error {
	const batch = 2000
	d, cat, err := r.open(ctx, r.Dir)
	if err != nil {
		return err
	}
	defer closeAll(cat, d)
	n := r.Records
	start := time.Now()
	i := 0
	saved, err := cat.Load(ctx, func() ([]*store.Record, [][]store.Copy, error) {
		m := min(batch, n-i)
		recs := make([]*store.Record, m)
		copies := make([][]store.Copy, m)
		for k := range recs {
			recs[k], copies[k] = g.record(i + k)
		}
		i += m
		return recs, copies, nil
	})
	if err != nil {
		return err
	}
	loadTime := time.Since(start)
	if err := check(ctx, d.DB, cat, n); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "import+index:     %8.0f records/s (%s; bulk load: SQLite writes and index build side by side, all %d searchable)\n",
		float64(saved)/loadTime.Seconds(), loadTime.Round(time.Millisecond), saved)
	if r.MemProfile != "" {
		writeHeapProfile(r.MemProfile)
	}
	if !r.Separate {
		return nil
	}
	start = time.Now()
	if err := cat.Rebuild(ctx); err != nil {
		return err
	}
	indexTime := time.Since(start)
	fmt.Fprintf(r.Out, "index (rebuild):  %8.0f records/s (%s)\n", float64(n)/indexTime.Seconds(), indexTime.Round(time.Millisecond))

	tmp, err := os.MkdirTemp(filepath.Dir(r.Dir), "hondana-bench-sqlite-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	d2, cat2, err := r.open(ctx, tmp)
	if err != nil {
		return err
	}
	defer closeAll(cat2, d2)
	g2 := newSynth(1)
	start = time.Now()
	for i := 0; i < n; i += batch {
		m := min(batch, n-i)
		recs := make([]*store.Record, m)
		copies := make([][]store.Copy, m)
		for k := range recs {
			recs[k], copies[k] = g2.record(i + k)
		}
		if err := cat2.SaveRecords(ctx, recs, copies); err != nil {
			return err
		}
	}
	importTime := time.Since(start)
	fmt.Fprintf(r.Out, "import to SQLite: %8.0f records/s (%s; SaveRecords, index not updated)\n", float64(n)/importTime.Seconds(), importTime.Round(time.Millisecond))
	return nil
}

// rebuild measures a rebuild of the index of the catalogue in r.Dir.
func (r *catalogRun) rebuild(ctx context.Context) error {
	d, cat, err := r.open(ctx, r.Dir)
	if err != nil {
		return err
	}
	defer closeAll(cat, d)
	start := time.Now()
	if err := cat.Rebuild(ctx); err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(r.Out, "index (rebuild):  %8.0f records/s (%s; peak RSS so far %s)\n", float64(r.Records)/took.Seconds(), took.Round(time.Millisecond), peakRSS())
	return nil
}

// open opens the database and the catalogue in dir as the server would,
// with the bench's branches; closeAll closes them.
func (r *catalogRun) open(ctx context.Context, dir string) (*app.Data, *library.Catalog, error) {
	d, err := app.OpenData(ctx, config(dir), app.Options{Log: r.log})
	if err != nil {
		return nil, nil, err
	}
	cat, err := d.OpenCatalog(ctx)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, cat, nil
}

// closeAll closes the catalogue, then the database.
func closeAll(cat *library.Catalog, d *app.Data) error {
	err := cat.Close()
	if derr := d.Close(); err == nil {
		err = derr
	}
	return err
}

// config is the configuration of a bench's data directory: the default
// city's four libraries, a pepper of its own, open every day.
func config(dir string) app.Config {
	c := app.Default()
	c.DataDir = dir
	c.Pepper = "bench"
	c.Calendar = app.CalendarConfig{}
	for i := range c.Branches {
		c.Branches[i].ClosedDays = nil
	}
	return c
}

// check makes sure the load is complete: every record in SQLite and in
// the index, nothing left queued.
func check(ctx context.Context, db *store.DB, cat *library.Catalog, n int) error {
	recs, err := db.RecordCount(ctx)
	if err != nil {
		return err
	}
	res, err := cat.Search(ctx, search.Query{Limit: 1})
	if err != nil {
		return err
	}
	lowest, _, err := db.IndexQueueBounds(ctx)
	if err != nil {
		return err
	}
	if recs != n || res.Total != n || lowest != 0 {
		return fmt.Errorf("bench: after the load: %d records in SQLite, %d in the index, queue from %d; want %d, %d, empty", recs, res.Total, lowest, n, n)
	}
	return nil
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	runtime.GC()
	pprof.WriteHeapProfile(f)
}
