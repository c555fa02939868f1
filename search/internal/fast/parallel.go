package fast

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"sync"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// A search by relevance visits every hit to score it and count its facets:
// at a million records a common word has 100,000 hits and more, 50–100 ms
// on one core. Bleve's collector uses one goroutine; here the documents
// are cut into ranges of document numbers, one per core, each searched by
// its own searcher on the same snapshot, and the best hits of the ranges
// merged. Scores are those Bleve gives (the same snapshot, the same
// statistics), and equal scores keep index order as Bleve's collector
// does, so the result is the same, only sooner.

// splitMin is the number of documents below which one goroutine searches
// them all: starting more costs more than it saves.
const splitMin = 50000

// maxParts bounds the goroutines of one search.
const maxParts = 4

// partsOf is the number of ranges a search of docs documents is cut into.
func (o Options) partsOf(docs uint64) int {
	switch {
	case o.SearchParts > 0:
		return o.SearchParts
	case docs < splitMin:
		return 1
	}
	return min(maxParts, max(1, runtime.GOMAXPROCS(0)))
}

// Hits is what Search found.
type Hits struct {
	Total  int
	IDs    []string             // of the page asked for, best first
	Facets *bsearch.FacetResult // of every hit, when asked for
}

// rankedHit is a hit as the parts rank it.
type rankedHit struct {
	score float64
	num   uint64 // global document number
}

// better reports whether a ranks before b: higher score, then index order.
func (a rankedHit) better(b rankedHit) bool {
	return a.score > b.score || (a.score == b.score && a.num < b.num)
}

// Search runs bq and returns the hits offset to offset+limit by
// relevance, with the total and, when facets, the facet counts of every
// hit. It answers ErrNotReady when the facets cannot be counted from the
// columns yet.
func (x *Index) Search(ctx context.Context, bq query.Query, offset, limit int, facets bool) (*Hits, error) {
	snap, err := x.snapshot()
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	var cnt *counter
	if facets {
		if cnt = x.cols.counter(snap, x.field); cnt == nil {
			return nil, ErrNotReady
		}
	}
	var docs uint64
	for _, ss := range snap.Segments() {
		docs += uint64(ss.FullSize())
	}
	n := x.o.partsOf(docs)
	parts := make([]scoredPart, n)
	for i := range parts {
		p := &parts[i]
		p.lo, p.hi = docs*uint64(i)/uint64(n), docs*uint64(i+1)/uint64(n)
		if i == n-1 {
			p.hi = ^uint64(0) // the last part takes the rest
		}
		p.keep = offset + limit
		if cnt != nil {
			p.cnt = cnt
			if i > 0 {
				p.cnt = cnt.fork()
			}
		}
		// Searchers are built here, one after the other: building reads
		// the term dictionaries, which is quick, and keeps the query
		// objects on one goroutine.
		if p.s, err = bq.Searcher(ctx, snap, x.bi.Mapping(), bsearch.SearcherOptions{}); err != nil {
			for _, q := range parts[:i] {
				q.s.Close()
			}
			return nil, err
		}
	}
	var wg sync.WaitGroup
	for i := range parts {
		if i == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A panic here would end the process, not the request: the
			// part fails instead (see background.spawn for why a read
			// of the index can panic).
			defer func() {
				if r := recover(); r != nil {
					parts[i].err = fmt.Errorf("fast: search part %d: %v", i, r)
				}
			}()
			parts[i].run(ctx)
		}()
	}
	parts[0].run(ctx)
	wg.Wait()

	out := &Hits{}
	var best []rankedHit
	for i := range parts {
		p := &parts[i]
		p.s.Close()
		if p.err != nil {
			return nil, p.err
		}
		out.Total += p.total
		best = append(best, p.best...)
		if i > 0 && cnt != nil {
			cnt.merge(p.cnt)
		}
	}
	if cnt != nil {
		out.Facets = cnt.result(x.cols, x.field)
	}
	slices.SortFunc(best, func(a, b rankedHit) int {
		switch {
		case a.better(b):
			return -1
		case b.better(a):
			return 1
		}
		return 0
	})
	if offset >= len(best) {
		return out, nil
	}
	best = best[offset:min(len(best), offset+limit)]
	iid := make(index.IndexInternalID, 8)
	for _, h := range best {
		binary.BigEndian.PutUint64(iid, h.num)
		ext, err := snap.ExternalID(iid)
		if err != nil {
			return nil, err
		}
		out.IDs = append(out.IDs, ext)
	}
	return out, nil
}

// scoredPart is the search of one range of document numbers, lo to hi.
type scoredPart struct {
	s      bsearch.Searcher
	lo, hi uint64
	keep   int
	cnt    *counter

	total int
	best  []rankedHit // a heap, worst on top, of at most keep hits
	err   error
}

// checkEvery is how many hits a part scores between looks at whether the
// search was cancelled.
const checkEvery = 1024

func (p *scoredPart) run(ctx context.Context) {
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(p.s.DocumentMatchPoolSize()+1, 0)}
	var d *bsearch.DocumentMatch
	var err error
	if p.lo > 0 {
		lo := make(index.IndexInternalID, 8)
		binary.BigEndian.PutUint64(lo, p.lo)
		d, err = p.s.Advance(sctx, lo)
	} else {
		d, err = p.s.Next(sctx)
	}
	for ; err == nil && d != nil; d, err = p.s.Next(sctx) {
		if p.total%checkEvery == 0 {
			if err = ctx.Err(); err != nil {
				break
			}
		}
		if len(d.IndexInternalID) != 8 {
			err = fmt.Errorf("unexpected internal id %x", d.IndexInternalID)
			break
		}
		num := binary.BigEndian.Uint64(d.IndexInternalID)
		if num >= p.hi {
			break
		}
		p.total++
		if p.cnt != nil {
			p.cnt.add(d.IndexInternalID)
		}
		p.offer(rankedHit{d.Score, num})
		sctx.DocumentMatchPool.Put(d)
	}
	p.err = err
}

// offer keeps h if it is among the best keep hits seen.
func (p *scoredPart) offer(h rankedHit) {
	if p.keep <= 0 {
		return
	}
	if len(p.best) < p.keep {
		p.best = append(p.best, h)
		p.up(len(p.best) - 1)
		return
	}
	if !h.better(p.best[0]) {
		return
	}
	p.best[0] = h
	p.down(0)
}

// The heap keeps its worst hit at 0.
func (p *scoredPart) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !p.best[parent].better(p.best[i]) {
			return
		}
		p.best[parent], p.best[i] = p.best[i], p.best[parent]
		i = parent
	}
}

func (p *scoredPart) down(i int) {
	n := len(p.best)
	for {
		worst := i
		for _, c := range []int{2*i + 1, 2*i + 2} {
			if c < n && p.best[worst].better(p.best[c]) {
				worst = c
			}
		}
		if worst == i {
			return
		}
		p.best[i], p.best[worst] = p.best[worst], p.best[i]
		i = worst
	}
}
