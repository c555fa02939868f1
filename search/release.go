package search

import (
	"path/filepath"
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
// kernel every tenth of a second (in half a second the merge can read
// 250 MB). They are clean pages of read-only files, so a page read again
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
var releaseEvery = 100 * time.Millisecond

// buildDirs are the interim directories of the builds running now: only
// merges writing there release pages.
var buildDirs sync.Map

// Open opens a segment as zap does. Opening reads through most of a
// segment's pages (334 segments: 420 MB at once before the merge began),
// so a build's segment, opened to be merged, gives them back at once.
func (p *releasingZap) Open(path string) (segment.Segment, error) {
	seg, err := p.ZapPlugin.Open(path)
	if err == nil && inBuildDir(path) {
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
	if !inBuildDir(path) {
		return p.ZapPlugin.Merge(segs, drops, path, closeCh, s)
	}
	stop := releaseWhileMerging(segs)
	defer stop()
	return p.ZapPlugin.Merge(segs, drops, path, closeCh, s)
}

func inBuildDir(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	found := false
	buildDirs.Range(func(dir, _ any) bool {
		if strings.HasPrefix(abs, dir.(string)+string(filepath.Separator)) {
			found = true
		}
		return !found
	})
	return found
}

// releaseWhileMerging releases the mapped pages of segs every releaseEvery
// until stop is called. The segments stay open (mapped) until the merge
// returns, and stop waits for the last release, so no page is released
// once it may be unmapped.
func releaseWhileMerging(segs []segment.Segment) (stop func()) {
	var maps [][]byte
	for _, s := range segs {
		if d, ok := s.(interface{ Data() []byte }); ok && len(d.Data()) > 0 {
			maps = append(maps, d.Data())
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(releaseEvery)
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
