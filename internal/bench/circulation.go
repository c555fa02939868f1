package bench

import (
	"bytes"
	"context"
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

	"hondana/internal/app"
	"hondana/library"
	"hondana/store"
)

// CirculationOptions say how hard the circulation bench drives the
// server.
type CirculationOptions struct {
	Clients    int           // concurrent HTTP clients
	Duration   time.Duration // how long each phase runs
	CPUProfile string        // of the HTTP phases
	Out        io.Writer
}

// Circulation measures the counter and the holds queue over real HTTP on
// loopback: hold placements per second and checkout+checkin pairs per
// second, with many concurrent clients, counting every error.
func Circulation(ctx context.Context, o CirculationOptions) error {
	dir, err := os.MkdirTemp("", "hondana-bench-circ-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := config(dir)
	// Every client logs in from loopback, and each places a hold on
	// every title it can.
	cfg.Accounts.AddressFailures = 1 << 30
	cfg.Loans.HoldLimit = 1 << 30
	a, err := app.New(ctx, cfg, app.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	db, cat, accounts := a.DB, a.Catalog, a.Accounts
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
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go cat.Run(rctx)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: a.Handler}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String() + "/api/v1"

	// One patron per client, logged in; a staff token for the desk.
	tokens := make([]string, o.Clients)
	cards := make([]string, o.Clients)
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
	if err := accounts.AddStaff(ctx, 0, "bench", library.RoleLibrarian, "bench-staff-pass"); err != nil {
		return err
	}
	staff, err := accounts.StaffLogin(ctx, "bench", "bench-staff-pass", "127.0.0.1", library.SessionAPI)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients * 2}}
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
		lat := make([][]time.Duration, o.Clients)
		stop := time.Now().Add(o.Duration)
		var wg sync.WaitGroup
		start := time.Now()
		for i := 0; i < o.Clients; i++ {
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
		fmt.Fprintf(o.Out, "%-28s %7.0f/s  (%d in %s, %d clients, %d errors; latency p50 %s p99 %s)\n", name,
			float64(done.Load())/el.Seconds(), done.Load(), el.Round(time.Millisecond), o.Clients, failed.Load(), p(.5), p(.99))
		if e := firstErr.Load(); e != nil {
			fmt.Fprintf(o.Out, "  first error: %v\n", e)
		}
	}
	fmt.Fprintf(o.Out, "hondana bench-circulation: %d records, %d clients, HTTP on loopback\n", nrec, o.Clients)
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	phase("hold placements", func(i, n int) error {
		rec := 1 + (n*(o.Clients)+i)%nrec
		return post("/me/holds", tokens[i], fmt.Sprintf(`{"record_id":%d,"pickup_branch":"ozu","contact":"phone"}`, rec), http.StatusCreated)
	})
	// Each desk lends and takes back its own copy: copies of records no
	// one reserved in the first phase are the last ones.
	barcodes := make([]string, o.Clients)
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
	fmt.Fprintf(o.Out, "peak RSS: %s\n", peakRSS())
	return nil
}
