package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"hondana/demo"
)

// Run serves the site on the configured address and runs the background
// loops (the index worker, the scheduler that lapses holds and writes
// reminders, the outbox's sender, the session sweeper, the database's
// checkpoints, the scheduled backups) until ctx ends or
// one of them fails. Then it shuts down in order: the server stops
// accepting and lets the requests in flight finish, the loops and the
// staff's jobs are cancelled and waited for. The index and the database
// stay open for Close. Read-only (see OpenData), it only serves and
// makes its scheduled backups: every other loop writes.
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	handler := a.metrics.handler(a.Handler)
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	servers := []*http.Server{hs}
	serve := func() error { return hs.Serve(ln) }
	if a.https != nil {
		hs.Handler, hs.TLSConfig = a.https.wrap(handler), a.https.tls
		serve = func() error { return hs.ServeTLS(ln, "", "") }
		if addr := a.Config.TLS.HTTPAddr; addr != "" {
			pln, err := net.Listen("tcp", addr)
			if err != nil {
				ln.Close()
				return fmt.Errorf("tls.http_addr: %w", err)
			}
			plain := &http.Server{Handler: a.https.plain, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
				WriteTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second, ErrorLog: hs.ErrorLog}
			servers = append(servers, plain)
			a.Log.Info("plain HTTP answers with redirects to HTTPS", "addr", pln.Addr().String(), "acme", a.https.manager != nil)
			defer pln.Close()
			go func() {
				if err := plain.Serve(pln); !errors.Is(err, http.ErrServerClosed) {
					a.Log.Error("plain HTTP server", "err", err)
				}
			}()
		}
	}
	logErr := func(what string) func(error) {
		return func(err error) { a.Log.Error(what, "err", err) }
	}
	g, gctx := errgroup.WithContext(ctx)
	if a.ReadOnly() == nil {
		g.Go(func() error { a.Catalog.Run(gctx); return nil })
		g.Go(func() error {
			// Holds past their pickup deadline lapse by themselves.
			a.Circulation.Run(gctx, time.Minute, nil, logErr("expiring holds and writing reminders"))
			return nil
		})
		// The outbox goes out after each commit that wrote to it, and as
		// retries fall due.
		g.Go(func() error { a.Mailer.Run(gctx, time.Minute); return nil })
		g.Go(func() error { a.Accounts.Run(gctx, 10*time.Minute, logErr("sweeping sessions")); return nil })
		g.Go(func() error { a.checkpoints(gctx); return nil })
	}
	// A backup only reads: a server started read-only (a full data
	// disk) still makes its scheduled backups, to another disk.
	g.Go(func() error { a.backups.Run(gctx); return nil })
	// Always: SIGHUP's default would end the process, and systemd's
	// reload sends it whatever the config. Caught before "serving" is
	// said, so a reload sent as soon as the server is up is never the
	// signal's default.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	g.Go(func() error { a.reloadOnHangup(gctx, hup); return nil })
	g.Go(func() error {
		if err := serve(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		a.Log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), a.Config.Web.ShutdownTimeout)
		defer cancel()
		var errs []error
		for _, s := range servers {
			if err := s.Shutdown(sctx); err != nil {
				errs = append(errs, fmt.Errorf("shutdown: %w", err))
			}
		}
		return errors.Join(errs...)
	})
	url := a.scheme() + "://" + displayAddr(ln.Addr().String()) + "/"
	a.Log.Info("hondana is serving", "url", url, "version", a.version, "ready_in", time.Since(a.opened).Round(time.Millisecond), "test_clock", a.Config.TestClock,
		"read_only", a.ReadOnly() != nil)
	if a.Config.Demo {
		fmt.Fprintf(os.Stderr, "\n  Demo library: %[1]s\n  Staff login:  %[2]s / %[3]s   (%[1]sstaff)\n  Patron login: %[4]s / %[5]s   (%[1]slogin)\n\n",
			url, demo.StaffUser, demo.StaffPassword, demo.PatronCard, demo.PatronPassword)
	}
	err = g.Wait()
	// No request can start a job any more: cancel those running.
	a.jobs.stop()
	a.Log.Info("stopped")
	return err
}

// checkpoints folds the WAL into the database and empties it about every
// checkpointEvery, at a moment when no write has committed for
// checkpointQuiet (a checkpoint holds the writer for a few
// milliseconds), or after four times as long whatever the load. With
// secure_delete, what a deletion overwrote is then gone from the WAL too,
// whose older frames held it until SQLite happened to reuse them (R40:
// who borrowed what must not stay readable after the return).
func (a *App) checkpoints(ctx context.Context) {
	t := time.NewTicker(a.checkpointQuiet)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		since := time.Since(last)
		if since < a.checkpointEvery || (time.Since(a.DB.LastWrite()) < a.checkpointQuiet && since < 4*a.checkpointEvery) {
			continue
		}
		if err := a.DB.Checkpoint(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("checkpointing the database", "err", err)
		}
		last = time.Now()
	}
}

// scheme is how the site is served: https or http.
func (a *App) scheme() string {
	if a.https != nil {
		return "https"
	}
	return "http"
}

// reloadOnHangup reads the certificate files again at each SIGHUP, so
// that a renewed certificate is served without a restart; files that do
// not load leave the one in use, and say so in the log.
func (a *App) reloadOnHangup(ctx context.Context, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		if a.https == nil || a.https.files == nil {
			a.Log.Info("SIGHUP: no certificate files to reload (tls.cert_file); the config file is read at start only")
			continue
		}
		if err := a.https.files.Reload(); err != nil {
			a.Log.Error("SIGHUP: the certificate files did not load; still serving the certificate in use", "err", err)
			continue
		}
		a.Log.Info("SIGHUP: certificate reloaded", "file", a.Config.TLS.CertFile, "expires", a.https.files.expiry())
	}
}

// displayAddr is addr as a browser's address bar takes it.
func displayAddr(addr string) string {
	if host, port, err := net.SplitHostPort(addr); err == nil && (host == "" || host == "::" || host == "0.0.0.0") {
		return "localhost:" + port
	}
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	return addr
}

// jobs runs the work staff start from the web that outlives its request
// (an import, a reindex) on the app's lifetime: stop cancels their
// context and waits for them, so none outlives the index or the
// database.
type jobs struct {
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	done   bool
	wg     sync.WaitGroup
}

func newJobs() *jobs {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobs{ctx: ctx, cancel: cancel}
}

// errStopping refuses a job once shutdown has begun.
var errStopping = errors.New("app: shutting down")

// Go runs f in the background with a context that ends at shutdown.
func (j *jobs) Go(f func(ctx context.Context)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.done {
		return errStopping
	}
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		f(j.ctx)
	}()
	return nil
}

// stop cancels the running jobs, refuses new ones and waits for the
// running ones to return.
func (j *jobs) stop() {
	j.mu.Lock()
	j.done = true
	j.mu.Unlock()
	j.cancel()
	j.wg.Wait()
}
