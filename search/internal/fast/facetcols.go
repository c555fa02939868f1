package fast

import (
	"context"
	"encoding/binary"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	index "github.com/blevesearch/bleve_index_api"
)

// Facet counting from Bleve's doc values decompresses a chunk of about a
// thousand documents' values for every chunk a hit falls in: at a million
// records nearly every chunk, for every query, 20 ms or more. Instead the
// index keeps, per segment, each document's facet terms as small numbers
// in memory (about 20 MB at a million records), read once from the facet
// field's postings, and counts them as the hits stream past the collector.
// Segments are immutable, so a column stays valid as long as its segment.

// facetColumns holds the columns of the segments seen, and the numbering of
// facet terms they share.
type facetColumns struct {
	mu    sync.Mutex
	ids   map[string]uint16
	terms []string
	segs  map[any]*segColumn
	// spawn runs a column's build in the background, or refuses once
	// the index is closing (see Index.Detach).
	spawn func(func()) bool
}

// segColumn is one segment's facet terms: document d has
// terms[start[d]:start[d+1]].
type segColumn struct {
	ready chan struct{} // closed once built (or failed)
	start []uint32
	terms []uint16
	ok    bool
}

func newFacetColumns(spawn func(func()) bool) *facetColumns {
	return &facetColumns{ids: map[string]uint16{}, segs: map[any]*segColumn{}, spawn: spawn}
}

// maxFacetTerms bounds the numbering; a catalogue with more distinct facet
// terms falls back to Bleve's counting.
const maxFacetTerms = 60000

// counter counts the facet terms of hits in one snapshot, or is nil when
// some segment's column is not built yet (its build is then started in the
// background, and the query counts the Bleve way).
type counter struct {
	offsets []uint64
	cols    []*segColumn
	counts  []int32
	last    int
}

func (fc *facetColumns) counter(snap *scorch.IndexSnapshot, field string) *counter {
	segs := snap.Segments()
	c := &counter{offsets: make([]uint64, len(segs)), cols: make([]*segColumn, len(segs))}
	type job struct {
		col *segColumn
		ss  *scorch.SegmentSnapshot
	}
	var now []job
	var running uint64
	fc.mu.Lock()
	live := make(map[any]bool, len(segs))
	for i, ss := range segs {
		c.offsets[i] = running
		running += uint64(ss.FullSize())
		seg := ss.Segment()
		live[seg] = true
		col, ok := fc.segs[seg]
		if !ok {
			col = &segColumn{ready: make(chan struct{})}
			fc.segs[seg] = col
			if ss.FullSize() <= syncColumnMax {
				// A small segment (the last changes) is read at once.
				now = append(now, job{col, ss})
			} else {
				snap.AddRef()
				started := fc.spawn(func() {
					defer snap.DecRef()
					fc.build(col, ss, field)
				})
				if !started {
					// Closing: the column stays unread (queries, if
					// any, count the slow way).
					snap.DecRef()
					close(col.ready)
				}
			}
		}
		c.cols[i] = col
	}
	// Forget the columns of segments merged away.
	for seg := range fc.segs {
		if !live[seg] {
			delete(fc.segs, seg)
		}
	}
	fc.mu.Unlock()
	for _, j := range now {
		fc.build(j.col, j.ss, field)
	}
	for _, col := range c.cols {
		select {
		case <-col.ready:
			if !col.ok {
				return nil
			}
		default:
			return nil
		}
	}
	fc.mu.Lock()
	c.counts = make([]int32, len(fc.terms))
	fc.mu.Unlock()
	return c
}

// syncColumnMax is the largest segment whose column a query reads itself
// (a few milliseconds); larger ones are read in the background.
const syncColumnMax = 20000

