package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"hondana/demo"
	"hondana/internal/buildgc"
	"hondana/library"
	"hondana/mailer"
	"hondana/store"
	"hondana/ui"
)

// Options change how an App is built, for tests and benches; the zero
// value is a production start.
type Options struct {
	// Log receives the log; nil: text on standard error at the
	// config's log level.
	Log *slog.Logger
	// Clock is the time every rule reads; nil: the system clock, or a
	// test clock (starting now) when the config says test_clock.
	Clock library.Clock
	// Transport sends the outbox instead of the SMTP server or the
	// mailbox directory the config names.
	Transport library.Transport
	// Checkpoints, for tests, replaces how often Run folds the WAL into
	// the database and empties it, and how long writes must have paused
	// first (see checkpoints); zero: every 10 minutes, after 5 quiet
	// seconds.
	Checkpoints struct{ Every, Quiet time.Duration }
	// Version says which binary this is, for the log (hondana version).
	Version string
}

// Data is a data directory opened: the database, and what every command
// needs with it. Commands that must not touch the search index (a
// running server holds it) open only this.
type Data struct {
	Config Config
	Log    *slog.Logger
	Loc    *time.Location
	Clock  library.Clock
	DB     *store.DB
	// Pepper is mixed into every password hash; it never goes into the
	// database.
	Pepper []byte

	opened time.Time // when the command began to open it, for the log
}

// OpenData opens the data directory of cfg, making it on first use, and
// writes the configured branches to the database, so names, addresses
// and phones follow the config file. When the directory takes no writes
// (a full disk) it opens the database read-only instead, says so in the
// log, and leaves the branches as they are: see ReadOnly.
func OpenData(ctx context.Context, cfg Config, o Options) (*Data, error) {
	d := &Data{Config: cfg, Log: o.Log, Clock: o.Clock, opened: time.Now()}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("config: timezone %q: %w", cfg.Timezone, err)
	}
	d.Loc = loc
	if d.Log == nil {
		d.Log = NewLog(os.Stderr, cfg.LogLevel, loc)
	}
	if d.Clock == nil {
		d.Clock = library.SystemClock{}
		if cfg.TestClock {
			d.Clock = &library.TestClock{}
		}
	}
	restrictUmask()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if n, err := makePrivate(cfg.DataDir); err != nil {
		d.Log.Warn("data directory: could not take every permission of group and others", "dir", cfg.DataDir, "changed", n, "err", err)
	} else if n > 0 {
		d.Log.Warn("data directory: took the permissions of group and others from what other users could read", "dir", cfg.DataDir, "changed", n)
	}
	if d.DB, err = openDB(ctx, cfg, d.Log); err != nil {
		return nil, err
	}
	if b := d.DB.MigrationBackup(); b != nil {
		d.Log.Warn("the database was migrated to a new schema; the database as it was is kept beside it (delete it once the new version has proved itself)",
			"from_schema", b.Schema, "backup", b.Path, "bytes", b.Size, "took", b.Took.Round(time.Millisecond))
	}
	if d.Pepper, err = loadPepper(ctx, cfg, d.DB, d.Log); err != nil {
		d.DB.Close()
		return nil, err
	}
	return d, nil
}

// NewLog is the log of a command: text lines at level ("debug", "info",
// "warn", "error") and above, their times in loc, the library's time
// zone, whatever the system's is (a server's is often UTC), with the
// offset: 2026-12-02T03:00:00.000+09:00.
func NewLog(w io.Writer, level string, loc *time.Location) *slog.Logger {
	l := slog.LevelInfo
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 && a.Value.Kind() == slog.KindTime {
				a.Value = slog.TimeValue(a.Value.Time().In(loc))
			}
			return a
		}}))
}

