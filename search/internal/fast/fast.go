// Package fast is the search index's fast path: the parts that depend on
// the internals of Bleve's scorch index and its zap segments rather than
// on Bleve's public API. A build cut in parts whose segments are joined by
// writing scorch's root.bolt, merges that release the pages they read,
// searches by relevance cut into ranges of documents, and facets counted
// from columns of small numbers read from the segments.
//
// Every piece of it can fail to apply after a Bleve upgrade, and package
// search falls back to Bleve's public API when it does: a build whose
// index does not hold the documents fed is built again the plain way, an
// index that is not scorch's is searched the plain way. The versions it
// was checked against are pinned by TestPinnedVersions.
package fast

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Options tune the fast path; the zero value of each field is its tuned
// default. Only tests change them.
type Options struct {
	BuildBatch    int           // documents per interim segment (buildBatch)
	BuildParts    int           // parts a build is cut in (one per core, at most four)
	GroupMergeMin int           // segments a part's last merge takes in groups (groupMergeMin)
	ReleaseEvery  time.Duration // how often a build's merges release pages (releaseEvery)
	SearchParts   int           // ranges every search by relevance is cut in (partsOf)
}

func (o Options) batch() int                     { return cmp.Or(o.BuildBatch, buildBatch) }
func (o Options) groupMin() int                  { return cmp.Or(o.GroupMergeMin, groupMergeMin) }
func (o Options) releaseInterval() time.Duration { return cmp.Or(o.ReleaseEvery, releaseEvery) }

// parts is the number of parts of a build: one per core, at most four,
// as a search takes at most four ranges (maxParts).
func (o Options) parts() int {
	if o.BuildParts > 0 {
		return o.BuildParts
	}
	return max(1, min(maxParts, runtime.GOMAXPROCS(0)))
}

// Index is the fast path of one open index.
type Index struct {
	bi    bleve.Index
	s     *scorch.Scorch
	field string // the keyword field whose terms are the facets
	o     Options
	cols  *facetColumns

	warming, warmAgain atomic.Bool
	bg                 background
}

// background is the work an index does on goroutines of its own (reading
// facet columns), which Detach waits for: nothing may read an index that
// is being closed.
type background struct {
	mu      sync.Mutex
	stopped bool
	wg      sync.WaitGroup
	started atomic.Int64 // tasks ever started, for tests
	running atomic.Int64
}

// spawn runs f on a goroutine of its own, unless Detach has begun. A
// panic in f ends f, not the process: a task reads segments Bleve may
// have closed under it (a batch that failed to persist leaves its closed
// segment in the index; see search.ErrWriteFailed), and a closed
// segment's first read panics. The column being read stays unread; the
// owner of the index reopens it.
func (b *background) spawn(f func()) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return false
	}
	b.wg.Add(1)
	b.started.Add(1)
	b.running.Add(1)
	go func() {
		defer b.wg.Done()
		defer b.running.Add(-1)
		defer func() { _ = recover() }()
		f()
	}()
	return true
}

// stop refuses new tasks and waits for those running.
func (b *background) stop() {
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
	b.wg.Wait()
}

// Background reports the background tasks (facet column reads) ever
// started and those running now, for tests of Detach.
func (x *Index) Background() (started, running int64) {
	return x.bg.started.Load(), x.bg.running.Load()
}

// OpenConfig returns what the runtime config of an index opened for the
// fast path must hold besides the caller's own: the event callback that
// reads the facet columns of new segments in the background.
func OpenConfig() map[string]interface{} {
	return map[string]interface{}{"eventCallbackName": warmEvents}
}

// Attach starts the fast path of bi, opened with OpenConfig, whose facets
// are the terms of the keyword field facetField. It fails when bi is not a
// scorch index. Call Detach before closing bi.
func Attach(bi bleve.Index, facetField string, o Options) (*Index, error) {
	ai, err := bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("fast: %w", err)
	}
	s, ok := ai.(*scorch.Scorch)
	if !ok {
		return nil, fmt.Errorf("fast: the index is %T, not scorch", ai)
	}
	x := &Index{bi: bi, s: s, field: facetField, o: o}
	x.cols = newFacetColumns(x.bg.spawn)
	warmers.Store(s, x)
	x.Warm()
	return x, nil
}

// Detach stops the background reading of facet columns, and waits for
// the reads under way: after it the index may be closed.
func (x *Index) Detach() {
	warmers.Delete(x.s)
	x.bg.stop()
}

// A segment a merge or a batch brings in gets its facet column read at
// once, in the background, rather than by the first query to meet it:
// until then queries count facets the slow way (100 ms and more at a
// million records).
const warmEvents = "hondana-warm-facets"

var warmers sync.Map // *scorch.Scorch of an attached index → *Index

func init() {
	scorch.RegistryEventCallbacks[warmEvents] = func(e scorch.Event) bool {
		if e.Kind == scorch.EventKindMergeTaskIntroduction || e.Kind == scorch.EventKindBatchIntroduction {
			if x, ok := warmers.Load(e.Scorch); ok {
				x.(*Index).warmSoon()
			}
		}
		return true // go ahead, for the events that ask
	}
}

// FacetsReady reports whether every current segment's facet column has
// been read, so queries count facets the fast way. It starts nothing.
func (x *Index) FacetsReady() bool {
	snap, err := x.snapshot()
	if err != nil {
		return false
	}
	defer snap.Close()
	x.cols.mu.Lock()
	defer x.cols.mu.Unlock()
	for _, ss := range snap.Segments() {
		col, ok := x.cols.segs[ss.Segment()]
		if !ok {
			return false
		}
		select {
		case <-col.ready:
		default:
			return false
		}
	}
	return true
}

// Warm starts reading the facet columns of the current segments in the
// background, so that the first searches need not wait for them (nor
// start-up either).
func (x *Index) Warm() {
	snap, err := x.snapshot()
	if err != nil {
		return
	}
	defer snap.Close()
	x.cols.counter(snap, x.field)
}

// warmSoon reads the columns of new segments in the background, once
// more if another change comes in meanwhile.
func (x *Index) warmSoon() {
	x.warmAgain.Store(true)
	if !x.warming.CompareAndSwap(false, true) {
		return
	}
	started := x.bg.spawn(func() {
		defer func() {
			x.warming.Store(false)
			if x.warmAgain.Load() {
				x.warmSoon()
			}
		}()
		for x.warmAgain.Swap(false) {
			x.Warm()
		}
	})
	if !started {
		x.warming.Store(false)
	}
}

// SegmentCount is the number of segments of the index now. A merge
// brings it down: tests compare it before and after to know that no merge
// changed the index (and its order of equal scores) in between.
func (x *Index) SegmentCount() (int, error) {
	snap, err := x.snapshot()
	if err != nil {
		return 0, err
	}
	defer snap.Close()
	return len(snap.Segments()), nil
}

// errClosed means the index was closed.
var errClosed = errors.New("fast: index closed")

// ErrNotReady means the fast path cannot answer this search: the facet
// columns are not read yet, or the index's reader is not scorch's. The
// caller asks Bleve instead.
var ErrNotReady = errors.New("fast: not ready")

// snapshot returns the index's current snapshot; close it after use. A
// closed index has none (a warming in the background may outlive it).
func (x *Index) snapshot() (*scorch.IndexSnapshot, error) {
	r, err := x.s.Reader()
	if err != nil {
		return nil, err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	switch {
	case !ok:
		r.Close()
		return nil, fmt.Errorf("%w: the index reader is %T", ErrNotReady, r)
	case snap == nil:
		return nil, errClosed
	}
	return snap, nil
}
