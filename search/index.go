// Package search is Hondana's Bleve index: its mapping, Japanese analysis,
// indexing and queries. It returns record ids and facet counts; the
// database is the source of truth and the index can always be rebuilt from
// it. It imports nothing of Hondana's.
//
// The package itself uses Bleve's public API only. What is faster for
// depending on Bleve's internals (builds in parts, parallel searches,
// facet columns) lives behind one seam, package fast, and search falls
// back to the plain way wherever the fast one does not apply: so a Bleve
// upgrade that breaks the fast path makes the index slower, not wrong.
package search

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"

	"hondana/search/internal/fast"
)

// MappingVersion changes whenever the mapping or the analysis changes in a
// way that needs the documents indexed anew; an index of another version
// is rebuilt at start-up.
const MappingVersion = 9

// DirName is the index directory inside the data directory.
const DirName = "index.bleve"

var (
	keyVersion = []byte("hondana_mapping_version")
	keySeq     = []byte("hondana_seq")
	keyStale   = []byte("hondana_stale") // see MarkStale
)

// ErrNeedsRebuild means the index on disk cannot be used as it is: it is
// missing, unreadable, of another mapping version or marked stale.
var ErrNeedsRebuild = errors.New("search: index needs a rebuild")

// ErrWriteFailed means a change could not be written to the index (the
// disk is full, say). The open index must not be used after it: Bleve
// closes the segment of the failed batch although the index in memory
// already holds it, and the next read of that segment panics. Close the
// index and Open it again: it opens as the last batch written left it,
// and the change can be applied again once the disk takes it.
var ErrWriteFailed = errors.New("index write failed")

// ErrReadOnly refuses a change to an index opened read-only.
var ErrReadOnly = errors.New("search: index opened read-only")

// Doc is a record as the index sees it.
type Doc struct {
	ID    int64
	Title string // title, subtitle and volume
	// MainTitle is the title alone, without subtitle and volume, when
	// it is not all of Title: a patron who types it typed the exact
	// title too.
	MainTitle     string
	TitleYomi     string
	Authors       []string
	AuthorsYomi   []string
	Publisher     string
	PublisherYomi string
	Series        string
	SeriesYomi    string
	Subjects      []string
	Other         []string // description and anything else worth finding
	// ISBN-13: a query of an ISBN-10 is turned into its ISBN-13 first
	// (isbn.Normalize), so the index holds only the one form.
	ISBN         string
	NDC          string
	MaterialType string
	Year         int
	Branches     []string // branches holding a copy
	Available    []string // branches with a copy on the shelf
	Acquired     string   // YYYY-MM-DD of the newest copy
	// SortKey is the title reading (the title when it has none): "sort
	// by title" sorts by its Key, which ignores brackets and quotes.
	SortKey string
	// Loans counts the record's loans (anonymously, ever): among hits
	// that match alike, the one more patrons borrowed comes first.
	Loans int
}

// Options tune how an index is built and opened; the zero value is the
// defaults.
type Options struct {
	// AroundBuild, when set, is called as a build begins, and the function
	// it returns as the build ends. A build allocates a few hundred
	// megabytes a second: the code that owns the process relaxes the
	// garbage collector there, a setting of the whole process that search
	// leaves alone.
	AroundBuild func() (done func())
	// Log is told when the fast path is given up for Bleve's plain one
	// (nil: slog.Default()).
	Log *slog.Logger
	// Plain builds and searches with Bleve's public API alone, without
	// the fast path (package fast): several times slower to build and to
	// count facets, the same answers.
	Plain bool
	// ReadOnly opens the index without writing anything to its
	// directory (no merges, no changes: Apply answers ErrReadOnly), for
	// a disk that takes no writes.
	ReadOnly bool

	// How the fast path cuts its work, for tests to vary; zero is the
	// tuned defaults.
	fast fast.Options
	// afterFastBuild, for tests, is called with the index a fast build
	// laid out, before it is first opened and its documents counted.
	afterFastBuild func(path string)
}

func (o Options) log() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.Default()
}

// Index is the open Bleve index.
type Index struct {
	bi    bleve.Index
	mu    sync.Mutex // serialises writers
	seq   atomic.Int64
	gen   atomic.Int64 // bumped on every change, invalidates cached facets
	cache *facetCache
	// fast is the fast path of the index: parallel searches and facets
	// counted from columns; nil, searches go through Bleve's public API.
	fast *fast.Index

	readOnly bool
	broken   atomic.Bool // a write failed: see ErrWriteFailed
	closed   atomic.Bool
}

