package search

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/util"
	index "github.com/blevesearch/bleve_index_api"
)

// builder is Bleve's offline index builder with the documents mapped and
// analysed on other goroutines, and the work cut in parts, one per core.
// Bleve's own builder maps, analyses and writes segments on the caller's
// goroutine, and ends by merging them all into one segment on one core: a
// million records spent 12 of their 125 s there with the other core idle.
// Here the analysis of the next documents overlaps the writing of the last
// ones, each part is built by a Bleve builder of its own and merged on a
// core of its own, and the index is left with a segment per part (see
// joinParts). At most four parts, as a search takes at most four ranges
// (maxParts).
type builder struct {
	fields map[string]fieldSpec
	parts  []*buildPart
	next   int                   // the part the next documents go to
	jobs   chan buildJob         // to the analysers
	err    atomic.Pointer[error] // the first error of a writer
	wg     sync.WaitGroup        // the analysers
	writes sync.WaitGroup        // the writers
}

// buildPart is one part of a build: every len(parts)th batch of the feed.
type buildPart struct {
	b     index.IndexBuilder
	store string        // where its index is laid out
	order chan buildJob // to its writer, in feed order
	docs  int
}

type buildJob struct {
	docs []Doc
	out  chan []index.Document
}

// parts is the number of parts of a build: one per core, at most four.
func (o Options) parts() int {
	if o.buildParts > 0 {
		return o.buildParts
	}
	return max(1, min(4, runtime.GOMAXPROCS(0)))
}

// newBuilder starts a builder writing the index at path, as
// bleve.NewBuilder would lay it out, and its interim segments under segs.
func newBuilder(path, segs string, m *mapping.IndexMappingImpl, opts Options) (*builder, error) {
	for _, p := range []string{path, segs} {
		if err := os.MkdirAll(p, 0o750); err != nil {
			return nil, err
		}
	}
	// The layout bleve.Open expects: the index metadata, and the scorch
	// store with the mapping in its internal storage.
	meta := []byte(`{"storage":"scorch","index_type":"scorch"}`)
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), meta, 0o640); err != nil {
		return nil, err
	}
	mb, err := util.MarshalJSON(m)
	if err != nil {
		return nil, err
	}
	fields, err := fieldSpecs(m)
	if err != nil {
		return nil, err
	}
	b := &builder{fields: fields, jobs: make(chan buildJob)}
	for k := range opts.parts() {
		store := filepath.Join(path, "store")
		if k > 0 {
			// Moved into the first part's store when done.
			store = filepath.Join(segs, fmt.Sprintf("part%d", k))
		}
		config := map[string]interface{}{
			"path":      store,
			"internal":  map[string][]byte{string(util.MappingInternalKey): mb},
			"batchSize": opts.batch(),
			"mergeMax":  buildMergeMax,
			// Interim segments go next to the index, not to /tmp.
			"buildPathPrefix": segs,
		}
		for k, v := range segmentFormat {
			config[k] = v
		}
		sb, err := scorch.NewBuilder(config)
		if err != nil {
			return nil, err
		}
		b.parts = append(b.parts, &buildPart{b: sb, store: store, order: make(chan buildJob, 1)})
	}
	for range max(1, min(2, runtime.GOMAXPROCS(0))) {
		b.wg.Add(1)
		go b.analyse()
	}
	for _, p := range b.parts {
		b.writes.Add(1)
		go b.write(p)
	}
	return b, nil
}

// add queues docs for indexing; it fails once a writer has failed.
func (b *builder) add(docs []Doc) error {
	if err := b.fault(); err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	j := buildJob{docs: docs, out: make(chan []index.Document, 1)}
	b.jobs <- j
	p := b.parts[b.next]
	b.next = (b.next + 1) % len(b.parts)
	p.docs += len(docs)
	p.order <- j
	return nil
}

