// Package store keeps Hondana's data in one SQLite file: the schema and its
// migrations, hand-written SQL and the row types. It knows no library rules.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Sentinel errors callers test with errors.Is; driver messages never leave
// this package.
var (
	ErrNotFound   = errors.New("not found")
	ErrConflict   = errors.New("conflict")   // a unique constraint
	ErrReference  = errors.New("reference")  // a foreign key constraint
	ErrConstraint = errors.New("constraint") // a CHECK or NOT NULL constraint
	// ErrStorage means the disk did not take the change (full, read-only
	// or failing): nothing was saved, and trying again helps only once
	// someone has freed space or mended the disk. Reads may still work.
	ErrStorage = errors.New("storage unavailable")
)

// FileName is the database file inside the data directory.
const FileName = "hondana.db"

// DB is the open database: one writer connection, so writers queue in Go
// rather than fight over SQLite's lock, and a pool of read-only readers.
// Opened read-only (OpenReadOnly), one connection does both.
type DB struct {
	write *sql.DB
	read  *sql.DB
	dir   string
	// readOnly is why the database was opened read-only (it wraps
	// ErrStorage); nil when it was not.
	readOnly error
	// failMu guards failed: the storage failure of the last write that
	// failed for want of storage, nil once a write succeeds (see CanWrite).
	failMu sync.Mutex
	failed error
	// lastWrite is when the last write committed (UnixNano), for
	// LastWrite.
	lastWrite atomic.Int64
	// migrationBackup: see MigrationBackup.
	migrationBackup *BackupResult
}

// Open opens (creating if needed) the database in dir and migrates it to
// the current schema.
func Open(ctx context.Context, dir string) (*DB, error) {
	return open(ctx, dir, math.MaxInt)
}

// open opens the database in dir, migrated up to schema version upTo.
func open(ctx context.Context, dir string, upTo int) (*DB, error) {
	path := filepath.Join(dir, FileName)
	// SQLite would make the file 0644, and its -wal and -shm files like
	// it: made here first, they are the owner's alone.
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: create %s: %w", FileName, err)
		}
		f.Close()
	}
	// modernc reads pragmas only in the _pragma=name(value) form.
	dsn := func(extra ...string) string {
		q := url.Values{}
		q.Add("_txlock", "immediate")
		for _, p := range append([]string{
			"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)",
			"foreign_keys(1)", "cache_size(-32000)", "temp_store(2)",
			// A deleted row is overwritten with zeros, not left readable
			// in a free page (R40: who borrowed what goes at return).
			"secure_delete(1)",
		}, extra...) {
			q.Add("_pragma", p)
		}
		return "file:" + path + "?" + q.Encode()
	}
	w := sql.OpenDB(&cachingConnector{dsn: dsn(), drv: &sqlite.Driver{}})
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{write: w, dir: dir}
	if err := db.migrate(ctx, upTo); err != nil {
		w.Close()
		return nil, err
	}
	r := sql.OpenDB(&cachingConnector{dsn: dsn("query_only(1)"), drv: &sqlite.Driver{}})
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db.read = r
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	if db.read == db.write {
		return db.write.Close()
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// migrate runs the migrations above the database's version, up to upTo,
// each in one transaction. They run with foreign keys off, as SQLite's
// way of rebuilding a table asks
// (https://sqlite.org/lang_altertable.html#otheralter): with them on,
// dropping a table deletes the rows of others that refer to it with ON
// DELETE CASCADE (a hold's contact attempts). PRAGMA foreign_key_check,
// before each commit, makes sure a migration left every reference whole.
func (db *DB) migrate(ctx context.Context, upTo int) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", mapErr(err))
	}
	defer conn.Close()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("store: read schema version: %w", mapErr(err))
	}
	ms, err := migrationList()
	if err != nil {
		return err
	}
	if latest := ms[len(ms)-1].n; version > latest {
		return fmt.Errorf("store: %w: %s is at schema version %d, and this binary knows versions up to %d; "+
			"run the Hondana that wrote it (or a newer one), or restore a backup made before the upgrade",
			ErrNewerSchema, filepath.Join(db.dir, FileName), version, latest)
	}
	if pending := pendingMigrations(ms, version, upTo); pending > 0 && version > 0 {
		// A migration rewrites tables: keep the database as it was,
		// beside it, should the new version have to be left.
		dest := filepath.Join(db.dir, fmt.Sprintf("%s.before-schema-%d-%s", FileName, ms[len(ms)-1].n, time.Now().UTC().Format("20060102T150405Z")))
		res, err := Backup(ctx, db.dir, dest)
		if err != nil {
			return fmt.Errorf("store: the backup before migrating from schema version %d: %w", version, err)
		}
		db.migrationBackup = &res
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("store: migrate: %w", mapErr(err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON")
	for _, m := range ms {
		if m.n <= version || m.n > upTo {
			continue
		}
		if err := migrateOne(ctx, conn, m); err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, mapErr(err))
		}
		version = m.n
	}
	return nil
}