// runtimeConfig is how the index is opened: another process holding it
// must not make us hang forever.
func runtimeConfig(readOnly bool) map[string]interface{} {
	c := map[string]interface{}{"bolt_timeout": "5s"}
	if readOnly {
		c["read_only"] = true
	}
	return c
}

// Open opens the index in dir. It returns ErrNeedsRebuild when there is no
// usable index of the current mapping version; the caller then calls Build.
func Open(dir string, opts Options) (*Index, error) {
	path := filepath.Join(dir, DirName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNeedsRebuild, err)
	}
	config := runtimeConfig(opts.ReadOnly)
	if !opts.Plain {
		maps.Copy(config, fast.OpenConfig())
	}
	bi, err := bleve.OpenUsing(path, config)
	if err != nil {
		if strings.Contains(err.Error(), "timeout") {
			return nil, fmt.Errorf("search: the index at %s is in use by another process (is the server running?): %w", path, err)
		}
		return nil, fmt.Errorf("%w: open: %v", ErrNeedsRebuild, err)
	}
	v, err := bi.GetInternal(keyVersion)
	if err != nil || string(v) != strconv.Itoa(MappingVersion) {
		bi.Close()
		return nil, fmt.Errorf("%w: mapping version %q, want %d", ErrNeedsRebuild, v, MappingVersion)
	}
	if stale, err := bi.GetInternal(keyStale); err != nil || len(stale) > 0 {
		bi.Close()
		return nil, fmt.Errorf("%w: marked stale by a bulk load that did not finish (%v)", ErrNeedsRebuild, err)
	}
	ix := &Index{bi: bi, cache: newFacetCache(256), readOnly: opts.ReadOnly}
	s, err := bi.GetInternal(keySeq)
	if err != nil {
		bi.Close()
		return nil, fmt.Errorf("%w: read sequence: %v", ErrNeedsRebuild, err)
	}
	n, _ := strconv.ParseInt(string(s), 10, 64)
	ix.seq.Store(n)
	if !opts.Plain {
		if ix.fast, err = fast.Attach(bi, fFacet, opts.fast); err != nil {
			opts.log().Warn("search: no fast path for this index; searching with Bleve's public API alone", "err", err)
		}
	}
	return ix, nil
}

// FacetsReady reports whether the index has read what it needs to count
// facets as fast as it can (see fast.Index.FacetsReady); an index without
// the fast path has nothing to read. It starts nothing.
func (ix *Index) FacetsReady() bool {
	if ix.fast == nil {
		return !ix.closed.Load()
	}
	return ix.fast.FacetsReady()
}

// Built is an index built beside the one in use, not yet in its place.
type Built struct {
	dir  string
	opts Options // to open it with
}

// Install puts the built index in the place of the one in its directory
// and opens it. The index there must be closed first; a caller that serves
// searches holds them off for this short while (two renames and an open),
// not for the build. Should the new index not open, the old one is put
// back and an error returned.
func (b *Built) Install() (*Index, error) {
	path := filepath.Join(b.dir, DirName)
	old := path + ".old"
	if err := os.RemoveAll(old); err != nil {
		return nil, fmt.Errorf("search: install: %w", err)
	}
	hadOld := true
	if err := os.Rename(path, old); errors.Is(err, fs.ErrNotExist) {
		hadOld = false
	} else if err != nil {
		return nil, fmt.Errorf("search: install: %w", err)
	}
	putBack := func() {
		if hadOld {
			os.RemoveAll(path)
			os.Rename(old, path)
		}
	}
	if err := os.Rename(path+".new", path); err != nil {
		putBack()
		return nil, fmt.Errorf("search: install: %w", err)
	}
	ix, err := Open(b.dir, b.opts)
	if err != nil {
		putBack()
		return nil, fmt.Errorf("search: install: %w", err)
	}
	if err := os.RemoveAll(old); err != nil {
		ix.Close()
		return nil, fmt.Errorf("search: install: remove the old index: %w", err)
	}
	return ix, nil
}

// MarkStale records in the index, durably, that it is out of step with
// the database for good: Open reports ErrNeedsRebuild for it from now on.
// A bulk load, whose records are not queued, marks the index it leaves in
// use meanwhile, so that a process dying before the new one is installed
// finds it stale at the next start.
func (ix *Index) MarkStale() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.writable(); err != nil {
		return err
	}
	if err := ix.bi.SetInternal(keyStale, []byte("1")); err != nil {
		ix.broken.Store(true)
		return fmt.Errorf("search: mark stale: %w: %w", ErrWriteFailed, err)
	}
	return nil
}

