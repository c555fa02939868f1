package store

import (
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// A backup is a consistent copy of a database that may be in use, made
// with SQLite's online backup API (never a copy of the file, which a
// write in progress would tear), checked, and put in its place under its
// final name only when whole: a backup file is complete and valid or it
// is not there. The password pepper lives outside the database, so no
// backup holds it.

// BackupResult says what a backup wrote.
type BackupResult struct {
	Path       string
	Size       int64 // bytes on disk (compressed, if it is)
	Compressed bool
	Took       time.Duration
	Checked
}

// Checked is what Check found in a good database file.
type Checked struct {
	Schema int // its schema version
	Counts Counts
	// PepperCheck tells the pepper its password hashes were made with
	// (see library.PepperCheck); "" when it knows none.
	PepperCheck string
}

// Counts are the numbers of a database's main rows, to tell a backup
// from another at a glance.
type Counts struct {
	Records, Copies, Patrons, Loans, Holds int64
}

// BackupStatus is the state of the scheduled backups, for the staff home,
// the log and /metrics; the server keeps it in the data directory across
// restarts.
type BackupStatus struct {
	Schedule string    `json:"schedule"`
	Dir      string    `json:"dir"`
	Next     time.Time `json:"next"`
	// The last try: when it ended, and what it wrote or why it failed.
	At    time.Time     `json:"at"`
	Path  string        `json:"path,omitempty"`
	Size  int64         `json:"size,omitempty"`
	Took  time.Duration `json:"took,omitempty"`
	Error string        `json:"error,omitempty"`
	// LastGood is when the last backup that succeeded was made.
	LastGood time.Time `json:"last_good"`
	// Running: a backup is being written now (one at a time).
	Running bool `json:"-"`
	// Manual is the last backup written by the command (hondana
	// backup), which the staff home reads from the data directory; nil
	// for none (and in the status file, and in /metrics).
	Manual *ManualBackup `json:"-"`
}

// ManualBackup is a backup written by the command, as the data
// directory remembers it.
type ManualBackup struct {
	At   time.Time `json:"at"`
	Path string    `json:"path"`
	Size int64     `json:"size"`
}

// partialSuffix ends the names of backups being written; a process
// killed while writing one leaves such a file, never a backup under its
// final name.
const partialSuffix = ".partial"

// Backup copies the database in dir to dest, which it replaces. A name
// ending in .gz is gzip-compressed. The copy is taken from one read
// transaction (writers go on meanwhile; they never wait for it), then
// checked with integrity_check and foreign_key_check, written to a
// temporary name beside dest, synced, and renamed. A disk that does not
// take the copy fails with ErrStorage, leaving nothing behind. It opens
// a connection of its own: for a command, whether a server runs or not.
func Backup(ctx context.Context, dir, dest string) (BackupResult, error) {
	src := filepath.Join(dir, FileName)
	if _, err := os.Stat(src); err != nil {
		return BackupResult{}, fmt.Errorf("backup: no database at %s: %w", src, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+src+"?"+q.Encode())
	if err != nil {
		return BackupResult{}, err
	}
	defer db.Close()
	return backup(ctx, db, dir, dest)
}

// Backup is Backup of the open database, through its own readers: a
// server's scheduled backups, which also work when it was opened
// read-only (and so holds the file's lock alone).
func (db *DB) Backup(ctx context.Context, dest string) (BackupResult, error) {
	return backup(ctx, db.read, db.dir, dest)
}

// backup copies the database in dir, read through pool, to dest.
func backup(ctx context.Context, pool *sql.DB, dir, dest string) (BackupResult, error) {
	start := time.Now()
	src := filepath.Join(dir, FileName)
	if same, _ := samePath(src, dest); same || strings.HasPrefix(filepath.Base(dest), FileName+"-") && filepath.Clean(filepath.Dir(dest)) == filepath.Clean(dir) {
		return BackupResult{}, fmt.Errorf("backup: %s is the live database: name another file", dest)
	}
	res := BackupResult{Path: dest, Compressed: strings.HasSuffix(dest, ".gz")}
	plain, err := createPartial(dest)
	if err != nil {
		return res, err
	}
	keep := false
	defer func() {
		if !keep {
			os.Remove(plain)
		}
	}()
	if err := onlineBackup(ctx, pool, plain, dest); err != nil {
		return res, err
	}
	if res.Checked, err = Check(ctx, plain); err != nil {
		return res, fmt.Errorf("backup: the copy failed its check: %w", err)
	}
	final := plain
	if res.Compressed {
		if final, err = gzipFile(plain, dest); err != nil {
			return res, err
		}
		os.Remove(plain)
		plain = final // removed on failure from here on
	}
	if err := syncFile(final); err != nil {
		return res, writeErr(dest, err)
	}
	if err := os.Rename(final, dest); err != nil {
		return res, writeErr(dest, err)
	}
	keep = true
	if err := SyncDir(filepath.Dir(dest)); err != nil {
		return res, writeErr(dest, err)
	}
	if fi, err := os.Stat(dest); err == nil {
		res.Size = fi.Size()
	}
	res.Took = time.Since(start)
	return res, nil
}

// createPartial makes an empty file with a temporary name beside dest,
// private to the owner, and returns its name.
func createPartial(dest string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*"+partialSuffix)
	if err != nil {
		return "", writeErr(dest, err)
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", writeErr(dest, err)
	}
	return name, nil
}

// onlineBackup copies the database read through pool into the (empty)
// file at dst (a partial file of the backup dest) in one step: one read
// transaction, so that writes of other connections, which restart a
// backup made in several steps, cannot keep it from finishing.
func onlineBackup(ctx context.Context, pool *sql.DB, dst, dest string) error {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: open the database: %w", mapErr(err))
	}
	defer conn.Close()
	// The copy needs no journal of its own: until it is renamed, it is
	// nobody's database.
	dq := url.Values{}
	dq.Add("_pragma", "journal_mode(off)")
	dq.Add("_pragma", "synchronous(off)")
	err = conn.Raw(func(dc any) error {
		if cc, ok := dc.(*cachingConn); ok {
			dc = cc.Conn
		}
		b, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("the SQLite driver offers no online backup")
		}
		bk, err := b.NewBackup("file:" + dst + "?" + dq.Encode())
		if err != nil {
			return err
		}
		_, err = bk.Step(-1)
		if ferr := bk.Finish(); err == nil {
			err = ferr
		}
		return err
	})
	if err != nil {
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
			return fmt.Errorf("backup: the database stayed locked for 10 s (a server started read-only, on a full disk, holds it alone: its scheduled backups still run, or stop it first): %w", err)
		}
		err = mapErr(err)
		if errors.Is(err, ErrStorage) {
			return writeErr(dest, err)
		}
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Check opens the database file at path on its own and checks it: the
// file's structure (integrity_check), every reference (foreign_key_check:
// no hold without its patron, no loan without its copy) and that it is a
// Hondana database of a schema this binary knows. It returns the schema
// version and the numbers of the main rows. The file is left a
// single-file database (rollback journal), so that it can be copied and
// moved alone.
func Check(ctx context.Context, path string) (Checked, error) {
	var c Checked
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return c, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		return c, notADatabase(path, err)
	}
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return c, notADatabase(path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return c, err
		}
		if s != "ok" && len(problems) < 5 {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, notADatabase(path, err)
	}
	if len(problems) > 0 {
		return c, fmt.Errorf("integrity_check: %s", strings.Join(problems, "; "))
	}
	var table, parent string
	var rowid sql.NullInt64
	var fk int
	switch err := db.QueryRowContext(ctx, "PRAGMA foreign_key_check").Scan(&table, &rowid, &parent, &fk); {
	case err == nil:
		return c, fmt.Errorf("foreign_key_check: a row of %s (rowid %d) refers to a missing row of %s", table, rowid.Int64, parent)
	case !errors.Is(err, sql.ErrNoRows):
		return c, err
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&c.Schema); err != nil {
		return c, err
	}
	latest, err := latestMigration()
	if err != nil {
		return c, err
	}
	if c.Schema > latest {
		return c, fmt.Errorf("%w: schema version %d, this binary knows up to %d", ErrNewerSchema, c.Schema, latest)
	}
	n := &c.Counts
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM copies),
		(SELECT count(*) FROM patrons), (SELECT count(*) FROM loans), (SELECT count(*) FROM holds),
		coalesce((SELECT value FROM settings WHERE key = 'pepper_check'), '')`).
		Scan(&n.Records, &n.Copies, &n.Patrons, &n.Loans, &n.Holds, &c.PepperCheck)
	if err != nil {
		return c, fmt.Errorf("not a Hondana database: %w", err)
	}
	return c, nil
}

// ForgetPasswords makes the database file at path need no pepper: for a
// backup restored without the pepper its passwords were hashed with,
// which can check none of them. Every patron then needs a new temporary
// password from staff, every staff account a new password (an admin made
// with `hondana staff add` sets them) and loses its second factor, which
// was sealed with the pepper, and every session ends.
func ForgetPasswords(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `BEGIN;
UPDATE patrons SET password_hash = '', password_temporary = 1, password_issued_at = '', temp_failures = 0;
UPDATE staff SET password_hash = '', totp_secret = '', totp_pending = '', totp_last_step = 0;
DELETE FROM staff_recovery_codes;
DELETE FROM sessions;
DELETE FROM settings WHERE key = 'pepper_check';
COMMIT;`)
	if err != nil {
		return fmt.Errorf("forget passwords: %w", err)
	}
	return nil
}

// ErrNewerSchema means a database was written by a newer Hondana than
// this binary: it must not be opened, since this binary would not know
// what the newer one's tables mean.
var ErrNewerSchema = errors.New("the database is newer than this program")

// notADatabase says that the file at path is not an SQLite database.
func notADatabase(path string, err error) error {
	return fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
}

// gzipFile compresses the file at src into a new partial file beside
// dest and returns its name.
func gzipFile(src, dest string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	name, err := createPartial(dest)
	if err != nil {
		return "", err
	}
	out, err := os.OpenFile(name, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		os.Remove(name)
		return "", writeErr(dest, err)
	}
	// The default level: of the 1M-record database (290 MB) it makes
	// 57 MB in 11 s; the fastest, 70 MB in 8 s.
	zw := gzip.NewWriter(out)
	zw.Name = strings.TrimSuffix(filepath.Base(dest), ".gz")
	_, err = io.Copy(zw, in)
	if err == nil {
		err = zw.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", writeErr(dest, err)
	}
	return name, nil
}

// Unpack copies the backup at src to a new file dst (0600), synced,
// decompressing it when it is gzipped (whatever its name).
func Unpack(src, dst string) error {
	gz, err := IsGzip(src)
	if err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	var r io.Reader = in
	if gz {
		zr, err := gzip.NewReader(in)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		r = zr
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r)
	if err != nil {
		err = fmt.Errorf("%s: %w", src, err)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// IsGzip reports whether the file at path starts as a gzip stream.
func IsGzip(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var magic [2]byte
	n, _ := io.ReadFull(f, magic[:])
	return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b, nil
}

// writeErr says that dest could not be written, as ErrStorage when the
// disk refused it (full, read-only).
func writeErr(dest string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, ErrStorage):
		return fmt.Errorf("backup: cannot write %s: the disk is full or takes no writes (%w)", dest, err)
	case isDiskErr(err):
		return fmt.Errorf("backup: cannot write %s: the disk is full or takes no writes (%w: %w)", dest, ErrStorage, err)
	}
	return fmt.Errorf("backup: cannot write %s: %w", dest, err)
}

// syncFile makes the file at path durable.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncDir makes the renames in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// samePath reports whether a and b name the same existing file.
func samePath(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// isDiskErr reports whether err is the file system refusing a write:
// no room, no quota, mounted read-only, or failing.
func isDiskErr(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EIO) ||
		errors.Is(err, syscall.EDQUOT)
}

// Fold copies every commit in the WAL of the (closed) database at path
// into the file itself and empties the WAL, so that the file alone holds
// the whole database; false when it could not (a damaged database).
func Fold(ctx context.Context, path string) bool {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return false
	}
	var busy, frames, done int
	err = db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil || busy != 0 {
		return false
	}
	fi, err := os.Stat(path + "-wal")
	return errors.Is(err, os.ErrNotExist) || err == nil && fi.Size() == 0
}