// fault is the first error of a writer, if one has failed.
func (b *builder) fault() error {
	if err := b.err.Load(); err != nil {
		return *err
	}
	return nil
}

// close waits for the queued documents and, when finish, finishes the
// index (merging its segments; Bleve cannot finish an empty one).
func (b *builder) close(finish bool) error {
	close(b.jobs)
	for _, p := range b.parts {
		close(p.order)
	}
	b.writes.Wait()
	b.wg.Wait()
	if err := b.fault(); err != nil || !finish {
		return err
	}
	// The segments are written and the documents analysed: hand the
	// garbage back to the system before the final merges map every
	// segment into memory, so that the two do not add up to the peak.
	debug.FreeOSMemory()
	var built []*buildPart // parts with documents: the first ones
	for _, p := range b.parts {
		if p.docs > 0 {
			built = append(built, p)
		}
	}
	if len(built) == 0 {
		return errors.New("search: build: nothing to finish")
	}
	errs := make([]error, len(built))
	var wg sync.WaitGroup
	for i, p := range built {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.b.Close()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	others := make([]string, 0, len(built))
	for _, p := range built[1:] {
		others = append(others, p.store)
	}
	return joinParts(built[0].store, others)
}

func (b *builder) analyse() {
	defer b.wg.Done()
	for j := range b.jobs {
		out := make([]index.Document, 0, len(j.docs))
		for i := range j.docs {
			doc, err := b.document(&j.docs[i])
			if err != nil {
				out = append(out, failedDoc{doc, fmt.Errorf("index %d: %w", j.docs[i].ID, err)})
				continue
			}
			out = append(out, doc)
		}
		j.out <- out
	}
}

func (b *builder) write(p *buildPart) {
	defer b.writes.Done()
	for j := range p.order {
		docs := <-j.out
		if b.err.Load() != nil {
			continue // drain, so add never blocks
		}
		for _, d := range docs {
			var err error
			if f, ok := d.(failedDoc); ok {
				err = f.err
			} else {
				err = p.b.Index(d)
			}
			if err != nil {
				b.err.CompareAndSwap(nil, &err)
				break
			}
		}
	}
}

// joinParts makes one index of the parts of a build, each laid out by
// Bleve's builder as an index of one segment: the segment of each store of
// others moves into store and is listed in its root beside store's own.
// Bleve has no call for this; the root is the one Bleve's builder wrote,
// with a segment entry added as Bleve's persister writes one (the file's
// name under the segment's id). TestBuildShapesAnswerAlike checks that the
// joined index holds every document once and answers as one built whole.
func joinParts(store string, others []string) error {
	if len(others) == 0 {
		return nil
	}
	root, err := util.OpenBolt(filepath.Join(store, "root.bolt"), 0o600, nil)
	if err != nil {
		return err
	}
	err = root.Update(func(tx *util.BoltTxImpl) error {
		snap, err := builtSnapshot(tx)
		if err != nil {
			return err
		}
		// The builder's one segment: file 2, listed under id 0.
		first := segmentFile(builtSegmentFile)
		if listed := listedSegments(snap); !slices.Equal(listed, []string{first}) {
			return fmt.Errorf("the built root lists segments %q, not %s alone", listed, first)
		}
		for i, other := range others {
			id := builtSegmentFile + 1 + uint64(i)
			name := segmentFile(id)
			if err := os.Rename(filepath.Join(other, first), filepath.Join(store, name)); err != nil {
				return err
			}
			seg, err := snap.CreateBucketIfNotExists(segmentKey(id))
			if err != nil {
				return err
			}
			if err := seg.Put(util.BoltPathKey, []byte(name), nil); err != nil {
				return err
			}
		}
		return nil
	})
	return errors.Join(err, root.Close())
}

// builtSnapshot is the one snapshot in the root Bleve's builder wrote.
func builtSnapshot(tx *util.BoltTxImpl) (*util.BoltBucketImpl, error) {
	snaps := tx.Bucket(util.BoltSnapshotsBucket)
	if snaps == nil {
		return nil, errors.New("no snapshots in the built root")
	}
	epoch, _ := snaps.Cursor().First()
	snap := snaps.GetBucket(epoch)
	if snap == nil {
		return nil, errors.New("no snapshot in the built root")
	}
	return snap, nil
}

// listedSegments are the files of the segments snap lists, by id.
func listedSegments(snap *util.BoltBucketImpl) []string {
	var listed []string
	c := snap.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if k[0] != util.BoltInternalKey[0] && k[0] != util.BoltMetaDataKey[0] {
			if seg := snap.GetBucket(k); seg != nil {
				listed = append(listed, string(seg.Bucket.Get(util.BoltPathKey)))
			}
		}
	}
	return listed
}