// writable refuses a change to an index opened read-only, or broken by a
// write that failed (see ErrWriteFailed).
func (ix *Index) writable() error {
	switch {
	case ix.readOnly:
		return ErrReadOnly
	case ix.broken.Load():
		return fmt.Errorf("search: %w before: reopen the index", ErrWriteFailed)
	}
	return nil
}

// Close closes the index; closing it again does nothing.
func (ix *Index) Close() error {
	if !ix.closed.CompareAndSwap(false, true) {
		return nil
	}
	if ix.fast != nil {
		ix.fast.Detach()
	}
	return ix.bi.Close()
}

// Seq is the change sequence number the index reflects.
func (ix *Index) Seq() int64 { return ix.seq.Load() }

// Count is the number of documents in the index.
func (ix *Index) Count() (uint64, error) { return ix.bi.DocCount() }

func (ix *Index) setSeq(seq int64) error {
	if err := ix.bi.SetInternal(keySeq, []byte(strconv.FormatInt(seq, 10))); err != nil {
		return fmt.Errorf("search: store sequence: %w", err)
	}
	ix.seq.Store(seq)
	return nil
}

// Apply indexes docs, removes the deleted ids and, when seq > 0, records
// seq as applied, all in one batch.
func (ix *Index) Apply(docs []Doc, deleted []int64, seq int64) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.writable(); err != nil {
		return err
	}
	b := ix.bi.NewBatch()
	for i := range docs {
		if err := b.Index(strconv.FormatInt(docs[i].ID, 10), docs[i].fields()); err != nil {
			return fmt.Errorf("search: index %d: %w", docs[i].ID, err)
		}
	}
	for _, id := range deleted {
		b.Delete(strconv.FormatInt(id, 10))
	}
	if seq > 0 {
		b.SetInternal(keySeq, []byte(strconv.FormatInt(seq, 10)))
	}
	if err := ix.bi.Batch(b); err != nil {
		ix.broken.Store(true)
		return fmt.Errorf("search: apply batch: %w: %w", ErrWriteFailed, err)
	}
	if seq > 0 {
		ix.seq.Store(seq)
	}
	ix.gen.Add(1)
	return nil
}

// Field names in the index.
const (
	fTitle      = "title"
	fTitleYomi  = "title_yomi"
	fAuthor     = "author"
	fAuthorYomi = "author_yomi"
	fOther      = "other"
	fOtherYomi  = "other_yomi"
	fText       = "text"
	fExact      = "exact"      // titles, by Key: see xTitle
	fAuthorKey  = "author_key" // authors' names and readings, by Key
	fNames      = "names"      // publishers, series and subjects, by Key
	fISBN       = "isbn"
	fFacet      = "facet"
	fFilter     = "filter"
	fYear       = "year"
	fAcquired   = "acquired"
	fSort       = "sort"
)

// Facet terms share one keyword field, prefixed by facet, so counting
// them visits one field's doc values per hit instead of six. Filters are
// term queries on the same field. Terms only filters need (two NDC digits,
// availability at a branch) go to the filter field, which has no doc
// values, so facet counting never visits them.
const (
	pNDC1    = "n1:"
	pNDC2    = "n2:"
	pNDC3    = "n3:"
	pMType   = "m:"
	pBranch  = "b:"
	pAvail   = "a:"
	pAvailAt = "ab:" // filter field: a copy on the shelf at this branch
	pDecade  = "y:"
	pSample  = "s:" // filter field: the sample slice the record falls in
	// filter field: the decade as four digits, so that a range of years
	// takes whole decades at once (see yearFilter)
	pDecadeFilter = "d:"
	pNDCFull      = "nd:"  // filter field: every digit of an NDC of four and more
	pPopular      = "pop:" // filter field: a tier of loans, see popularTiers
)

// Three keyword fields hold the Key of every name a record answers to,
// for exact and prefix matches and for ranking: titles (exact, "t:"),
// authors (author_key, "a:"), and publishers, series and subjects
// (names, "p:", "s:", "j:"). Titles and authors have fields of their own
// because a keyword field's score is divided by the root of its number
// of terms: in one field, a work with a series and subjects ranked below
// one without for its exact title, by more than its loans could lift it.
const (
	xTitle     = "t:"
	xAuthor    = "a:"
	xPublisher = "p:"
	xSeries    = "s:"
	xSubject   = "j:"
)

// fieldOf is the keyword field that holds the names of a kind.
func fieldOf(kind string) string {
	switch kind {
	case xTitle:
		return fExact
	case xAuthor:
		return fAuthorKey
	}
	return fNames
}

