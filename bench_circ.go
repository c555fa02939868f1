package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"hondana/library"
	"hondana/store"
	"hondana/ui"
)

// benchCirculationCmd measures the counter and the holds queue over real
// HTTP on loopback: hold placements per second and checkout+checkin pairs
// per second, with many concurrent clients, counting every error.
func benchCirculationCmd(args []string) error {
	fs := pflag.NewFlagSet("bench-circulation", pflag.ContinueOnError)
	clients := fs.Int("clients", 64, "concurrent HTTP clients")
	seconds := fs.Duration("duration", 5*time.Second, "how long each phase runs")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the HTTP phases to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hondana-bench-circ-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := library.SystemClock{}
	db, cat, err := openBenchCatalog(ctx, dir, clock, log)
	if err != nil {
		return err
	}
	defer db.Close()
	defer cat.Close()
	g := newSynth(3)
	const nrec = 20000
	for i := 0; i < nrec; i += 1000 {
		recs := make([]*store.Record, 1000)
		copies := make([][]store.Copy, 1000)
		for k := range recs {
			recs[k], copies[k] = g.record(i + k)
			for j := range copies[k] {
				copies[k][j].Status = store.CopyOnShelf
			}
		}
		if err := cat.SaveRecords(ctx, recs, copies); err != nil {
			return err
		}
	}
	if err := cat.Rebuild(ctx); err != nil {
		return err
	}
	go cat.Run(ctx)
	rules := library.CalendarRules{Branches: map[string]library.BranchCalendar{}}
	for _, b := range benchBranches {
		rules.Branches[b.Code] = library.BranchCalendar{Weekday: library.Hours{Opens: "09:00", Closes: "19:00"}, Weekend: library.Hours{Opens: "09:00", Closes: "17:00"}}
	}
	cal := library.NewCalendar(db, rules, time.Local)
	pol := library.DefaultAccountPolicy()
	pol.AddressFailures = 1 << 30
	accounts, err := library.NewAccounts(db, clock, []byte("bench"), pol)
	if err != nil {
		return err
	}
	lp := library.DefaultLoanPolicy()
	lp.HoldLimit = 1 << 30
	circ := library.NewCirculation(db, cal, clock, lp)
	circ.Changed = cat.Changed
	srv := ui.New(ui.Options{DB: db, Catalog: cat, Calendar: cal, Clock: clock, Log: log, Accounts: accounts, Circulation: circ})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String() + "/api/v1"

	// One patron per client, logged in; a staff token for the desk.
	tokens := make([]string, *clients)
	cards := make([]string, *clients)
	for i := range tokens {
		reg, err := accounts.RegisterPatron(ctx, library.PatronForm{Name: fmt.Sprintf("利用者%d", i), NameYomi: "リヨウシャ", BirthDate: "1990-01-01"})
		if err != nil {
			return err
		}
		p, _ := db.PatronByCard(ctx, reg.Card)
		if err := accounts.SetPassword(ctx, p.ID, "Bench1"); err != nil {
			return err
		}
		res, err := accounts.Login(ctx, reg.Card, "Bench1", "127.0.0.1", library.SessionAPI)
		if err != nil {
			return err
		}
		tokens[i], cards[i] = res.Token, reg.Card
	}
	hash, _ := library.HashPassword("bench-staff-pass", []byte("bench"))
	db.Tx(ctx, func(tx *sql.Tx) error {
		return store.AddStaff(ctx, tx, &store.Staff{Username: "bench", Role: "librarian", PasswordHash: hash}, time.Now())
	})
	staff, err := accounts.StaffLogin(ctx, "bench", "bench-staff-pass", "127.0.0.1", library.SessionAPI)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}}
	post := func(path, token, body string, want int) error {
		req, _ := http.NewRequest("POST", base+path, bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			return fmt.Errorf("%s: %d %s", path, resp.StatusCode, b)
		}
		return nil
	}

	phase := func(name string, work func(i, n int) error) {
		var done, failed atomic.Int64
		var firstErr atomic.Value
		lat := make([][]time.Duration, *clients)
		stop := time.Now().Add(*seconds)
		var wg sync.WaitGroup
		start := time.Now()
		for i := 0; i < *clients; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for n := 0; time.Now().Before(stop); n++ {
					t := time.Now()
					if err := work(i, n); err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
						continue
					}
					lat[i] = append(lat[i], time.Since(t))
					done.Add(1)
				}
			}(i)
		}
		wg.Wait()
		el := time.Since(start)
		var all []time.Duration
		for _, l := range lat {
			all = append(all, l...)
		}
		sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
		p := func(q float64) time.Duration {
			if len(all) == 0 {
				return 0
			}
			return all[int(q*float64(len(all)-1))].Round(10 * time.Microsecond)
		}
		fmt.Printf("%-28s %7.0f/s  (%d in %s, %d clients, %d errors; latency p50 %s p99 %s)\n", name,
			float64(done.Load())/el.Seconds(), done.Load(), el.Round(time.Millisecond), *clients, failed.Load(), p(.5), p(.99))
		if e := firstErr.Load(); e != nil {
			fmt.Printf("  first error: %v\n", e)
		}
	}
	fmt.Printf("hondana bench-circulation: %d records, %d clients, HTTP on loopback\n", nrec, *clients)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	phase("hold placements", func(i, n int) error {
		rec := 1 + (n*(*clients)+i)%nrec
		return post("/me/holds", tokens[i], fmt.Sprintf(`{"record_id":%d,"pickup_branch":"ozu","contact":"phone"}`, rec), http.StatusCreated)
	})
	// Each desk lends and takes back its own copy: copies of records no
	// one reserved in the first phase are the last ones.
	barcodes := make([]string, *clients)
	for i := range barcodes {
		var bc string
		db.Reader().QueryRow(`SELECT c.barcode FROM copies c WHERE c.status = 'on_shelf'
			AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = c.record_id) ORDER BY c.id DESC LIMIT 1 OFFSET ?`, i).Scan(&bc)
		barcodes[i] = bc
	}
	phase("checkout+checkin pairs", func(i, n int) error {
		if err := post("/staff/checkout", staff.Token, fmt.Sprintf(`{"card":"%s","barcode":"%s","branch":"ozu"}`, cards[i], barcodes[i]), http.StatusCreated); err != nil {
			return err
		}
		return post("/staff/checkin", staff.Token, fmt.Sprintf(`{"barcode":"%s","branch":"ozu"}`, barcodes[i]), http.StatusOK)
	})
	fmt.Printf("peak RSS: %s\n", peakRSS())
	return nil
}