// builtSegments are the files of the segments a build laid out in the
// index at path, read from its root before it is ever opened: once open,
// Bleve's merger may fold them into fewer at any time.
func builtSegments(path string) ([]string, error) {
	root, err := util.OpenBolt(filepath.Join(path, "store", "root.bolt"), 0o600, nil)
	if err != nil {
		return nil, err
	}
	var listed []string
	err = root.View(func(tx *util.BoltTxImpl) error {
		snap, err := builtSnapshot(tx)
		if err == nil {
			listed = listedSegments(snap)
		}
		return err
	})
	return listed, errors.Join(err, root.Close())
}

// builtSegmentFile is the number in the file name of the one segment of an
// index Bleve's builder lays out (its id in the root is 0).
const builtSegmentFile = 2

// segmentFile is the file name scorch gives the segment of id.
func segmentFile(id uint64) string { return fmt.Sprintf("%012x.zap", id) }

// segmentKey is the key of a segment's entry in a scorch root: its id in
// the order-preserving varint scorch uses, in one byte for the few ids a
// build has.
func segmentKey(id uint64) []byte {
	const zero, small = 136, 109
	if id > small {
		panic("search: segment id out of range")
	}
	return []byte{zero + byte(id)}
}

// fieldSpec is how the mapping indexes one field.
type fieldSpec struct {
	options  index.FieldIndexingOptions
	analyzer analysis.Analyzer
	keyword  bool // each value one term, as it is
}

// fieldSpecs reads from m how each field of Doc.fields is indexed. Every
// field is text, analysed or a keyword, without term vectors; a field of
// another kind would need building here too.
func fieldSpecs(m *mapping.IndexMappingImpl) (map[string]fieldSpec, error) {
	out := map[string]fieldSpec{}
	for name, dm := range m.DefaultMapping.Properties {
		if !dm.Enabled {
			continue // _all
		}
		if len(dm.Fields) != 1 || dm.Fields[0].Type != "text" || dm.Fields[0].IncludeTermVectors {
			return nil, fmt.Errorf("search: field %s: only one text field per name, without term vectors, is built directly", name)
		}
		fm := dm.Fields[0]
		spec := fieldSpec{options: fm.Options(), analyzer: m.AnalyzerNamed(fm.Analyzer), keyword: fm.Analyzer == keyword.Name}
		if spec.analyzer == nil {
			return nil, fmt.Errorf("search: field %s: analyzer %q not found", name, fm.Analyzer)
		}
		out[name] = spec
	}
	return out, nil
}

// document makes d's document with the fields the mapping would give it,
// analysed, without the mapping's walk of d.fields() by reflection: a
// fifth of the analysis time of a build. TestBuildFieldsMatchMapping
// checks that the two agree.
func (b *builder) document(d *Doc) (*document.Document, error) {
	doc := document.NewDocument(strconv.FormatInt(d.ID, 10))
	for name, v := range d.fields() {
		spec, ok := b.fields[name]
		if !ok {
			return doc, fmt.Errorf("search: field %s not in the mapping", name)
		}
		switch v := v.(type) {
		case string:
			doc.AddField(spec.field(name, v))
		case []string:
			if len(v) > 0 {
				// One field of all the values' terms: what the segment
				// makes of several fields of one name (their terms and
				// lengths add up), without a field and a term map per
				// value (facet terms are eight or so).
				doc.AddField(spec.field(name, v...))
			}
		default:
			return doc, fmt.Errorf("search: field %s: %T not built directly", name, v)
		}
	}
	doc.SetIndexed()
	return doc, nil
}

