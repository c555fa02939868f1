package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"hondana/library"
	"hondana/search"
	"hondana/store"
)

// BackupConfig schedules the server's own backups.
type BackupConfig struct {
	// Schedule is when: a time of day in the library's time zone
	// ("03:00"), or an interval ("6h"); "" for none.
	Schedule string `mapstructure:"schedule"`
	// Dir is where they go ("": DATA_DIR/backups), best on another disk.
	Dir string `mapstructure:"dir"`
	// Keep is how many of them stay; older ones are removed.
	Keep int `mapstructure:"keep"`
	// Compress gzips them.
	Compress bool `mapstructure:"compress"`
}

// lockName is the file in the data directory a running server holds
// locked, so that restore can tell it runs.
const lockName = "serve.lock"

// errHeld means another process holds a lock.
var errHeld = errors.New("locked by another process")

// lockDataDir takes the data directory's lock for a server or a
// restore: one at a time. On a disk that takes no writes, where the
// file cannot be made or opened, the lock is not taken.
func lockDataDir(dir, who string) (release func(), err error) {
	release, err = lockFile(filepath.Join(dir, lockName))
	switch {
	case errors.Is(err, errHeld):
		return nil, fmt.Errorf("%s: a Hondana server (or a restore) is running on %s (it holds %s): stop it first", who, dir, lockName)
	case err != nil:
		return func() {}, nil
	}
	return release, nil
}

// Backup writes a checked copy of the database of cfg to dest (gzipped
// if its name ends in .gz), whether a server runs on it or not, and
// notes it in the data directory for the staff home. remembered is
// why it could not be noted (the backup stands all the same), or nil.
func Backup(ctx context.Context, cfg Config, dest string) (res store.BackupResult, remembered, err error) {
	if res, err = store.Backup(ctx, cfg.DataDir, dest); err != nil {
		return res, nil, err
	}
	path, err := filepath.Abs(res.Path)
	if err != nil {
		path = res.Path
	}
	raw, _ := json.MarshalIndent(store.ManualBackup{At: time.Now(), Path: path, Size: res.Size}, "", "  ")
	return res, writeFileAtomic(filepath.Join(cfg.DataDir, manualName), raw), nil
}

// manualName is the file in the data directory that remembers the last
// backup the command wrote.
const manualName = "backup-manual.json"

// RestoreOptions change how a backup is restored.
type RestoreOptions struct {
	// ForgetPasswords: the backup's pepper is lost; every password is
	// forgotten (see store.ForgetPasswords).
	ForgetPasswords bool
}

// restoringName is the backup's copy in the data directory while a
// restore checks it.
const restoringName = store.FileName + ".restoring"

// RestoreResult says what Restore did.
type RestoreResult struct {
	store.Checked
	// Aside is where the database that was there went ("": none was).
	Aside string
	// PepperWarning says why the server will not start with the backup
	// as it is ("": it will).
	PepperWarning string
}

// Restore puts the backup at file in the place of the database of cfg;
// no server may run on it. The file (gzipped or not) is copied into the
// data directory and checked first (integrity_check, foreign_key_check,
// a schema this binary knows); only then is the search index removed
// (the next start builds it from the restored database), the database
// there kept as hondana.db.before-restore-TIME (see putAside) and the
// copy renamed into its place.
func Restore(ctx context.Context, cfg Config, file string, o RestoreOptions) (RestoreResult, error) {
	var res RestoreResult
	if _, err := os.Stat(file); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	restrictUmask()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return res, fmt.Errorf("restore: data directory: %w", err)
	}
	release, err := lockDataDir(cfg.DataDir, "restore")
	if err != nil {
		return res, err
	}
	defer release()
	live := filepath.Join(cfg.DataDir, store.FileName)
	tmp := filepath.Join(cfg.DataDir, restoringName)
	os.Remove(tmp)
	defer os.Remove(tmp)
	if err := store.Unpack(file, tmp); err != nil {
		return res, fmt.Errorf("restore: copy %s into the data directory: %w", file, err)
	}
	if res.Checked, err = store.Check(ctx, tmp); err != nil {
		return res, fmt.Errorf("restore: %s is not a good backup, and nothing was changed: %w", file, err)
	}
	if o.ForgetPasswords {
		if err := store.ForgetPasswords(ctx, tmp); err != nil {
			return res, fmt.Errorf("restore: %w", err)
		}
		res.PepperCheck = ""
	} else {
		res.PepperWarning = pepperWarning(cfg, res.PepperCheck)
	}
	// The index goes first: killed after this, the old database is in
	// place and the next start rebuilds the index from it.
	if err := os.RemoveAll(filepath.Join(cfg.DataDir, search.DirName)); err != nil {
		return res, fmt.Errorf("restore: remove the old search index (the next start rebuilds it): %w", err)
	}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	if _, err := os.Stat(live); err == nil {
		res.Aside = live + ".before-restore-" + stamp
		if err := putAside(ctx, live, res.Aside); err != nil {
			return res, err
		}
	}
	// One rename puts the backup in place: killed at any moment, the
	// data directory holds the old database or the restored one.
	if err := os.Rename(tmp, live); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	if err := store.SyncDir(cfg.DataDir); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	return res, nil
}

