// Package buildgc relaxes the garbage collector while a search index is
// built. The collector's settings are the process's own, so the code that
// owns the process (main, a bench) decides to use it, by handing Relax to
// the catalogue as the hook around its index builds.
package buildgc

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A build allocates a few hundred megabytes a second, nearly all of it
// garbage within the second, and the collector was a tenth of its CPU.
// While one runs, the heap may grow to three times what is live instead
// of two, within a soft limit of headroom above the heap live when the
// first build began: a million records then peak at about 420 MB resident
// instead of 340 MB, a tenth faster (with two parts building side by side;
// a limit of 380 MiB gave 475 MB). A GOGC or GOMEMLIMIT the process was
// given, if higher or set, is kept.
const (
	gcPercent = 200
	headroom  = 330 << 20
)

var builds struct {
	sync.Mutex
	running int   // builds running
	percent int   // the settings to restore when the last one ends
	limit   int64 // (math.MaxInt64: none)
	bounded bool  // the limit is Bound's
}

// Relax applies the build's collector settings until restore is called.
// Builds may overlap: the settings stay until the last one restores.
func Relax() (restore func()) {
	builds.Lock()
	defer builds.Unlock()
	if builds.running == 0 {
		builds.percent = debug.SetGCPercent(gcPercent)
		if builds.percent < 0 || builds.percent > gcPercent {
			debug.SetGCPercent(builds.percent) // off, or already laxer
		}
		builds.limit = debug.SetMemoryLimit(-1)
		if builds.limit == math.MaxInt64 {
			debug.SetMemoryLimit(liveHeap() + headroom)
		}
	}
	builds.running++
	return func() {
		builds.Lock()
		defer builds.Unlock()
		if builds.running--; builds.running == 0 {
			debug.SetGCPercent(builds.percent)
			debug.SetMemoryLimit(builds.limit)
		}
	}
}

// liveHeap is the heap the last collection found live.
func liveHeap() int64 {
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(m[0].Value.Uint64())
}

// Bound sets the process's soft memory limit to the headroom a build is
// given above an empty heap, unless the process was given a limit
// (GOMEMLIMIT). It is for a command that builds an index while it holds
// memory of its own: an import that loaded the reading dictionary (88 MB
// of live heap, kept until the process exits) before its bulk load began
// would have the build's headroom counted on top of it. Relax keeps the
// limit.
func Bound() {
	builds.Lock()
	defer builds.Unlock()
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(headroom)
		builds.bounded = true
	}
}

// mergeLimit is the soft limit FeedEnded sets. Once a build has been fed
// its last document it only merges what it wrote, and little of its heap
// stays live: at a million records, with the reading dictionary loaded,
// 105 to 135 MB, against 200 to 250 MB while it was fed. At the limit a
// build is given the heap stayed near 350 MB all the same, the merges'
// mapped pages (up to 140 MB) came on top, and an import peaked at 540
// MiB; under this limit, at 457 MiB.
const mergeLimit = 230 << 20

// FeedEnded lowers the limit Bound set to mergeLimit, for the end of a
// build that has been fed every document: its merges. The limit Bound
// set comes back when the build ends (see Relax). A limit the process
// was given stays.
func FeedEnded() {
	builds.Lock()
	defer builds.Unlock()
	if builds.bounded {
		debug.SetMemoryLimit(mergeLimit)
	}
}
