package fast

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
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

// Builder is Bleve's offline index builder with the documents mapped and
// analysed on other goroutines, and the work cut in parts, one per core.
// Bleve's own builder maps, analyses and writes segments on the caller's
// goroutine, and ends by merging them all into one segment on one core: a
// million records spent 12 of their 125 s there with the other core idle.
// Here the analysis of the next documents overlaps the writing of the last
// ones, each part is built by a Bleve builder of its own and merged on a
// core of its own, and the index is left with a segment per part (see
// joinParts).
type Builder struct {
	mapper *Mapper
	segs   string // the interim segments' directory
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
	n   int
	doc func(i int) (id string, fields map[string]interface{})
	out chan []index.Document
}

// The offline builder's settings: documents per segment it writes, and
// segments merged at once when it finishes. Analysed documents are bulky:
// at 5,000 per segment a bulk load peaked at 600 MB, at 3,000 at 420 MB
// for the same speed, at 2,000 at 340 MB but a quarter slower (more
// merging). Each part of a build merges all its segments at the end (167
// a part at a million records in two parts), in groups (see
// mergeInGroups), so each document is merged twice rather than three or
// four times by 20 at a time; the pages the merges read are released as
// they go (see releasingZap), so mapping them all costs no memory.
const (
	buildBatch    = 3000
	buildMergeMax = 100000
)