// pendingMigrations counts the migrations above version, up to upTo.
func pendingMigrations(ms []migration, version, upTo int) int {
	n := 0
	for _, m := range ms {
		if m.n > version && m.n <= upTo {
			n++
		}
	}
	return n
}

// MigrationBackup is the backup Open wrote before it migrated the
// database to a newer schema, or nil when it migrated nothing.
func (db *DB) MigrationBackup() *BackupResult { return db.migrationBackup }

// migrateOne runs one migration in a transaction on conn, whose foreign
// keys are off, and sets the schema version.
func migrateOne(ctx context.Context, conn *sql.Conn, m migration) error {
	body, err := migrations.ReadFile(m.name)
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	var table, parent string
	var rowid sql.NullInt64
	var fk int
	switch err := tx.QueryRowContext(ctx, "PRAGMA foreign_key_check").Scan(&table, &rowid, &parent, &fk); {
	case err == nil:
		return fmt.Errorf("%w: a row of %s (rowid %d) refers to a missing row of %s", ErrReference, table, rowid.Int64, parent)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.n)); err != nil {
		return err
	}
	return tx.Commit()
}

// migration is one embedded migration: its number and file name.
type migration struct {
	n    int
	name string
}

// migrationList is the embedded migrations in order.
func migrationList() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		n, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: bad name", name)
		}
		out = append(out, migration{n, name})
	}
	return out, nil
}

// latestMigration is the schema version this binary migrates to.
func latestMigration() (int, error) {
	ms, err := migrationList()
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return ms[len(ms)-1].n, nil
}

// SchemaVersion reports the schema version the database is at.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// Tx runs fn in one immediate transaction on the writer connection,
// committing when fn returns nil. Constraint errors come back as the
// package's sentinel errors, a write the disk did not take as ErrStorage
// (at once on a database opened read-only).
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.readOnly != nil {
		return db.readOnly
	}
	err := db.tx(ctx, fn)
	switch {
	case err == nil:
		db.lastWrite.Store(time.Now().UnixNano())
		db.setFailed(nil)
	case errors.Is(err, ErrStorage):
		db.setFailed(err)
	}
	return err
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", mapErr(err))
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return mapErr(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", mapErr(err))
	}
	return nil
}

// LastWrite is when the last write committed (zero: none since Open).
func (db *DB) LastWrite() time.Time {
	if n := db.lastWrite.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Checkpoint copies every change in the WAL into the database file and
// empties the WAL (wal_checkpoint(TRUNCATE)), waiting for readers as
// long as the busy timeout. With secure_delete, a deleted row is then
// zeros in the database file and gone from the WAL, whose older frames
// still held it: the WAL is only reused, never cleared, by the
// checkpoints SQLite makes by itself. Read-only, there is nothing to do.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.readOnly != nil {
		return nil
	}
	var busy, logFrames, done int
	if err := db.write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("store: checkpoint: %w", mapErr(err))
	}
	if busy != 0 {
		return fmt.Errorf("store: checkpoint: readers kept it from finishing (%d of %d frames copied)", done, logFrames)
	}
	return nil
}

// Reader is the read-only pool, for pages and queries.
func (db *DB) Reader() *sql.DB { return db.read }

// mapErr turns SQLite constraint and storage failures into sentinel
// errors, keeping the original message for logs.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %v", ErrNotFound, err)
		}
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %v", ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: %v", ErrReference, err)
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return fmt.Errorf("%w: %v", ErrConstraint, err)
	}
	switch se.Code() & 0xff { // the primary code of an extended one
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return err
}

// Times are stored as RFC 3339 in UTC with fixed width so they sort as text.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeLayout, s)
	return t
}

// Querier is a pool or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}