// openDB opens the database of cfg and writes the configured branches to
// it; read-only, without writing them, when the data directory takes no
// writes: a server that exits there would only be started again, on the
// same full disk, and serve nothing.
func openDB(ctx context.Context, cfg Config, log *slog.Logger) (*store.DB, error) {
	cannot := store.Writable(cfg.DataDir)
	if cannot == nil {
		db, err := store.Open(ctx, cfg.DataDir)
		if err == nil {
			err = library.SaveBranches(ctx, db, cfg.BranchList())
			if err == nil {
				return db, nil
			}
			db.Close()
		}
		if !errors.Is(err, store.ErrStorage) {
			return nil, err
		}
		cannot = err
	}
	db, err := store.OpenReadOnly(ctx, cfg.DataDir, cannot)
	if err != nil {
		return nil, fmt.Errorf("the data directory takes no writes (%v), and the database cannot be opened read-only: %w", cannot, err)
	}
	log.Error("the data directory takes no writes: the database is open READ-ONLY (searches and pages work; loans, returns, holds and every other change are refused); free space (or mend the disk), then restart",
		"dir", cfg.DataDir, "err", cannot)
	return db, nil
}

// ReadOnly is why the database was opened read-only (see OpenData), or
// nil.
func (d *Data) ReadOnly() error { return d.DB.ReadOnly() }

// Close closes the database.
func (d *Data) Close() error { return d.DB.Close() }

// OpenCatalog opens the search index beside the database (see
// library.OpenCatalog): it fails when a running server holds it. Index
// builds relax the process's collector while they run (buildgc): this
// process is the command's own.
func (d *Data) OpenCatalog(ctx context.Context) (*library.Catalog, error) {
	return library.OpenCatalog(ctx, d.DB, d.Config.DataDir, d.Clock, d.Log,
		library.CatalogOptions{AroundBuild: buildgc.Relax, ReadOnly: d.ReadOnly() != nil})
}