// popularTiers are the loan counts from which a record has one more
// popularity term (cumulative: a record with 40 loans has pop:1, pop:2
// and pop:3), each adding a little to its score (see rankingQuery).
var popularTiers = []int{3, 10, 30, 100}

// Approximate facets count the hits in a sample of the catalogue: records
// fall into sampleSlices slices by their id, in runs of sampleRun ids, so
// a sample reads a few runs of neighbouring documents (doc values are
// stored and decompressed in chunks of neighbours) rather than a
// scattering across the whole index.
const (
	sampleSlices = 64
	sampleRun    = 1024
)

func sampleSlice(id int64) int { return int(id / sampleRun % sampleSlices) }

// fields flattens d into what Bleve indexes.
func (d *Doc) fields() map[string]interface{} {
	exact, sort := d.exactTerms()
	f := make(map[string]interface{}, 14)
	f[fTitle] = d.Title
	f[fSort] = sort
	f[fAcquired] = d.Acquired
	for i, terms := range exact {
		if len(terms) > 0 {
			f[exactFields[i]] = terms
		}
	}
	if d.TitleYomi != "" {
		f[fTitleYomi] = d.TitleYomi
	}
	if len(d.Authors) > 0 {
		f[fAuthor] = d.Authors
	}
	if len(d.AuthorsYomi) > 0 {
		f[fAuthorYomi] = d.AuthorsYomi
	}
	// Names (publisher, series, subjects) apart from their readings and
	// from the long text of descriptions: a word of kana is looked for
	// in readings with its kana together, and not in long text, where
	// its bigrams stand scattered by chance (くろひ found a collection of
	// songs whose notes held くろ and ろひ somewhere).
	other := make([]string, 0, 2+len(d.Subjects))
	for _, v := range [2]string{d.Publisher, d.Series} {
		if v != "" {
			other = append(other, v)
		}
	}
	if other = append(other, d.Subjects...); len(other) > 0 {
		f[fOther] = other
	}
	var otherYomi []string
	for _, v := range [2]string{d.PublisherYomi, d.SeriesYomi} {
		if v != "" {
			otherYomi = append(otherYomi, v)
		}
	}
	if len(otherYomi) > 0 {
		f[fOtherYomi] = otherYomi
	}
	if len(d.Other) > 0 {
		f[fText] = d.Other
	}
	if d.ISBN != "" {
		f[fISBN] = d.ISBN
	}
	facet := make([]string, 0, 6+len(d.Branches))
	filter := make([]string, 0, 4+len(d.Available))
	facet = append(facet, common.term(pMType, d.MaterialType))
	if n := ndcDigits(d.NDC); n != "" {
		facet = append(facet, common.term(pNDC1, n[:1]))
		if len(n) >= 2 {
			filter = append(filter, common.term(pNDC2, n[:2]))
		}
		if len(n) >= 3 {
			facet = append(facet, common.term(pNDC3, n[:3]))
		}
		if len(n) >= 4 {
			filter = append(filter, pNDCFull+n)
		}
	}
	if d.Year > 0 {
		f[fYear] = common.year("", d.Year)
		facet = append(facet, common.number(pDecade, d.Year/10*10))
		filter = append(filter, common.year(pDecadeFilter, d.Year/10*10))
	}
	for _, b := range d.Branches {
		facet = append(facet, common.term(pBranch, b))
	}
	if len(d.Available) > 0 {
		facet = append(facet, pAvail+"1")
		for _, b := range d.Available {
			filter = append(filter, common.term(pAvailAt, b))
		}
	} else {
		facet = append(facet, pAvail+"0")
	}
	for i, least := range popularTiers {
		if d.Loans >= least {
			filter = append(filter, common.number(pPopular, i+1))
		}
	}
	filter = append(filter, common.number(pSample, sampleSlice(d.ID)))
	f[fFacet] = facet
	f[fFilter] = filter
	return f
}