// putAside keeps the database at live as aside, hard-linked there, so
// that live stays in place until the restored one replaces it in one
// rename. Folded into one file first (its WAL emptied); a database that
// cannot be folded (a damaged one) has its WAL, which may hold its last
// commits, moved beside aside under the name SQLite looks for. Only on
// a file system without hard links is live moved: a restore killed
// then leaves no database in place, and is run again.
func putAside(ctx context.Context, live, aside string) error {
	if store.Fold(ctx, live) {
		os.Remove(live + "-wal")
		os.Remove(live + "-shm")
	}
	if err := os.Link(live, aside); err != nil {
		if err := os.Rename(live, aside); err != nil {
			return fmt.Errorf("restore: put the old database aside: %w", err)
		}
	}
	if err := os.Rename(live+"-wal", aside+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: put the old database's WAL aside: %w", err)
	}
	os.Remove(live + "-shm")
	return nil
}

// pepperWarning says why a server on cfg would refuse the restored
// database, whose password hashes were made with the pepper check tells:
// the pepper there now is another one, or there is none.
func pepperWarning(cfg Config, check string) string {
	if check == "" {
		return ""
	}
	pepper := []byte(cfg.Pepper)
	if cfg.Pepper == "" {
		b, err := os.ReadFile(filepath.Join(cfg.DataDir, "pepper.secret"))
		if err != nil {
			return "there is no pepper in the config nor in " + filepath.Join(cfg.DataDir, "pepper.secret") +
				", and this backup's passwords were hashed with one: put the pepper.secret kept with the backups there before starting the server, " +
				"or, if it is lost, restore again with --forget-passwords (every patron then needs a new temporary password)"
		}
		pepper = []byte(strings.TrimSpace(string(b)))
	}
	if library.PepperCheck(pepper) != check {
		return "the pepper in the config or pepper.secret is not the one this backup's passwords were hashed with: put the right one in place before starting the server, " +
			"or, if it is lost, restore again with --forget-passwords (every patron then needs a new temporary password)"
	}
	return ""
}

// schedule is when scheduled backups run: daily at a time of day, or
// every interval.
type schedule struct {
	every      time.Duration // an interval, or 0
	hour, mins int           // the time of day, when every is 0
}

// parseSchedule reads backup.schedule: "03:00" or "6h"; "" is none.
func parseSchedule(s string) (*schedule, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse("15:04", s); err == nil {
		return &schedule{hour: t.Hour(), mins: t.Minute()}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return &schedule{every: d}, nil
	}
	return nil, fmt.Errorf("config: backup.schedule %q: give a time of day (\"03:00\") or an interval (\"6h\")", s)
}

// next is the first run after now (in loc).
func (s *schedule) next(now time.Time, loc *time.Location) time.Time {
	if s.every > 0 {
		return now.Add(s.every)
	}
	now = now.In(loc)
	t := time.Date(now.Year(), now.Month(), now.Day(), s.hour, s.mins, 0, 0, loc)
	if !t.After(now) {
		t = time.Date(now.Year(), now.Month(), now.Day()+1, s.hour, s.mins, 0, 0, loc)
	}
	return t
}

// statusName is the status file in the data directory.
const statusName = "backup-status.json"

// backups runs the scheduled backups of a server.
type backups struct {
	cfg   BackupConfig
	when  *schedule
	db    *store.DB
	data  string
	loc   *time.Location
	log   *slog.Logger
	mu    sync.Mutex
	state store.BackupStatus
	// writing is held while a backup is written: one at a time,
	// scheduled or asked for on the staff home.
	writing sync.Mutex
}

// newBackups reads the schedule of cfg and the status of the last runs.
func newBackups(cfg Config, db *store.DB, loc *time.Location, log *slog.Logger) (*backups, error) {
	when, err := parseSchedule(cfg.Backup.Schedule)
	if err != nil {
		return nil, err
	}
	b := &backups{cfg: cfg.Backup, when: when, db: db, data: cfg.DataDir, loc: loc, log: log}
	if b.cfg.Dir == "" {
		b.cfg.Dir = filepath.Join(cfg.DataDir, "backups")
	}
	if b.cfg.Keep < 1 {
		b.cfg.Keep = 1
	}
	if raw, err := os.ReadFile(filepath.Join(cfg.DataDir, statusName)); err == nil {
		_ = json.Unmarshal(raw, &b.state)
	}
	b.state.Schedule, b.state.Dir = b.cfg.Schedule, b.cfg.Dir
	if when == nil {
		b.state.Next = time.Time{}
	}
	return b, nil
}

// Status is the state of the scheduled backups.
func (b *backups) Status() store.BackupStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}

// manual is the last backup the command wrote, as the data directory
// remembers it; nil for none.
func (b *backups) manual() *store.ManualBackup {
	raw, err := os.ReadFile(filepath.Join(b.data, manualName))
	if err != nil {
		return nil
	}
	var m store.ManualBackup
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return &m
}

