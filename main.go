// Command hondana is a whole library system in one binary: the public
// catalogue, patron self-service and the staff counter.
//
//	hondana serve [--config FILE] [--addr HOST:PORT] [--data DIR] [--demo] [--test-clock]
//	hondana import [--format marc21|marcxml|csv|tsv|aozora] FILE...
//	hondana reindex
//	hondana staff add --username NAME [--role admin|librarian] [--password-stdin]
//	hondana bench [--records N] [--queries N]
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"hondana/demo"
	"hondana/library"
	"hondana/mailer"
	"hondana/store"
	"hondana/ui"
)

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "import":
		err = importCmd(args)
	case "reindex":
		err = reindexCmd(args)
	case "staff":
		err = staffCmd(args)
	case "bench":
		err = benchCmd(args)
	case "bench-circulation":
		err = benchCirculationCmd(args)
	case "help", "-h", "--help":
		usage()
		return
	default:
		fmt.Fprintf(os.Stderr, "hondana: unknown command %q\n\n", cmd)
		usage()
		os.Exit(2)
	}
	if err != nil {
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
  hondana bench   [--records N] [--queries N] [--dir DIR]
  hondana bench-circulation [--clients 64] [--duration 5s]

Configuration comes from the file given by --config (see config.example.yaml),
then HONDANA_* environment variables (HONDANA_DATA_DIR, HONDANA_ADDR, …), then flags.
`)
}

func commonFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.String("config", "", "config file (YAML)")
	fs.String("data", "", "data directory (default ./data)")
	return fs
}

// app is what every command opens: config, logger, database, clock.
type app struct {
	cfg    Config
	log    *slog.Logger
	loc    *time.Location
	db     *store.DB
	clock  library.Clock
	pepper []byte
}

func open(ctx context.Context, fs *pflag.FlagSet) (*app, error) {
	cfg, err := loadConfig(fs)
	if err != nil {
		return nil, err
	}
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	loc, _ := time.LoadLocation(cfg.Timezone)
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	pepper, err := loadPepper(cfg, log)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	var clock library.Clock = library.SystemClock{}
	if cfg.TestClock {
		clock = &library.TestClock{}
	}
	return &app{cfg: cfg, log: log, loc: loc, db: db, clock: clock, pepper: pepper}, nil
}

// loadPepper returns the password pepper: from the config, or from the
// data directory's secret file, made on first start. It is never stored
// in the database, so a stolen database backup alone cannot be attacked.
func loadPepper(cfg Config, log *slog.Logger) ([]byte, error) {
	if cfg.Pepper != "" {
		return []byte(cfg.Pepper), nil
	}
	path := filepath.Join(cfg.DataDir, "pepper.secret")
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("pepper: %w", err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("pepper: %w", err)
	}
	log.Warn("no pepper configured: generated one in the data directory; keep it out of database backups, or set pepper / HONDANA_PEPPER", "file", path)
	return []byte(secret), nil
}

func (a *app) calendarRules() (library.CalendarRules, error) {
	rules := library.CalendarRules{
		ClosedOnHolidays: a.cfg.Calendar.ClosedOnHolidays,
		MonthEndCleaning: a.cfg.Calendar.MonthEndCleaning,
		NewYearFrom:      a.cfg.Calendar.NewYearFrom,
		NewYearTo:        a.cfg.Calendar.NewYearTo,
		Branches:         map[string]library.BranchCalendar{},
	}
	for _, b := range a.cfg.Branches {
		closed, err := library.ParseWeekdays(b.ClosedDays)
		if err != nil {
			return rules, fmt.Errorf("config: branch %s: %w", b.Code, err)
		}
		rules.Branches[b.Code] = library.BranchCalendar{
			ClosedWeekdays: closed,
			Weekday:        library.Hours{Opens: b.WeekdayOpens, Closes: b.WeekdayCloses},
			Weekend:        library.Hours{Opens: b.WeekendOpens, Closes: b.WeekendCloses},
		}
	}
	return rules, nil
}

func (a *app) accounts() (*library.Accounts, error) {
	c := a.cfg.Accounts
	return library.NewAccounts(a.db, a.clock, a.pepper, library.AccountPolicy{
		TempPasswordDelay: c.TempPasswordDelay, TempPasswordTries: c.TempPasswordTries, TempPasswordTTL: c.TempPasswordTTL,
		SessionIdle: c.SessionIdle, KioskIdle: c.KioskIdle, SessionMax: c.SessionMax,
		AddressFailures: c.AddressFailures, AddressWindow: c.AddressWindow, HashConcurrency: c.HashConcurrency,
	})
}

func (a *app) mailPolicy() library.MailPolicy {
	m := a.cfg.Mail
	return library.MailPolicy{PickupReminderOpenDays: m.PickupReminderOpenDays, DueReminderDays: m.DueReminderDays,
		OverdueNotices: m.OverdueNotices, OverdueEveryDays: m.OverdueEveryDays, RetryMin: m.RetryMin, RetryMax: m.RetryMax,
		GiveUpAfter: m.GiveUpAfter, Keep: m.Keep}
}

// mailer is the outbox's sender: through the configured SMTP server, or
// into the mailbox directory when there is none.
func (a *app) mailer(circ *library.Circulation) (*library.Mailer, error) {
	m := a.cfg.Mail
	from, name := m.From, m.FromName
	if from == "" {
		from = "noreply@" + a.cfg.Library.MailDomain
	}
	if name == "" {
		name = a.cfg.Library.Name
	}
	if m.SMTPHost == "" {
		dir := a.mailboxDir()
		box, err := mailer.NewMailbox(dir)
		if err != nil {
			return nil, err
		}
		if !a.cfg.Demo {
			a.log.Warn("mail.smtp_host is not set: notices are written to the mailbox directory only (see /staff/outbox)", "dir", dir)
		}
		return library.NewMailer(circ, box, from, name), nil
	}
	smtp, err := mailer.NewSMTP(mailer.SMTPConfig{Host: m.SMTPHost, Port: m.SMTPPort, TLS: m.SMTPTLS, Username: m.SMTPUsername,
		Password: m.SMTPPassword, Auth: m.SMTPAuth, Timeout: m.SMTPTimeout, CAFile: m.SMTPCAFile})
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return library.NewMailer(circ, smtp, from, name), nil
}

func (a *app) mailboxDir() string {
	if a.cfg.Mail.MailboxDir != "" {
		return a.cfg.Mail.MailboxDir
	}
	return filepath.Join(a.cfg.DataDir, "mailbox")
}

func (a *app) branches() []store.Branch {
	var out []store.Branch
	for i, b := range a.cfg.Branches {
		out = append(out, store.Branch{Code: b.Code, Name: b.Name, NameEn: b.NameEn, Address: b.Address, Phone: b.Phone, Fax: b.Fax, SortOrder: i})
	}
	return out
}

func serve(args []string) error {
	fs := commonFlags("serve")
	fs.String("addr", "", "address to listen on (default localhost:8080)")
	fs.Bool("demo", false, "load the demo library into an empty data directory")
	fs.Bool("test-clock", false, "let POST /api/v1/test/clock move the clock (for tests only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	a, err := open(ctx, fs)
	if err != nil {
		return err
	}
	defer a.db.Close()
	rules, err := a.calendarRules()
	if err != nil {
		return err
	}
	cal := library.NewCalendar(a.db, rules, a.loc)

	n, err := a.db.RecordCount(ctx)
	if err != nil {
		return err
	}
	loadDemo := a.cfg.Demo && n == 0
	cat, err := library.OpenCatalog(ctx, a.db, a.cfg.DataDir, a.clock, a.log)
	if err != nil {
		return err
	}
	defer cat.Close()
	if loadDemo {
		a.log.Info("empty data directory: loading the demo library", "dir", a.cfg.DataDir)
		if err := demo.Load(ctx, a.db, cat, demo.Options{Branches: a.branches(), Calendar: cal, Clock: a.clock, Pepper: a.pepper, Log: a.log}); err != nil {
			return err
		}
		// One bulk build beats applying eighteen thousand queued changes.
		if err := cat.Rebuild(ctx); err != nil {
			return err
		}
	} else if err := syncBranches(ctx, a); err != nil {
		return err
	}
	if staff, err := a.db.StaffCount(ctx); err != nil {
		return err
	} else if staff == 0 {
		a.log.Warn("no staff account yet: create one with `hondana staff add --username NAME --role admin`")
	}

	accounts, err := a.accounts()
	if err != nil {
		return err
	}
	if loadDemo {
		if err := demo.SetPatronPassword(ctx, a.db, accounts); err != nil {
			return err
		}
	}
	circ := library.NewCirculation(a.db, cal, a.clock, library.LoanPolicy{
		LoanDays: a.cfg.Loans.LoanDays, LoanLimit: a.cfg.Loans.LoanLimit, HoldLimit: a.cfg.Loans.HoldLimit, PickupDays: a.cfg.Loans.PickupDays})
	circ.Changed = cat.Changed
	letters := library.NewLetters(a.db, library.Letterhead{Library: a.cfg.Library.Name, BaseURL: a.cfg.BaseURL}, rules)
	circ.SetMail(letters, a.mailPolicy())
	sender, err := a.mailer(circ)
	if err != nil {
		return err
	}
	circ.Mailed = sender.Poke
	accounts.Letters, accounts.Mailed = letters, sender.Poke
	mailboxDir := ""
	if a.cfg.Mail.SMTPHost == "" {
		mailboxDir = a.mailboxDir()
	}
	srv := ui.New(ui.Options{
		MailboxDir: mailboxDir,
		DB:         a.db, Catalog: cat, Calendar: cal, Clock: a.clock, Log: a.log, Accounts: accounts, Circulation: circ, Mailer: sender,
		Site: ui.Site{
			Name: a.cfg.Library.Name, NameEn: a.cfg.Library.NameEn, MailDomain: a.cfg.Library.MailDomain,
			BaseURL: a.cfg.BaseURL, NewArrivalsDays: a.cfg.Catalog.NewArrivalsDays,
		},
		TestClock:     a.cfg.TestClock,
		SecureCookies: a.cfg.Web.SecureCookies,
	})
	go cat.Run(ctx)
	// Holds past their pickup deadline lapse by themselves.
	go circ.Run(ctx, time.Minute, nil, func(err error) { a.log.Error("expiring holds and writing reminders", "err", err) })
	// The outbox goes out after each commit that wrote to it, and as
	// retries fall due.
	sender.OnError = func(err error) { a.log.Error("sending mail", "err", err) }
	go sender.Run(ctx, time.Minute)
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := accounts.Sweep(ctx); err != nil {
					a.log.Error("sweeping sessions", "err", err)
				}
			}
		}
	}()
	hs := &http.Server{Addr: a.cfg.Addr, Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	a.log.Info("hondana is serving", "url", "http://"+displayAddr(a.cfg.Addr)+"/", "ready_in", time.Since(start).Round(time.Millisecond), "test_clock", a.cfg.TestClock)
	if a.cfg.Demo {
		fmt.Fprintf(os.Stderr, "\n  Demo library: http://%[1]s/\n  Staff login:  %[2]s / %[3]s   (http://%[1]s/staff)\n  Patron login: %[4]s / %[5]s   (http://%[1]s/login)\n\n",
			displayAddr(a.cfg.Addr), demo.StaffUser, demo.StaffPassword, demo.PatronCard, demo.PatronPassword)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.Web.ShutdownTimeout)
	defer cancel()
	return hs.Shutdown(sctx)
}

func displayAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	return addr
}

// syncBranches writes the configured branches, so names, addresses and
// phones follow the config file.
func syncBranches(ctx context.Context, a *app) error {
	return saveBranches(ctx, a.db, a.branches())
}
