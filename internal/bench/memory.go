package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// dirMB is the size of the files under path (and of SQLite's -wal and
// -shm beside it), in MB.
func dirMB(path string) float64 {
	var total int64
	filepath.Walk(path, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	for _, suffix := range []string{"-wal", "-shm"} {
		if info, err := os.Stat(path + suffix); err == nil {
			total += info.Size()
		}
	}
	return float64(total) / 1e6
}

// anonSampler records the highest RssAnon of the process, in KiB:
// VmHWM also counts the index files Bleve maps into memory, which the
// kernel can drop at will.
type anonSampler struct {
	peak atomic.Int64
	done chan struct{}
}

// sampleAnon samples every tenth of a second until stop.
func sampleAnon() *anonSampler {
	s := &anonSampler{done: make(chan struct{})}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
			}
			if kb, ok := statusKB("RssAnon:"); ok && kb > s.peak.Load() {
				s.peak.Store(kb)
			}
		}
	}()
	return s
}

func (s *anonSampler) stop() { close(s.done) }

// peakMB is the highest anonymous memory seen, in MB.
func (s *anonSampler) peakMB() float64 { return float64(s.peak.Load()) / 1024 }

// statusKB reads a figure in KiB from /proc/self/status.
func statusKB(key string) (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == key {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}

// peakRSS is the process's peak resident memory, in words.
func peakRSS() string {
	kb, ok := statusKB("VmHWM:")
	if !ok {
		return "unknown"
	}
	return fmt.Sprintf("%.0f MB", float64(kb)/1024)
}