// setRunning says whether a backup is being written.
func (b *backups) setRunning(on bool) {
	b.mu.Lock()
	b.state.Running = on
	b.mu.Unlock()
}

// Now starts a backup into the backup directory at once, as the
// schedule would, on run (the process's background work): false when
// one is being written, an error when run refuses (shutdown has begun).
func (b *backups) Now(run func(func(context.Context)) error) (started bool, err error) {
	if !b.writing.TryLock() {
		return false, nil
	}
	b.setRunning(true)
	err = run(func(ctx context.Context) {
		defer b.writing.Unlock()
		b.write(ctx)
	})
	if err != nil {
		b.setRunning(false)
		b.writing.Unlock()
		return false, err
	}
	return true, nil
}

// backupStatus is the state of the scheduled backups for the staff
// home, with the last one the command wrote, its times in the library's
// time zone.
func (a *App) backupStatus() store.BackupStatus {
	st := a.backups.Status()
	st.Next, st.At, st.LastGood = inLoc(st.Next, a.Loc), inLoc(st.At, a.Loc), inLoc(st.LastGood, a.Loc)
	if st.Manual = a.backups.manual(); st.Manual != nil {
		st.Manual.At = inLoc(st.Manual.At, a.Loc)
	}
	return st
}

// backupNow starts a backup at once on the server's background work
// (see backups.Now).
func (a *App) backupNow() (bool, error) { return a.backups.Now(a.jobs.Go) }

// inLoc is t in loc; the zero time stays zero.
func inLoc(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// Run makes a backup at each time of the schedule until ctx ends; a
// backup in progress when it ends is finished first (SQLite's backup
// step cannot be interrupted), so shutdown waits for it.
func (b *backups) Run(ctx context.Context) {
	if b.when == nil {
		return
	}
	for {
		next := b.when.next(time.Now(), b.loc)
		b.mu.Lock()
		b.state.Next = next
		b.mu.Unlock()
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		b.runOnce(ctx)
	}
}

// runOnce makes one scheduled backup, after the one being written if
// staff asked for one just then.
func (b *backups) runOnce(ctx context.Context) {
	b.writing.Lock()
	defer b.writing.Unlock()
	b.setRunning(true)
	b.write(ctx)
}

// write makes one backup, removes those past keep and the partial files
// of backups a killed process left, and records the result.
func (b *backups) write(ctx context.Context) {
	name := "hondana-" + time.Now().In(b.loc).Format("20060102-150405") + ".db"
	if b.cfg.Compress {
		name += ".gz"
	}
	err := os.MkdirAll(b.cfg.Dir, 0o700)
	var res store.BackupResult
	if err == nil {
		res, err = b.db.Backup(ctx, filepath.Join(b.cfg.Dir, name))
	}
	b.mu.Lock()
	st := &b.state
	st.Running = false
	st.At, st.Path, st.Size, st.Took, st.Error = time.Now(), res.Path, res.Size, res.Took.Round(time.Millisecond), ""
	if err != nil {
		st.Path, st.Error = "", err.Error()
	} else {
		st.LastGood = st.At
	}
	raw, _ := json.MarshalIndent(st, "", "  ")
	b.mu.Unlock()
	if err != nil {
		b.log.Error("scheduled backup failed", "dir", b.cfg.Dir, "err", err)
	} else {
		b.log.Info("scheduled backup written", "path", res.Path, "bytes", res.Size, "took", res.Took.Round(time.Millisecond),
			"records", res.Counts.Records, "patrons", res.Counts.Patrons, "loans", res.Counts.Loans, "holds", res.Counts.Holds)
		if err := b.prune(); err != nil {
			b.log.Warn("removing old backups", "dir", b.cfg.Dir, "err", err)
		}
	}
	if err := writeFileAtomic(filepath.Join(b.data, statusName), raw); err != nil {
		b.log.Warn("saving the backup status", "err", err)
	}
}

// prune removes the scheduled backups past the newest keep, and partial
// files older than a day (a backup a killed process did not finish).
func (b *backups) prune() error {
	entries, err := os.ReadDir(b.cfg.Dir)
	if err != nil {
		return err
	}
	var ours []string
	var errs []error
	for _, e := range entries {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, "hondana-") && (strings.HasSuffix(n, ".db") || strings.HasSuffix(n, ".db.gz")):
			ours = append(ours, n)
		case strings.HasPrefix(n, ".hondana-") && strings.Contains(n, ".partial"): // and its -journal
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				errs = append(errs, os.Remove(filepath.Join(b.cfg.Dir, n)))
			}
		}
	}
	// The names sort by time.
	sort.Strings(ours)
	for len(ours) > b.cfg.Keep {
		errs = append(errs, os.Remove(filepath.Join(b.cfg.Dir, ours[0])))
		ours = ours[1:]
	}
	return errors.Join(errs...)
}

// writeFileAtomic replaces the file at path with data: a temporary file,
// synced, renamed.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
