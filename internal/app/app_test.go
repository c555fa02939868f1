package app

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hondana/store"
)

// TestRunShutsDownInOrder: when Run's context ends, the server stops, and
// a job staff started is cancelled and has returned before Run does, so
// Close finds nothing using the index or the database; a job asked for
// after that is refused.
func TestRunShutsDownInOrder(t *testing.T) {
	cfg := Default()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.Pepper = "test"
	a, err := New(context.Background(), cfg, Options{Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	var started, finished atomic.Bool
	err = a.jobs.Go(func(ctx context.Context) {
		started.Store(true)
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // work that ends a moment after
		// The database is still open for what a job does last.
		if _, err := a.DB.RecordCount(context.Background()); err != nil {
			t.Errorf("a job's last write found the database closed: %v", err)
		}
		finished.Store(true)
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	for !started.Load() {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if !finished.Load() {
		t.Error("Run returned before the job did")
	}
	if err := a.jobs.Go(func(context.Context) {}); !errors.Is(err, errStopping) {
		t.Errorf("a job after shutdown: %v, want errStopping", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointsEmptyTheWAL: a running server folds the WAL into the
// database and empties it once writes pause, so that a row deleted is
// soon in neither file (R40). Without it the WAL kept every frame
// written, deleted rows among them, until SQLite happened to reuse it.
func TestCheckpointsEmptyTheWAL(t *testing.T) {
	cfg := Default()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	cfg.Pepper = "test"
	o := Options{Log: quiet()}
	o.Checkpoints.Every, o.Checkpoints.Quiet = 20*time.Millisecond, 20*time.Millisecond
	a, err := New(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	secret := "返却済み：大洲花子さんの『銀河鉄道の夜』"
	for _, stmt := range []string{
		`INSERT INTO news(day, title, body, created_at) VALUES('2026-12-01', 'x', '` + secret + `', 'x')`,
		`DELETE FROM news`,
	} {
		if err := a.DB.Tx(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec(stmt); return err }); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	wal := filepath.Join(cfg.DataDir, store.FileName+"-wal")
	for i := 0; ; i++ {
		b, err := os.ReadFile(wal)
		if err != nil {
			t.Fatal(err)
		}
		db, err := os.ReadFile(filepath.Join(cfg.DataDir, store.FileName))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 && !bytes.Contains(db, []byte(secret)) {
			return
		}
		if i == 3000 {
			t.Fatalf("after 30 s the WAL has %d bytes and the deleted text is in the database file: %v", len(b), bytes.Contains(db, []byte(secret)))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNewFailsCleanly: a start that fails after the database is open (a
// bad config key, a start cancelled while the index is built) returns
// the error, closes what it opened and lets go of the data directory:
// before, it panicked closing an App it had already set to nil.
func TestNewFailsCleanly(t *testing.T) {
	t.Parallel()
	cfg := Default()
	cfg.DataDir = t.TempDir()
	cfg.Pepper = "test"
	cfg.Metrics.Allow = []string{"not an address"}
	if _, err := New(context.Background(), cfg, Options{Log: quiet()}); err == nil || !strings.Contains(err.Error(), "metrics.allow") {
		t.Fatalf("start with a bad metrics.allow: %v", err)
	}
	cfg.Metrics.Allow = nil
	a, err := New(context.Background(), cfg, Options{Log: quiet()})
	if err != nil {
		t.Fatalf("start after a failed one: %v", err)
	}
	if _, err := New(context.Background(), cfg, Options{Log: quiet()}); err == nil || !strings.Contains(err.Error(), "is running") {
		t.Errorf("a second server on the same data directory: %v", err)
	}
	a.Close()
}
