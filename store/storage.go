package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
)

// What a disk that takes no writes means for the database: writes fail
// with ErrStorage (see mapErr) and are recorded, so that Health and
// CanWrite can tell; a start on such a disk opens the database
// read-only (OpenReadOnly).

// probeSize is how much a data directory must take for Writable: a few
// of SQLite's pages and a little more.
const probeSize = 64 << 10

// Writable is nil when dir takes a small file (64 KiB, synced to disk)
// and ErrStorage with the file system's reason when it does not: no room
// left, a read-only file system, an I/O error.
func Writable(dir string) error {
	f, err := os.CreateTemp(dir, ".hondana-probe-")
	if err != nil {
		return storageErr(err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, probeSize))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return storageErr(err)
	}
	return nil
}

// storageErr is a file system's failure as ErrStorage, without the path
// (it goes to /healthz).
func storageErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%w: the data directory takes no writes: %v", ErrStorage, err)
}

// setFailed records the storage failure of the last write, or that the
// last write succeeded (nil).
func (db *DB) setFailed(err error) {
	db.failMu.Lock()
	defer db.failMu.Unlock()
	db.failed = err
}

// CanWrite is nil unless the last write failed for want of storage and a
// small write still does: then its ErrStorage. It costs nothing while
// writes succeed. Work that must not be repeated for a write that cannot
// follow it (sending a message the outbox cannot then mark sent) asks it
// first.
func (db *DB) CanWrite(ctx context.Context) error {
	if db.readOnly != nil {
		return db.readOnly
	}
	db.failMu.Lock()
	failed := db.failed
	db.failMu.Unlock()
	if failed == nil {
		return nil
	}
	return db.SaveSetting(ctx, "write_probe", fmtTime(time.Now()))
}

// ReadOnly is why the database was opened read-only (it wraps
// ErrStorage), or nil.
func (db *DB) ReadOnly() error { return db.readOnly }

// Health is nil when the database can be read and written, or why not:
// a read fails, it was opened read-only, its directory takes no small
// file (Writable), or the last write failed for want of storage and a
// small one still does (CanWrite). It writes a little each time: for
// /healthz and the staff home, not for every request.
func (db *DB) Health(ctx context.Context) error {
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM branches").Scan(&n); err != nil {
		return fmt.Errorf("store: cannot read: %w", mapErr(err))
	}
	if db.readOnly != nil {
		return db.readOnly
	}
	if err := Writable(db.dir); err != nil {
		return err
	}
	return db.CanWrite(ctx)
}

// OpenReadOnly opens the database in dir for reading only, for a start on
// a disk that takes no writes; why (wrapping ErrStorage) is what every
// Tx then answers. One connection serves every read: it keeps SQLite's
// WAL index in its own memory (locking_mode EXCLUSIVE), so that no -shm
// file need be made or grown, which a full disk refuses even to readers.
// No migration can run: the database must be at the schema this binary
// writes.
func OpenReadOnly(ctx context.Context, dir string, why error) (*DB, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store: open read-only: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"locking_mode(EXCLUSIVE)", "query_only(1)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	c := sql.OpenDB(&cachingConnector{dsn: "file:" + path + "?" + q.Encode(), drv: &sqlite.Driver{}})
	c.SetMaxOpenConns(1)
	c.SetConnMaxLifetime(0)
	c.SetConnMaxIdleTime(0)
	db := &DB{write: c, read: c, dir: dir, readOnly: fmt.Errorf("store: opened read-only: %w", why)}
	var version int
	if err := c.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		c.Close()
		return nil, fmt.Errorf("store: open read-only: %w", mapErr(err))
	}
	if latest, err := latestMigration(); err != nil || version != latest {
		c.Close()
		return nil, fmt.Errorf("store: open read-only: the database is at schema version %d, this binary writes %d, and no migration can be written (%v)", version, latest, why)
	}
	return db, nil
}
