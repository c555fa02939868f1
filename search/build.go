package search

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/util"
	index "github.com/blevesearch/bleve_index_api"
)

// builder is Bleve's offline index builder with the documents mapped and
// analysed on other goroutines. Bleve's own builder maps, analyses and
// writes segments on the caller's goroutine, one core in all; here the
// analysis of the next documents overlaps the writing of the last ones.
type builder struct {
	fields map[string]fieldSpec
	b      index.IndexBuilder
	jobs   chan buildJob // to the analysers
	order  chan buildJob // to the segment writer, in feed order
	done   chan struct{}
	err    error       // the writer's first error
	failed atomic.Bool // set once err is
	wg     sync.WaitGroup
}

type buildJob struct {
	docs []Doc
	out  chan []index.Document
}

// newBuilder starts a builder writing the index at path, as
// bleve.NewBuilder would lay it out, and its interim segments under segs.
func newBuilder(path, segs string, m *mapping.IndexMappingImpl) (*builder, error) {
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
	config := map[string]interface{}{
		"path":      filepath.Join(path, "store"),
		"internal":  map[string][]byte{string(util.MappingInternalKey): mb},
		"batchSize": buildBatch,
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
	fields, err := fieldSpecs(m)
	if err != nil {
		return nil, err
	}
	b := &builder{fields: fields, b: sb, jobs: make(chan buildJob), order: make(chan buildJob), done: make(chan struct{})}
	for range max(1, min(2, runtime.GOMAXPROCS(0))) {
		b.wg.Add(1)
		go b.analyse()
	}
	go b.write()
	return b, nil
}

// add queues docs for indexing; it fails once the writer has failed.
func (b *builder) add(docs []Doc) error {
	if b.failed.Load() {
		return b.err
	}
	j := buildJob{docs: docs, out: make(chan []index.Document, 1)}
	b.jobs <- j
	b.order <- j
	return nil
}

// close waits for the queued documents and, when finish, finishes the
// index (merging its segments; Bleve cannot finish an empty one).
func (b *builder) close(finish bool) error {
	close(b.jobs)
	close(b.order)
	<-b.done
	b.wg.Wait()
	if b.err != nil || !finish {
		return b.err
	}
	// The segments are written and the documents analysed: hand the
	// garbage back to the system before the final merge maps every
	// segment into memory, so that the two do not add up to the peak.
	debug.FreeOSMemory()
	return b.b.Close()
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
			doc.VisitFields(func(f index.Field) {
				if f.Options().IsIndexed() {
					f.Analyze()
				}
			})
			out = append(out, analysedDoc{doc})
		}
		j.out <- out
	}
}

func (b *builder) write() {
	defer close(b.done)
	for j := range b.order {
		docs := <-j.out
		if b.err != nil {
			continue // drain, so add never blocks
		}
		for _, d := range docs {
			var err error
			if f, ok := d.(failedDoc); ok {
				err = f.err
			} else {
				err = b.b.Index(d)
			}
			if err != nil {
				b.err = err
				b.failed.Store(true)
				break
			}
		}
	}
}

// A build allocates a few hundred megabytes a second, nearly all of it
// garbage within the second, and the collector was a tenth of its CPU.
// While one runs, the heap may grow to three times what is live instead
// of two, within a soft limit of buildMemory above the heap live when the
// first build began: a million records then peak at about 420 MB resident
// instead of 340 MB, a tenth faster. A GOGC or GOMEMLIMIT the process was
// given, if higher or set, is kept.
const (
	buildGCPercent = 200
	buildMemory    = 380 << 20
)

var buildGC struct {
	sync.Mutex
	running int   // builds running
	percent int   // the settings to restore when the last one ends
	limit   int64 // (math.MaxInt64: none)
}

