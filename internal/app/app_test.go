package app

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
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
