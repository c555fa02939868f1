package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// TestBuildFieldsMatchMapping: the builder makes a document's fields
// itself rather than through the mapping's walk; every field, option,
// value and analysed term must come out as the mapping makes them, or a
// built index would answer differently from one kept by Apply.
func TestBuildFieldsMatchMapping(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	specs, err := fieldSpecs(m)
	if err != nil {
		t.Fatal(err)
	}
	b := &builder{fields: specs}
	docs := append(slices.Clone(filterDocs),
		Doc{ID: 9, Title: "吾輩ハ猫デアル", TitleYomi: "ワガハイ ワ ネコ デ アル", Authors: []string{"夏目漱石", "Natsume Soseki"},
			AuthorsYomi: []string{"ナツメ ソウセキ"}, Publisher: "岩波書店", Other: []string{"イワナミ ショテン", "", "猫文庫", "小説"},
			ISBN: "9784003101018", NDC: "913.6", MaterialType: "book", Year: 1905,
			Branches: []string{"ozu", "nagahama"}, Available: nil, Acquired: "2001-02-03", SortKey: "ワガハイワネコデアル"},
		Doc{ID: 10}, // nothing but an id
	)
	for _, d := range docs {
		t.Run(fmt.Sprint(d.ID), func(t *testing.T) {
			want := document.NewDocument(fmt.Sprint(d.ID))
			if err := m.MapDocument(want, d.fields()); err != nil {
				t.Fatal(err)
			}
			got, err := b.document(&d)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := describeFields(got), describeFields(want); !slices.Equal(g, w) {
				t.Errorf("fields differ:\n got  %s\n want %s", strings.Join(g, "\n      "), strings.Join(w, "\n      "))
			}
		})
	}
}

// describeFields lists a document's fields by name, analysed, one line
// each in a stable order: what a segment keeps of them. Several fields of
// one name are one to a segment, their terms and lengths added up.
func describeFields(d *document.Document) []string {
	type field struct {
		desc   string
		length int
		terms  map[string]int
	}
	byName := map[string]*field{}
	d.VisitFields(func(f index.Field) {
		f.Analyze()
		desc := fmt.Sprintf("%s %T opts=%d", f.Name(), f, f.Options())
		agg := byName[f.Name()]
		if agg == nil {
			agg = &field{desc: desc, terms: map[string]int{}}
			byName[f.Name()] = agg
		} else if agg.desc != desc {
			agg.desc += " / " + desc
		}
		agg.length += f.AnalyzedLength()
		for term, tf := range f.AnalyzedTokenFrequencies() {
			agg.terms[term] += tf.Frequency()
		}
	})
	var out []string
	for _, f := range byName {
		var terms []string
		for term, n := range f.terms {
			terms = append(terms, fmt.Sprintf("%q×%d", term, n))
		}
		slices.Sort(terms)
		out = append(out, fmt.Sprintf("%s len=%d terms=%v", f.desc, f.length, terms))
	}
	slices.Sort(out)
	return out
}

// TestGroupMergeMatchesOneMerge: a build of many segments merges them in
// groups first; the index must answer every kind of query (relevance,
// sorts read from doc values, filters, facets, ISBNs) as one built with a
// single merge.
func TestGroupMergeMatchesOneMerge(t *testing.T) {
	doc := synthDocs(rand.New(rand.NewPCG(8, 9)))
	var docs []Doc
	for id := int64(1); id <= 4000; id++ {
		docs = append(docs, doc(id))
	}
	oldBatch, oldMin := buildBatch, groupMergeMin
	t.Cleanup(func() { buildBatch, groupMergeMin = oldBatch, oldMin })
	buildBatch = 50 // 80 segments

	groupMergeMin = 1 << 30
	one, _ := buildTest(t, docs)
	groupMergeMin = 16
	grouped, dir := buildTest(t, docs)
	if left, _ := filepath.Glob(filepath.Join(dir, DirName, "*", "*.group*")); len(left) > 0 {
		t.Errorf("group segments left behind: %v", left)
	}

	ctx := context.Background()
	for _, q := range []Query{
		{Text: "川"}, {Text: "かわ"}, {Text: "山 石川", Offset: 20}, {Text: "history"}, {Text: "猫", Sort: SortTitle, Limit: 100},
		{Text: "海", Sort: SortNewest, Limit: 50}, {Sort: SortAcquired, Limit: 100}, {Branch: "ozu", Available: true, Limit: 100},
		{Text: "科学", NDC: "4", YearFrom: 1990, YearTo: 2003}, {AcquiredFrom: "2020-01-01", Sort: SortAcquired},
		{ISBN: "9784000001234"}, {Text: "物語", MaterialType: "magazine", Offset: 3990},
	} {
		want, err := one.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := grouped.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want.Total == 0 {
			t.Errorf("%+v: no hits to compare", q)
		}
		if got.Total != want.Total || !reflect.DeepEqual(got.Facets, want.Facets) {
			t.Errorf("%+v: grouped %d hits %+v, one %d %+v", q, got.Total, got.Facets, want.Total, want.Facets)
		}
		if q.Sort != "" || q.Text == "" {
			// Sorted by doc values, ties by id: the same pages.
			if !reflect.DeepEqual(got.IDs, want.IDs) {
				t.Errorf("%+v: grouped %v, one %v", q, got.IDs, want.IDs)
			}
			continue
		}
		// By relevance, equal scores keep index order, which a build's
		// batches do not fix: every hit must have the same score.
		if g, w := scoresOf(t, grouped, grouped.buildQuery(q)), scoresOf(t, one, one.buildQuery(q)); !reflect.DeepEqual(g, w) {
			t.Errorf("%+v: scores differ", q)
		}
	}
}

// scoresOf returns every hit of bq in ix with its score.
func scoresOf(t *testing.T, ix *Index, bq query.Query) map[string]float64 {
	t.Helper()
	req := bleve.NewSearchRequestOptions(bq, 100000, 0, false)
	res, err := ix.bi.SearchInContext(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, h := range res.Hits {
		out[h.ID] = h.Score
	}
	return out
}

// TestRelaxGC: while builds run the collector lets the heap grow within a
// limit; the process's own settings come back when the last build ends,
// and a memory limit it was given is kept throughout.
func TestRelaxGC(t *testing.T) {
	gc := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	})
	percent := func() int {
		p := debug.SetGCPercent(0)
		debug.SetGCPercent(p)
		return p
	}

	first := relaxGC()
	second := relaxGC()
	if p, l := percent(), debug.SetMemoryLimit(-1); p != buildGCPercent || l < buildMemory || l == math.MaxInt64 {
		t.Errorf("during builds: GOGC %d, limit %d; want %d and at least %d", p, l, buildGCPercent, buildMemory)
	}
	first()
	if p := percent(); p != buildGCPercent {
		t.Errorf("one build still running: GOGC %d, want %d", p, buildGCPercent)
	}
	second()
	if p, l := percent(), debug.SetMemoryLimit(-1); p != 100 || l != math.MaxInt64 {
		t.Errorf("after the builds: GOGC %d, limit %d; want 100 and none", p, l)
	}

	debug.SetMemoryLimit(300 << 20) // the process's own
	debug.SetGCPercent(400)
	relaxGC()()
	restore := relaxGC()
	if p, l := percent(), debug.SetMemoryLimit(-1); p != 400 || l != 300<<20 {
		t.Errorf("with GOGC 400 and a limit of 300 MiB set: GOGC %d, limit %d", p, l)
	}
	restore()
}
