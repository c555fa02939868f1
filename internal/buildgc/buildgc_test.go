package buildgc

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestRelaxGC: while builds run the collector lets the heap grow within a
// limit; the process's own settings come back when the last build ends,
// and a memory limit it was given is kept throughout.
func TestRelaxGC(t *testing.T) {
	gc := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	})
	percent := func() int {
		p := debug.SetGCPercent(0)
		debug.SetGCPercent(p)
		return p
	}

	first := Relax()
	second := Relax()
	if p, l := percent(), debug.SetMemoryLimit(-1); p != gcPercent || l < headroom || l == math.MaxInt64 {
		t.Errorf("during builds: GOGC %d, limit %d; want %d and at least %d", p, l, gcPercent, headroom)
	}
	first()
	if p := percent(); p != gcPercent {
		t.Errorf("one build still running: GOGC %d, want %d", p, gcPercent)
	}
	second()
	if p, l := percent(), debug.SetMemoryLimit(-1); p != 100 || l != math.MaxInt64 {
		t.Errorf("after the builds: GOGC %d, limit %d; want 100 and none", p, l)
	}

	debug.SetMemoryLimit(300 << 20) // the process's own
	debug.SetGCPercent(400)
	Relax()()
	restore := Relax()
	if p, l := percent(), debug.SetMemoryLimit(-1); p != 400 || l != 300<<20 {
		t.Errorf("with GOGC 400 and a limit of 300 MiB set: GOGC %d, limit %d", p, l)
	}
	restore()
}

// TestBound: a process with no memory limit gets the build's headroom as
// its limit, which a build keeps and leaves; once the build's feed has
// ended the limit is lowered until the build ends. A limit the process
// was given stays throughout.
func TestBound(t *testing.T) {
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetMemoryLimit(limit)
		builds.bounded = false
	})
	current := func() int64 { return debug.SetMemoryLimit(-1) }
	Bound()
	if l := current(); l != headroom {
		t.Errorf("bound: limit %d, want %d", l, headroom)
	}
	restore := Relax()
	if l := current(); l != headroom {
		t.Errorf("bound, during a build: limit %d, want %d", l, headroom)
	}
	FeedEnded()
	if l := current(); l != mergeLimit {
		t.Errorf("bound, the feed ended: limit %d, want %d", l, mergeLimit)
	}
	restore()
	if l := current(); l != headroom {
		t.Errorf("bound, after a build: limit %d, want %d", l, headroom)
	}

	builds.bounded = false
	debug.SetMemoryLimit(600 << 20) // the process's own
	Bound()
	restore = Relax()
	FeedEnded()
	if l := current(); l != 600<<20 {
		t.Errorf("given 600 MiB: limit %d after Bound and FeedEnded", l)
	}
	restore()
}