// relaxGC applies the build's collector settings until restore is called.
func relaxGC() (restore func()) {
	buildGC.Lock()
	defer buildGC.Unlock()
	if buildGC.running == 0 {
		buildGC.percent = debug.SetGCPercent(buildGCPercent)
		if buildGC.percent < 0 || buildGC.percent > buildGCPercent {
			debug.SetGCPercent(buildGC.percent) // off, or already laxer
		}
		buildGC.limit = debug.SetMemoryLimit(-1)
		if buildGC.limit == math.MaxInt64 {
			debug.SetMemoryLimit(liveHeap() + buildMemory)
		}
	}
	buildGC.running++
	return func() {
		buildGC.Lock()
		defer buildGC.Unlock()
		if buildGC.running--; buildGC.running == 0 {
			debug.SetGCPercent(buildGC.percent)
			debug.SetMemoryLimit(buildGC.limit)
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

// fieldSpec is how the mapping indexes one field.
type fieldSpec struct {
	options  index.FieldIndexingOptions
	analyzer analysis.Analyzer
}

// fieldSpecs reads from m how each field of Doc.fields is indexed. Every
// field is text, analysed or a keyword; a field of another type would need
// building here too.
func fieldSpecs(m *mapping.IndexMappingImpl) (map[string]fieldSpec, error) {
	out := map[string]fieldSpec{}
	for name, dm := range m.DefaultMapping.Properties {
		if !dm.Enabled {
			continue // _all
		}
		if len(dm.Fields) != 1 || dm.Fields[0].Type != "text" {
			return nil, fmt.Errorf("search: field %s: only one text field per name is built directly", name)
		}
		fm := dm.Fields[0]
		spec := fieldSpec{options: fm.Options(), analyzer: m.AnalyzerNamed(fm.Analyzer)}
		if spec.analyzer == nil {
			return nil, fmt.Errorf("search: field %s: analyzer %q not found", name, fm.Analyzer)
		}
		out[name] = spec
	}
	return out, nil
}

// document makes d's document with the fields the mapping would give it,
// without the mapping's walk of d.fields() by reflection: a fifth of the
// analysis time of a build. TestBuildFieldsMatchMapping checks that the
// two agree.
func (b *builder) document(d *Doc) (*document.Document, error) {
	doc := document.NewDocument(strconv.FormatInt(d.ID, 10))
	for name, v := range d.fields() {
		spec, ok := b.fields[name]
		if !ok {
			return doc, fmt.Errorf("search: field %s not in the mapping", name)
		}
		switch v := v.(type) {
		case string:
			doc.AddField(document.NewTextFieldCustom(name, []uint64{}, []byte(v), spec.options, spec.analyzer))
		case []string:
			switch len(v) {
			case 0:
			case 1:
				doc.AddField(document.NewTextFieldCustom(name, nil, []byte(v[0]), spec.options, spec.analyzer))
			default:
				// One field of all the values' terms: what the segment
				// makes of several fields of one name (their terms and
				// lengths add up), without a field, a term map and a
				// merge of maps per value (facet terms are eight or so).
				var toks analysis.TokenStream
				for _, s := range v {
					toks = append(toks, spec.analyzer.Analyze([]byte(s))...)
				}
				doc.AddField(document.NewTextFieldCustom(name, nil, []byte(strings.Join(v, " ")), spec.options, analysedTokens(toks)))
			}
		default:
			return doc, fmt.Errorf("search: field %s: %T not built directly", name, v)
		}
	}
	doc.SetIndexed()
	return doc, nil
}

// analysedTokens is an analyzer that gives the tokens it holds.
type analysedTokens analysis.TokenStream

func (t analysedTokens) Analyze([]byte) analysis.TokenStream { return analysis.TokenStream(t) }

// analysedDoc is a document whose fields were analysed already: the
// builder's own call to Analyze does nothing, except for the _id field it
// adds itself.
type analysedDoc struct{ *document.Document }

func (d analysedDoc) VisitFields(visitor index.FieldVisitor) {
	d.Document.VisitFields(func(f index.Field) {
		if f.Name() == "_id" {
			visitor(f)
			return
		}
		visitor(analysedField{f})
	})
}

type analysedField struct{ index.Field }

func (analysedField) Analyze() {}

// failedDoc carries a mapping error to the writer, in feed order.
type failedDoc struct {
	*document.Document
	err error
}