// NewBuilder starts a build of the index at path, laid out as
// bleve.NewBuilder would lay it out for m, its interim segments in a
// directory beside it.
func NewBuilder(path string, m *mapping.IndexMappingImpl, o Options) (*Builder, error) {
	mapper, err := NewMapper(m)
	if err != nil {
		return nil, err
	}
	segs, err := filepath.Abs(path + ".segments")
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(segs); err != nil {
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			os.RemoveAll(segs)
		}
	}()
	for _, p := range []string{path, segs} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, err
		}
	}
	// The layout bleve.Open expects: the index metadata, and the scorch
	// store with the mapping in its internal storage.
	meta := []byte(`{"storage":"scorch","index_type":"scorch"}`)
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), meta, 0o600); err != nil {
		return nil, err
	}
	mb, err := util.MarshalJSON(m)
	if err != nil {
		return nil, err
	}
	b := &Builder{mapper: mapper, segs: segs, jobs: make(chan buildJob)}
	for k := range o.parts() {
		store := filepath.Join(path, "store")
		if k > 0 {
			// Moved into the first part's store when done.
			store = filepath.Join(segs, fmt.Sprintf("part%d", k))
		}
		config := map[string]interface{}{
			"path":      store,
			"internal":  map[string][]byte{string(util.MappingInternalKey): mb},
			"batchSize": o.batch(),
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
	started = true
	buildDirs.Store(segs, o)
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

// Add queues n documents for indexing: doc(i) returns the id and fields of
// the ith, as a mapping takes them, and is called on another goroutine. It
// fails once a writer has failed.
func (b *Builder) Add(n int, doc func(i int) (id string, fields map[string]interface{})) error {
	if err := b.fault(); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	j := buildJob{n: n, doc: doc, out: make(chan []index.Document, 1)}
	b.jobs <- j
	p := b.parts[b.next]
	b.next = (b.next + 1) % len(b.parts)
	p.docs += n
	p.order <- j
	return nil
}

// fault is the first error of a writer, if one has failed.
func (b *Builder) fault() error {
	if err := b.err.Load(); err != nil {
		return *err
	}
	return nil
}

// Close waits for the queued documents and, when finish, finishes the
// index (merging its segments; Bleve cannot finish an empty one). The
// interim segments are gone when it returns.
func (b *Builder) Close(finish bool) error {
	defer func() {
		buildDirs.Delete(b.segs)
		os.RemoveAll(b.segs)
	}()
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
		return errors.New("fast: build: nothing to finish")
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

func (b *Builder) analyse() {
	defer b.wg.Done()
	buf := newTermBuffer()
	for j := range b.jobs {
		out := make([]index.Document, 0, j.n)
		for i := range j.n {
			id, fields := j.doc(i)
			doc, err := b.mapper.document(id, fields, buf)
			if err != nil {
				out = append(out, failedDoc{doc, fmt.Errorf("index %s: %w", id, err)})
				continue
			}
			out = append(out, doc)
		}
		j.out <- out
	}
}

func (b *Builder) write(p *buildPart) {
	defer b.writes.Done()
	for j := range p.order {
		docs := <-j.out
		if b.err.Load() != nil {
			continue // drain, so Add never blocks
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

// Segments are the files of the segments a build laid out in the index at
// path, read from its root, to call before the index is ever opened: once
// open, Bleve's merger may fold them into fewer at any time.
func Segments(path string) ([]string, error) {
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
		panic("fast: segment id out of range")
	}
	return []byte{zero + byte(id)}
}

// Mapper makes the documents of a build as a mapping would, analysed,
// without its walk of the fields by reflection: a fifth of the analysis
// time of a build. TestBuildFieldsMatchMapping (in package search) checks
// that the two agree.
type Mapper struct {
	fields map[string]fieldSpec
}

// fieldSpec is how the mapping indexes one field.
type fieldSpec struct {
	options  index.FieldIndexingOptions
	analyzer analysis.Analyzer
	cutter   termCutter // the analyzer, when it cuts terms itself
	keyword  bool       // each value one term, as it is
}

// termCutter is an analyzer that hands out the terms of a text one by one,
// each with a string key of the same bytes, rather than a token stream:
// the builder counts them as they are cut.
type termCutter interface {
	EachTerm(text string, fn func(term []byte, key string))
}

// NewMapper reads from m how each field is indexed. Every field must be
// text, analysed or a keyword, without term vectors: a field of another
// kind would need building here too, and fails.
func NewMapper(m *mapping.IndexMappingImpl) (*Mapper, error) {
	out := map[string]fieldSpec{}
	for name, dm := range m.DefaultMapping.Properties {
		if !dm.Enabled {
			continue // _all
		}
		if len(dm.Fields) != 1 || dm.Fields[0].Type != "text" || dm.Fields[0].IncludeTermVectors {
			return nil, fmt.Errorf("fast: field %s: only one text field per name, without term vectors, is built directly", name)
		}
		fm := dm.Fields[0]
		spec := fieldSpec{options: fm.Options(), analyzer: m.AnalyzerNamed(fm.Analyzer), keyword: fm.Analyzer == keyword.Name}
		if spec.analyzer == nil {
			return nil, fmt.Errorf("fast: field %s: analyzer %q not found", name, fm.Analyzer)
		}
		spec.cutter, _ = spec.analyzer.(termCutter)
		out[name] = spec
	}
	return &Mapper{fields: out}, nil
}

// Document makes the document of id with fields, each a string or a slice
// of strings, as the mapping would make it, analysed.
func (mp *Mapper) Document(id string, fields map[string]interface{}) (*document.Document, error) {
	buf := termBuffers.Get().(*termBuffer)
	defer termBuffers.Put(buf)
	return mp.document(id, fields, buf)
}

// termBuffers serve Document: its documents share slabs as a build's do
// (a slab is never handed out twice, so any buffer will do).
var termBuffers = sync.Pool{New: func() any { return newTermBuffer() }}

// termBuffer collects the terms of a field as an analyzer cuts them. It is
// made once per analysing goroutine and used field after field: what is
// handed to an analyzer's EachTerm, a call through an interface, lives on
// the heap, and a buffer made for each field (on the stack while the
// analyzer was called directly) made a build of 100,000 records allocate
// 3.9 GB instead of 2.5.
//
// It also hands out the memory of the fields it builds from slabs, as
// the fields of many documents in few allocations: a field and its terms'
// frequencies were three allocations of a document's hundred and fifty.
// The documents of a build live and die together (they are written to a
// segment a batch at a time), and so do the slabs they share.
type termBuffer struct {
	terms []termKey
	add   func(term []byte, key string)

	fields []builtField
	freqs  []index.TokenFreq
	bytes  []byte
}

type termKey struct {
	term []byte
	key  string
}

func newTermBuffer() *termBuffer {
	b := &termBuffer{terms: make([]termKey, 0, 64)}
	b.add = func(term []byte, key string) { b.terms = append(b.terms, termKey{term, key}) }
	return b
}

// The slabs' sizes, in fields, frequencies and bytes: a hundred documents'
// worth or so.
const (
	slabFields = 1024
	slabFreqs  = 4096
	slabBytes  = 8192
)

// field is a new, zero field.
func (b *termBuffer) field() *builtField {
	if len(b.fields) == 0 {
		b.fields = make([]builtField, slabFields)
	}
	f := &b.fields[0]
	b.fields = b.fields[1:]
	return f
}

// freqSlice is an empty slice with room for n frequencies.
func (b *termBuffer) freqSlice(n int) []index.TokenFreq {
	if n > len(b.freqs) {
		b.freqs = make([]index.TokenFreq, max(n, slabFreqs))
	}
	out := b.freqs[:0:n]
	b.freqs = b.freqs[n:]
	return out
}

// byteSlice is an empty slice with room for n bytes.
func (b *termBuffer) byteSlice(n int) []byte {
	if n > len(b.bytes) {
		b.bytes = make([]byte, max(n, slabBytes))
	}
	out := b.bytes[:0:n]
	b.bytes = b.bytes[n:]
	return out
}

func (mp *Mapper) document(id string, fields map[string]interface{}, buf *termBuffer) (*document.Document, error) {
	doc := document.NewDocument(id)
	for name, v := range fields {
		spec, ok := mp.fields[name]
		if !ok {
			return doc, fmt.Errorf("fast: field %s not in the mapping", name)
		}
		switch v := v.(type) {
		case string:
			doc.AddField(spec.field(name, buf, v))
		case []string:
			if len(v) > 0 {
				// One field of all the values' terms: what the segment
				// makes of several fields of one name (their terms and
				// lengths add up), without a field and a term map per
				// value (facet terms are eight or so).
				doc.AddField(spec.field(name, buf, v...))
			}
		default:
			return doc, fmt.Errorf("fast: field %s: %T not built directly", name, v)
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
func (spec fieldSpec) field(name string, buf *termBuffer, values ...string) *builtField {
	f := buf.field()
	f.name, f.options = name, spec.options
	if spec.keyword {
		// A keyword is its value, empty or not, as Bleve's single-token
		// tokenizer has it, and keyed by it.
		for _, v := range values {
			f.plain += len(v)
		}
		text := buf.byteSlice(f.plain)
		f.startCounting(buf, len(values))
		for _, v := range values {
			from := len(text)
			text = append(text, v...)
			f.count(v, text[from:len(text):len(text)], spec.options)
		}
		return f
	}
	// The terms of every value, each with its key.
	buf.terms = buf.terms[:0]
	for _, v := range values {
		f.plain += len(v)
		if spec.cutter != nil {
			spec.cutter.EachTerm(v, buf.add)
			continue
		}
		for _, t := range spec.analyzer.Analyze([]byte(v)) {
			buf.add(t.Term, string(t.Term))
		}
	}
	f.startCounting(buf, len(buf.terms))
	for _, t := range buf.terms {
		f.count(t.key, t.term, spec.options)
	}
	return f
}

// startCounting readies f for terms terms.
func (f *builtField) startCounting(buf *termBuffer, terms int) {
	f.freqs = make(index.TokenFrequencies, terms)
	f.made = buf.freqSlice(terms)
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
