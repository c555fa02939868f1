package fast

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zapv17 "github.com/blevesearch/zapx/v17"
)

// The offline builder ends by merging all the segments it wrote into one,
// and the merge reads every segment through a memory map: every page it
// has read counts in the process's resident memory until the merge ends,
// at a million records more than the index's whole size (370 MB) on top
// of the heap. releasingZap is Bleve's zap format with one difference:
// during the builder's merges it hands the pages already read back to the
// kernel every 25 ms (on a quiet machine a merge read up to 210 MB
// between releases a tenth of a second apart). They are clean pages of read-only files, so a page read again
// is simply mapped again from the page cache.
//
// It replaces the plain zap v17 plugin in scorch's registry (not as the
// default for new indexes), because that is how the builder chooses its
// format; every other use, and every merge outside a build, is plain zap.
type releasingZap struct {
	zapv17.ZapPlugin
}

func init() {
	scorch.RegisterSegmentPlugin(&releasingZap{}, false)
}

// segmentFormat is the config that makes a builder use releasingZap.
var segmentFormat = map[string]interface{}{
	"forceSegmentType":    (&releasingZap{}).Type(),
	"forceSegmentVersion": int((&releasingZap{}).Version()),
}

// releaseEvery is how often a build's merge releases the pages it read.
// At a tenth of a second, `hondana import` of a million records peaked at
// 485–529 MiB on a quiet machine (the merges' mapped pages up to 212 MiB
// on 311 MiB of heap); at 25 ms, at 440 MiB, its peak while fed, in the
// same CPU time within the runs' noise.
const releaseEvery = 25 * time.Millisecond

// buildDirs are the interim directories of the builds running now, each
// with the build's Options: only merges writing there release pages.
var buildDirs sync.Map

// Open opens a segment as zap does. Opening reads through most of a
// segment's pages (334 segments: 420 MB at once before the merge began),
// so a build's segment, opened to be merged, gives them back at once.
func (p *releasingZap) Open(path string) (segment.Segment, error) {
	seg, err := p.ZapPlugin.Open(path)
	if _, ok := buildOf(path); err == nil && ok {
		if d, ok := seg.(interface{ Data() []byte }); ok {
			releasePages(d.Data())
		}
	}
	return seg, err
}

// Merge merges segments as zap does, releasing their pages meanwhile when
// the merge belongs to a build.
func (p *releasingZap) Merge(segs []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter) ([][]uint64, uint64, error) {
	opts, ok := buildOf(path)
	if !ok {
		return p.ZapPlugin.Merge(segs, drops, path, closeCh, s)
	}
	if len(segs) >= opts.groupMin() {
		return p.mergeInGroups(segs, drops, path, closeCh, s, opts)
	}
	return p.mergeReleasing(segs, drops, path, closeCh, s, opts)
}

// buildMerges bounds the merges of builds running at once to the cores:
// the parts of a build merge side by side, each in groups, and more
// merges than cores would only add their memory up.
var buildMerges = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

func (p *releasingZap) mergeReleasing(segs []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter, opts Options) ([][]uint64, uint64, error) {
	buildMerges <- struct{}{}
	defer func() { <-buildMerges }()
	stop := releaseWhileMerging(segs, opts.releaseInterval())
	defer stop()
	return p.ZapPlugin.Merge(segs, drops, path, closeCh, s)
}

// A build ends by merging all its segments into one (334 at a million
// records), and zap's merge steps through every field's terms comparing
// each with the current term of every segment: for the terms found in one
// record only (ids, ISBNs, titles) that is most of the merge, 19 of 28 s
// at a million records. Merged in groups of about the square root of
// their number, on every core, and the groups then merged into one, each
// term meets a few dozen segments instead of hundreds, for one more copy
// of the postings.
const groupMergeMin = 64

// docDropped is zap's document number of a document a merge drops.
const docDropped = math.MaxUint64

func (p *releasingZap) mergeInGroups(segs []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter, opts Options) ([][]uint64, uint64, error) {
	size := int(math.Ceil(math.Sqrt(float64(len(segs)))))
	type group struct {
		lo, hi int    // segs[lo:hi]
		path   string // where they are merged
		nums   [][]uint64
		err    error
	}
	var groups []*group
	for lo := 0; lo < len(segs); lo += size {
		groups = append(groups, &group{lo: lo, hi: min(lo+size, len(segs)), path: fmt.Sprintf("%s.group%d", path, len(groups))})
	}
	defer func() {
		for _, g := range groups {
			os.Remove(g.path)
		}
	}()
	work := make(chan *group)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range work {
				var groupDrops []*roaring.Bitmap
				if drops != nil {
					groupDrops = drops[g.lo:g.hi]
				}
				g.nums, _, g.err = p.mergeReleasing(segs[g.lo:g.hi], groupDrops, g.path, closeCh, s, opts)
			}
		}()
	}
	for _, g := range groups {
		work <- g
	}
	close(work)
	wg.Wait()
	merged := make([]segment.Segment, 0, len(groups))
	defer func() {
		for _, m := range merged {
			m.Close()
		}
	}()
	for _, g := range groups {
		if g.err != nil {
			return nil, 0, g.err
		}
		m, err := p.Open(g.path)
		if err != nil {
			return nil, 0, err
		}
		merged = append(merged, m)
	}
	final, n, err := p.mergeReleasing(merged, make([]*roaring.Bitmap, len(merged)), path, closeCh, s, opts)
	if err != nil {
		return nil, 0, err
	}
	// Each document's number: in its group's segment, then in the final one.
	nums := make([][]uint64, len(segs))
	for gi, g := range groups {
		for k, inGroup := range g.nums {
			out := make([]uint64, len(inGroup))
			for d, num := range inGroup {
				out[d] = docDropped
				if num != docDropped && gi < len(final) && num < uint64(len(final[gi])) {
					out[d] = final[gi][num]
				}
			}
			nums[g.lo+k] = out
		}
	}
	return nums, n, nil
}

// buildOf returns the Options of the build running whose interim
// directory holds path, if there is one.
func buildOf(path string) (opts Options, found bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Options{}, false
	}
	buildDirs.Range(func(dir, o any) bool {
		if strings.HasPrefix(abs, dir.(string)+string(filepath.Separator)) {
			opts, found = o.(Options), true
		}
		return !found
	})
	return opts, found
}

// releaseWhileMerging releases the mapped pages of segs every interval
// until stop is called. The segments stay open (mapped) until the merge
// returns, and stop waits for the last release, so no page is released
// once it may be unmapped.
func releaseWhileMerging(segs []segment.Segment, interval time.Duration) (stop func()) {
	var maps [][]byte
	for _, s := range segs {
		if d, ok := s.(interface{ Data() []byte }); ok && len(d.Data()) > 0 {
			maps = append(maps, d.Data())
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			for _, m := range maps {
				releasePages(m)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