// loadPepper returns the password pepper: from the config, or from the
// data directory's secret file, made on first start. It is never stored
// in the database, so a stolen database backup alone cannot be attacked;
// the database keeps only a value that tells it from another (see
// library.CheckPepper). A start with another pepper than the one the
// database's passwords were hashed with, or with none where one was used
// (a backup restored without its pepper), is refused: every login would
// fail, and a new pepper would make it so for good.
func loadPepper(ctx context.Context, cfg Config, db *store.DB, log *slog.Logger) ([]byte, error) {
	path := filepath.Join(cfg.DataDir, "pepper.secret")
	where := fmt.Sprintf("give the pepper it was used with as pepper in the config file or HONDANA_PEPPER, or put its file at %s (DATA_DIR/pepper.secret)", path)
	var pepper []byte
	from := "pepper / HONDANA_PEPPER"
	switch b, err := os.ReadFile(path); {
	case cfg.Pepper != "":
		pepper = []byte(cfg.Pepper)
	case err == nil:
		pepper, from = []byte(strings.TrimSpace(string(b))), path
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("pepper: %w", err)
	}
	if pepper == nil {
		needed, err := library.PepperNeeded(ctx, db)
		if err != nil {
			return nil, err
		}
		if needed {
			return nil, fmt.Errorf("pepper: none found, but this database's passwords were hashed with one, and a new one would make every login fail: %s", where)
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
		pepper = []byte(secret)
	}
	switch err := library.CheckPepper(ctx, db, pepper); {
	case errors.Is(err, library.ErrWrongPepper):
		return nil, fmt.Errorf("pepper: the one from %s is %w, and every login would fail: %s", from, err, where)
	case errors.Is(err, store.ErrStorage):
		// Read-only: the database learns the pepper at a later start.
	case err != nil:
		return nil, err
	}
	return pepper, nil
}

// App is a whole Hondana over one data directory: the database and the
// search index, the services holding the library's rules, the outbox's
// sender and the web server. New builds it; Run serves it until its
// context ends; Close closes it.
type App struct {
	*Data
	Catalog     *library.Catalog
	Calendar    *library.Calendar
	Accounts    *library.Accounts
	Circulation *library.Circulation
	Mailer      *library.Mailer
	// Handler serves the whole site: the OPAC, the staff client and the
	// JSON API.
	Handler *ui.Server

	jobs    *jobs
	backups *backups
	version string
	https   *httpsSetup // nil: plain HTTP
	metrics *metrics
	// unlock lets go of the data directory's lock (see lockDataDir).
	unlock func()
	// checkpointEvery and checkpointQuiet: see checkpoints.
	checkpointEvery, checkpointQuiet time.Duration
}

// New opens the data directory of cfg and builds everything on it. With
// cfg.Demo and an empty database it first loads the demo library.
func New(ctx context.Context, cfg Config, o Options) (a *App, err error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	// Held from before the database opens until after it is closed: a
	// restore must not swap it meanwhile.
	unlock, err := lockDataDir(cfg.DataDir, "serve")
	if err != nil {
		return nil, err
	}
	// A restore killed half-way left its copy of the backup: with the
	// lock held, no restore is running.
	os.Remove(filepath.Join(cfg.DataDir, restoringName))
	d, err := OpenData(ctx, cfg, o)
	if err != nil {
		unlock()
		return nil, err
	}
	built := &App{Data: d, jobs: newJobs(), unlock: unlock, version: o.Version, checkpointEvery: 10 * time.Minute, checkpointQuiet: 5 * time.Second}
	a = built
	if o.Checkpoints.Every > 0 {
		a.checkpointEvery, a.checkpointQuiet = o.Checkpoints.Every, o.Checkpoints.Quiet
	}
	defer func() {
		// Not a: a failed return has set it to nil.
		if err != nil {
			built.Close()
		}
	}()
	if a.backups, err = newBackups(cfg, d.DB, d.Loc, d.Log); err != nil {
		return nil, err
	}
	records, err := d.DB.RecordCount(ctx)
	if err != nil {
		return nil, err
	}
	if a.Catalog, err = d.OpenCatalog(ctx); err != nil {
		return nil, err
	}
	// The outbox's sender is woken by the services that write to it.
	outbox := library.NewSignal()
	rules, err := d.Rules(a.Catalog.Changed, outbox.Notify)
	if err != nil {
		return nil, err
	}
	a.Calendar, a.Accounts, a.Circulation = rules.Calendar, rules.Accounts, rules.Circulation
	loadDemo := cfg.Demo && records == 0 && d.ReadOnly() == nil
	if loadDemo {
		d.Log.Info("empty data directory: loading the demo library", "dir", cfg.DataDir)
		err := demo.Load(ctx, d.DB, a.Catalog, demo.Options{Branches: cfg.BranchList(), Calendar: a.Calendar, Clock: d.Clock, Pepper: d.Pepper, Log: d.Log})
		if err != nil {
			return nil, err
		}
		// One bulk build beats applying eighteen thousand queued changes.
		if err := a.Catalog.Rebuild(ctx); err != nil {
			return nil, err
		}
	}

	proxies, err := cfg.TrustedProxies()
	if err != nil {
		return nil, err
	}
	if loadDemo {
		if err := demo.SetPatronPassword(ctx, d.DB, a.Accounts); err != nil {
			return nil, err
		}
	}
	transport, mailboxDir, err := a.transport(o)
	if err != nil {
		return nil, err
	}
	from, fromName := cfg.Mail.From, cfg.Mail.FromName
	if from == "" {
		from = "noreply@" + cfg.Library.MailDomain
	}
	if fromName == "" {
		fromName = cfg.Library.Name
	}
	a.Mailer = library.NewMailer(a.Circulation, transport, library.MailerOptions{From: from, FromName: fromName, Wake: outbox,
		OnError: func(err error) { d.Log.Error("sending mail", "err", err) }})

	// Absolute links (the mobile page's addresses and QR codes) name the
	// configured public URL, never the Host a request claims: a forged
	// Host would otherwise be printed for patrons to scan. Without one,
	// they name the address the server listens on.
	if a.https, err = newHTTPS(cfg, d.Log); err != nil {
		return nil, err
	}
	publicURL := strings.TrimSuffix(cfg.BaseURL, "/")
	if publicURL == "" {
		publicURL = a.scheme() + "://" + displayAddr(cfg.Addr)
		if !cfg.Demo {
			d.Log.Warn("base_url is not set: the mobile page links to the listening address, and e-mails carry no link to the site", "url", publicURL)
		}
	}
	if staff, err := d.DB.StaffCount(ctx); err != nil {
		return nil, err
	} else if staff == 0 {
		d.Log.Warn("no staff account yet: create one with `hondana staff add --username NAME --role admin`")
	}
	forms, err := cfg.ScanForms()
	if err != nil {
		return nil, err
	}
	moveIn := d.MoveIn(rules)
	staffLog := library.NewStaffLog(d.DB, d.Clock)
	if a.metrics, err = newMetrics(a); err != nil {
		return nil, err
	}
	a.Handler = ui.New(ui.Options{
		ScanForms: forms,
		DB:        d.DB, Catalog: a.Catalog, Calendar: a.Calendar, Clock: d.Clock, Log: d.Log,
		Accounts: a.Accounts, Circulation: a.Circulation, Mailer: a.Mailer, MailboxDir: mailboxDir,
		Content: library.NewContent(d.DB, d.Clock), StaffLog: staffLog,
		MoveIn: moveIn, Exporter: library.NewExporter(d.DB, staffLog, d.Loc),
		ImportLimits: cfg.ImportLimits(), UploadDir: filepath.Join(cfg.DataDir, "uploads"),
		Background: a.jobs.Go,
		Backups:    a.backupStatus,
		BackupNow:  a.backupNow,
		Observe:    a.metrics.observe,
		Site: ui.Site{
			Name: cfg.Library.Name, NameEn: cfg.Library.NameEn, MailDomain: cfg.Library.MailDomain,
			BaseURL: publicURL, NewArrivalsDays: cfg.Catalog.NewArrivalsDays,
		},
		CardBarcode:    cfg.Accounts.CardBarcode,
		TestClock:      cfg.TestClock,
		SecureCookies:  cfg.Web.SecureCookies || a.https != nil,
		TrustedProxies: proxies,
	})
	return a, nil
}

// transport is how the outbox leaves: o's transport, the configured SMTP
// server, or (without one) the mailbox directory, whose path it returns.
func (a *App) transport(o Options) (library.Transport, string, error) {
	m := a.Config.Mail
	switch {
	case o.Transport != nil:
		return o.Transport, "", nil
	case m.SMTPHost != "":
		smtp, err := mailer.NewSMTP(mailer.SMTPConfig{Host: m.SMTPHost, Port: m.SMTPPort, TLS: m.SMTPTLS, Username: m.SMTPUsername,
			Password: m.SMTPPassword, Auth: m.SMTPAuth, Timeout: m.SMTPTimeout, CAFile: m.SMTPCAFile})
		if err != nil {
			return nil, "", fmt.Errorf("config: %w", err)
		}
		return smtp, "", nil
	}
	dir := a.Config.MailboxDir()
	box, err := mailer.NewMailbox(dir)
	if err != nil {
		return nil, "", err
	}
	if !a.Config.Demo {
		a.Log.Warn("mail.smtp_host is not set: notices are written to the mailbox directory only (see /staff/outbox)", "dir", dir)
	}
	return box, box.Dir(), nil
}

// Close stops the jobs staff started (cancelled, then waited for), then
// closes the index and the database, in that order: nothing that runs
// may find them closed.
func (a *App) Close() error {
	a.jobs.stop()
	var err error
	if a.Catalog != nil {
		err = a.Catalog.Close()
	}
	err = errors.Join(err, a.Data.Close())
	if a.unlock != nil {
		a.unlock()
	}
	return err
}