// exactTerms are the terms of the keyword fields of names, by field (in
// the order of exactFields): the Key of every title, name, publisher,
// series and subject of d, by kind, each once. sort is the Key of
// d.SortKey, taken from a title's term when it is the title.
func (d *Doc) exactTerms() (terms [3][]string, sort string) {
	sort = "\x00" // none yet
	var buf []byte
	add := func(field int, kind, s string) string {
		if s == "" {
			return ""
		}
		buf = appendKey(append(buf[:0], kind...), s)
		if len(buf) == len(kind) {
			return ""
		}
		for _, t := range terms[field] {
			if t == string(buf) {
				return t
			}
		}
		t := string(buf)
		terms[field] = append(terms[field], t)
		return t
	}
	if t := add(0, xTitle, d.MainTitle); d.SortKey == d.MainTitle {
		sort = strings.TrimPrefix(t, xTitle)
	}
	if t := add(0, xTitle, d.Title); d.SortKey == d.Title {
		sort = strings.TrimPrefix(t, xTitle)
	}
	for _, a := range d.Authors {
		add(1, xAuthor, a)
	}
	for _, a := range d.AuthorsYomi {
		add(1, xAuthor, a)
	}
	add(2, xPublisher, d.Publisher)
	add(2, xPublisher, d.PublisherYomi)
	add(2, xSeries, d.Series)
	add(2, xSeries, d.SeriesYomi)
	for _, s := range d.Subjects {
		add(2, xSubject, s)
	}
	if sort == "\x00" {
		sort = string(appendKey(buf[:0], d.SortKey))
	}
	return terms, sort
}

// exactFields are the fields of exactTerms, in its order.
var exactFields = [3]string{fExact, fAuthorKey, fNames}

// yearTerm is a year as the year field holds it: four digits, so that the
// terms sort as the years do. The field is a keyword, not a number: Bleve
// indexes a number as 16 prefix terms, a sixth of a record's terms and of
// the time to build the index, for a hundred-odd distinct years.
func yearTerm(y int) string { return string(appendYear(nil, y)) }

// appendYear appends yearTerm(y) to b.
func appendYear(b []byte, y int) []byte {
	y = min(max(y, 0), 9999)
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
}

// commonTerms are the facet and filter terms many records share (a
// branch, a decade, a year, an NDC class of up to three digits), each
// made once: a record has a dozen, and each was an allocation.
type commonTerms struct {
	mu    sync.RWMutex
	terms map[string]string
}

var common = commonTerms{terms: map[string]string{}}

// maxCommonTerms bounds the terms kept, should a catalogue have
// branches or material types by the thousand: beyond, terms are made
// anew each time.
const maxCommonTerms = 50000

// term is prefix+value, the same string each time.
func (c *commonTerms) term(prefix, value string) string {
	var buf [64]byte
	return c.of(append(append(buf[:0], prefix...), value...))
}

// number is prefix and n in decimal, the same string each time.
func (c *commonTerms) number(prefix string, n int) string {
	var buf [64]byte
	return c.of(strconv.AppendInt(append(buf[:0], prefix...), int64(n), 10))
}

// year is prefix and yearTerm(y), the same string each time.
func (c *commonTerms) year(prefix string, y int) string {
	var buf [64]byte
	return c.of(appendYear(append(buf[:0], prefix...), y))
}

// of is the string of b, the same string each time.
func (c *commonTerms) of(b []byte) string {
	c.mu.RLock()
	t, ok := c.terms[string(b)]
	c.mu.RUnlock()
	if ok {
		return t
	}
	t = string(b)
	c.mu.Lock()
	if len(c.terms) < maxCommonTerms {
		c.terms[t] = t
	}
	c.mu.Unlock()
	return t
}

// ndcDigits returns the leading digits of an NDC number ("913.6" → "9136").
func ndcDigits(ndc string) string {
	var b strings.Builder
	for _, r := range ndc {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.':
		default:
			return b.String()
		}
	}
	return b.String()
}

func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := registerAnalysis(m); err != nil {
		return nil, err
	}
	text := func(analyzer string) *mapping.FieldMapping {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = analyzer
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = false
		return fm
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		fm := bleve.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = docValues
		return fm
	}
	dm := bleve.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fTitle, text(AnalyzerTitle))
	dm.AddFieldMappingsAt(fTitleYomi, text(AnalyzerTitleReading))
	dm.AddFieldMappingsAt(fAuthorYomi, text(AnalyzerReading))
	dm.AddFieldMappingsAt(fOtherYomi, text(AnalyzerReading))
	for _, name := range []string{fAuthor, fOther, fText} {
		dm.AddFieldMappingsAt(name, text(AnalyzerIndex))
	}
	for _, name := range []string{fExact, fAuthorKey, fNames, fISBN, fFilter} {
		dm.AddFieldMappingsAt(name, kw(false))
	}
	for _, name := range []string{fFacet, fSort, fAcquired, fYear} {
		dm.AddFieldMappingsAt(name, kw(true))
	}
	// No _all field: every query names its fields.
	dm.AddSubDocumentMapping("_all", &mapping.DocumentMapping{Enabled: false})
	m.DefaultMapping = dm
	m.DefaultAnalyzer = keyword.Name
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}
