package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"hondana/store"
)

// BackupOptions say what the backup bench measures.
type BackupOptions struct {
	Base     string        // the running server searched, e.g. http://127.0.0.1:8080
	Dir      string        // its data directory, backed up
	Clients  int           // concurrent searching clients
	Duration time.Duration // of each phase
	Out      io.Writer
}

// backupWords are the bench's queries: common words, many hits each.
var backupWords = []string{"東京", "歴史", "日本", "研究", "文学", "経済", "社会", "科学", "物語", "教育",
	"ねこ", "やま", "かわ", "世界", "音楽", "戦争", "こども", "料理", "旅行", "宇宙"}

// Backup measures what a backup costs a running server: the latency of
// searches over HTTP alone, then while backups of its database run back
// to back (plain, then gzipped; each its own connection, as `hondana
// backup` is), then alone again, with each backup's time.
func Backup(ctx context.Context, o BackupOptions) error {
	if _, err := os.Stat(filepath.Join(o.Dir, store.FileName)); err != nil {
		return fmt.Errorf("bench-backup: --dir: %w", err)
	}
	tmp, err := os.MkdirTemp("", "hondana-bench-backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients * 2}, Timeout: time.Minute}
	phase := func(name string, during func()) error {
		var mu sync.Mutex
		var lat []time.Duration
		var stop atomic.Bool
		var failed atomic.Int64
		var wg sync.WaitGroup
		for i := range o.Clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; !stop.Load(); n++ {
					q := backupWords[(n*7+i*3)%len(backupWords)]
					t := time.Now()
					resp, err := client.Get(o.Base + "/api/v1/search?q=" + url.QueryEscape(q))
					if err != nil {
						failed.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						failed.Add(1)
						continue
					}
					el := time.Since(t)
					mu.Lock()
					lat = append(lat, el)
					mu.Unlock()
				}
			}()
		}
		start := time.Now()
		during()
		stop.Store(true)
		wg.Wait()
		el := time.Since(start)
		if len(lat) == 0 {
			return fmt.Errorf("bench-backup: no search answered (%d failed): is the server at %s running?", failed.Load(), o.Base)
		}
		sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
		p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))].Round(100 * time.Microsecond) }
		fmt.Fprintf(o.Out, "%-30s %6d searches in %s (%.0f/s), %d failed: p50 %s p90 %s p99 %s max %s\n", name, len(lat),
			el.Round(time.Millisecond), float64(len(lat))/el.Seconds(), failed.Load(), p(.5), p(.9), p(.99), lat[len(lat)-1].Round(100*time.Microsecond))
		return nil
	}
	var backupErr error
	backups := func(name string) func() {
		return func() {
			for deadline := time.Now().Add(o.Duration); time.Now().Before(deadline) && backupErr == nil; {
				dest := filepath.Join(tmp, name)
				os.Remove(dest)
				res, err := store.Backup(ctx, o.Dir, dest)
				if err != nil {
					backupErr = err
					return
				}
				fmt.Fprintf(o.Out, "  backup %s: %d bytes in %s\n", name, res.Size, res.Took.Round(time.Millisecond))
			}
		}
	}
	fmt.Fprintf(o.Out, "hondana bench-backup: %d clients searching %s, backups of %s\n", o.Clients, o.Base, o.Dir)
	for _, ph := range []struct {
		name   string
		during func()
	}{
		{"warm-up", func() { time.Sleep(5 * time.Second) }},
		{"searches alone", func() { time.Sleep(o.Duration) }},
		{"during plain backups", backups("bench.db")},
		{"during gzipped backups", backups("bench.db.gz")},
		{"searches alone again", func() { time.Sleep(o.Duration) }},
	} {
		if err := phase(ph.name, ph.during); err != nil {
			return err
		}
		if backupErr != nil {
			return backupErr
		}
	}
	return nil
}