// build reads a segment's postings of the facet field into its column.
func (fc *facetColumns) build(col *segColumn, ss *scorch.SegmentSnapshot, field string) {
	defer close(col.ready)
	seg := ss.Segment()
	n := int(seg.Count())
	dict, err := seg.Dictionary(field)
	if err != nil {
		return
	}
	// Two passes over the postings, counting then filling, rather than
	// holding them all at once.
	start := make([]uint32, n+1)
	var terms []uint16
	var fill []uint32
	for pass := 0; pass < 2; pass++ {
		it := dict.AutomatonIterator(nil, nil, nil)
		for {
			e, err := it.Next()
			if err != nil {
				return
			}
			if e == nil {
				break
			}
			id, ok := fc.termID(e.Term)
			if !ok {
				return
			}
			pl, err := dict.PostingsList([]byte(e.Term), nil, nil)
			if err != nil {
				return
			}
			pi := pl.Iterator(false, false, false, nil)
			for {
				p, err := pi.Next()
				if err != nil {
					return
				}
				if p == nil {
					break
				}
				d := p.Number()
				if d >= uint64(n) {
					return
				}
				if pass == 0 {
					start[d+1]++
				} else {
					terms[fill[d]] = id
					fill[d]++
				}
			}
		}
		if pass == 0 {
			for d := 1; d <= n; d++ {
				start[d] += start[d-1]
			}
			terms = make([]uint16, start[n])
			fill = make([]uint32, n)
			copy(fill, start[:n])
		}
	}
	col.start, col.terms, col.ok = start, terms, true
}

func (fc *facetColumns) termID(term string) (uint16, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if id, ok := fc.ids[term]; ok {
		return id, true
	}
	if len(fc.terms) >= maxFacetTerms {
		return 0, false
	}
	id := uint16(len(fc.terms))
	fc.ids[term] = id
	fc.terms = append(fc.terms, term)
	return id, true
}

// fork returns a counter of the same snapshot with counts of its own, for
// another goroutine; merge adds them back.
func (c *counter) fork() *counter {
	return &counter{offsets: c.offsets, cols: c.cols, counts: make([]int32, len(c.counts))}
}

func (c *counter) merge(o *counter) {
	for i, n := range o.counts {
		c.counts[i] += n
	}
}

// add counts the facet terms of the hit with internal id iid.
func (c *counter) add(iid index.IndexInternalID) {
	if len(iid) != 8 {
		return
	}
	g := binary.BigEndian.Uint64(iid)
	i := c.last
	if g < c.offsets[i] || (i+1 < len(c.offsets) && g >= c.offsets[i+1]) {
		i = sort.Search(len(c.offsets), func(k int) bool { return c.offsets[k] > g }) - 1
		c.last = i
	}
	col := c.cols[i]
	d := g - c.offsets[i]
	if d+1 >= uint64(len(col.start)) {
		return
	}
	for _, t := range col.terms[col.start[d]:col.start[d+1]] {
		c.counts[t]++
	}
}

// result turns the counts into a facet result as Bleve would give it.
func (c *counter) result(fc *facetColumns, field string) *bsearch.FacetResult {
	fc.mu.Lock()
	terms := fc.terms[:len(c.counts)]
	fc.mu.Unlock()
	tf := &bsearch.TermFacets{}
	for id, n := range c.counts {
		if n > 0 {
			tf.Add(&bsearch.TermFacet{Term: terms[id], Count: int(n)})
		}
	}
	sort.Sort(tf) // by count, then term, as Bleve orders them
	return &bsearch.FacetResult{Field: field, Terms: tf}
}

// CountingContext returns ctx for a search through Bleve's collector that
// counts the facets of every hit from the columns as the hits stream by,
// and the function that returns the counts once the search is done: nil
// when some column was not read yet (count them the Bleve way then).
func (x *Index) CountingContext(ctx context.Context) (context.Context, func() *bsearch.FacetResult) {
	var cnt *counter
	handler := func(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil || next == nil {
			return next, loadID, err
		}
		snap, ok := sctx.IndexReader.(*scorch.IndexSnapshot)
		if !ok {
			return next, loadID, nil
		}
		if cnt = x.cols.counter(snap, x.field); cnt == nil {
			return next, loadID, nil
		}
		return func(d *bsearch.DocumentMatch) error {
			if d != nil {
				cnt.add(d.IndexInternalID)
			}
			return next(d)
		}, loadID, nil
	}
	counted := func() *bsearch.FacetResult {
		if cnt == nil {
			return nil
		}
		return cnt.result(x.cols, x.field)
	}
	return context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, bsearch.MakeDocumentMatchHandler(handler)), counted
}