// field analyses values of the field name into a field of a built
// document. Bleve's text field keeps its value and counts the terms into a
// map at Analyze, with a token, a string key and a frequency allocated per
// term: a fifth of all a build allocated, and as much again collecting
// them. Here the terms are counted as they are cut, keyed by parts of one
// string of the folded text, their frequencies allocated together.
func (spec fieldSpec) field(name string, values ...string) *builtField {
	f := &builtField{name: name, options: spec.options}
	if spec.keyword {
		// A keyword is its value, empty or not, as Bleve's single-token
		// tokenizer has it, and keyed by it.
		for _, v := range values {
			f.plain += len(v)
		}
		buf := make([]byte, 0, f.plain)
		f.startCounting(len(values))
		for _, v := range values {
			from := len(buf)
			buf = append(buf, v...)
			f.count(v, buf[from:len(buf):len(buf)], spec.options)
		}
		return f
	}
	// The terms of every value, each with its key.
	type termKey struct {
		term []byte
		key  string
	}
	var room [64]termKey
	terms := room[:0]
	add := func(term []byte, key string) { terms = append(terms, termKey{term, key}) }
	ja, fast := spec.analyzer.(jaAnalyzer)
	for _, v := range values {
		f.plain += len(v)
		if fast {
			ja.eachTerm(v, add)
			continue
		}
		for _, t := range spec.analyzer.Analyze([]byte(v)) {
			add(t.Term, string(t.Term))
		}
	}
	f.startCounting(len(terms))
	for _, t := range terms {
		f.count(t.key, t.term, spec.options)
	}
	return f
}

// startCounting readies f for terms terms.
func (f *builtField) startCounting(terms int) {
	f.freqs = make(index.TokenFrequencies, terms)
	f.made = make([]index.TokenFreq, 0, terms)
}

// count counts one occurrence of term, keyed by key (the same bytes).
func (f *builtField) count(key string, term []byte, options index.FieldIndexingOptions) {
	f.length++
	tf, ok := f.freqs[key]
	if !ok {
		f.made = append(f.made, index.TokenFreq{Term: term})
		tf = &f.made[len(f.made)-1]
		f.freqs[key] = tf
	}
	if !options.SkipFreqNorm() {
		tf.SetFrequency(tf.Frequency() + 1)
	}
}

// builtField is a text field analysed when made (see fieldSpec.field).
// Its value is not kept: no field of the index is stored.
type builtField struct {
	name    string
	options index.FieldIndexingOptions
	plain   int // bytes of text
	length  int // terms
	freqs   index.TokenFrequencies
	made    []index.TokenFreq // what freqs points to
}

func (f *builtField) Name() string                                     { return f.name }
func (f *builtField) ArrayPositions() []uint64                         { return nil }
func (f *builtField) Options() index.FieldIndexingOptions              { return f.options }
func (f *builtField) Analyze()                                         {}
func (f *builtField) Value() []byte                                    { return nil }
func (f *builtField) NumPlainTextBytes() uint64                        { return uint64(f.plain) }
func (f *builtField) Size() int                                        { return 64 + len(f.name) + 48*len(f.freqs) }
func (f *builtField) EncodedFieldType() byte                           { return 't' }
func (f *builtField) AnalyzedLength() int                              { return f.length }
func (f *builtField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

// failedDoc carries a mapping error to the writer, in feed order.
type failedDoc struct {
	*document.Document
	err error
}
