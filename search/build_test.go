package search

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"hondana/search/internal/fast"
)

// TestBuildFieldsMatchMapping: the fast path's builder makes a document's
// fields itself rather than through the mapping's walk; every field,
// option, value and analysed term must come out as the mapping makes
// them, or a built index would answer differently from one kept by Apply.
func TestBuildFieldsMatchMapping(t *testing.T) {
	t.Parallel()
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	mapper, err := fast.NewMapper(m)
	if err != nil {
		t.Fatal(err)
	}
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
			got, err := mapper.Document(fmt.Sprint(d.ID), d.fields())
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
		desc := fmt.Sprintf("%s opts=%d", f.Name(), f.Options())
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

// TestBuildShapesAnswerAlike: a build cuts its documents in parts, one per
// core, and merges each part's many segments in groups first, and the
// parts are joined into one index of several segments. Whatever the
// shape, the index must hold every document once and answer every kind of
// query (relevance, sorts read from doc values, filters, facets, ISBNs)
// as one built in one part with a single merge, and take changes after.
//
// "One segment per part" is the layout a build leaves on disk, no more:
// once the index is open, Bleve's merger may fold the segments into fewer
// whenever it likes (it did within two seconds in 2 of 10 runs, when this
// test counted them in the open index), which changes neither the
// documents nor the answers. So the shape is read from the built root
// before the index is first opened, and everything else from the index.
func TestBuildShapesAnswerAlike(t *testing.T) {
	t.Parallel()
	docs := synthSet(8, 4000)
	build := func(parts, groupMin int, docs []Doc) (*Index, string, []string) {
		var built []string
		var err error
		// 50 documents a segment: 80 segments.
		ix, dir := buildWith(t, docs, Options{fast: fast.Options{BuildBatch: 50, BuildParts: parts, GroupMergeMin: groupMin},
			afterFastBuild: func(path string) { built, err = fast.Segments(path) }})
		if err != nil {
			t.Fatal(err)
		}
		return ix, dir, built
	}
	one, _, _ := build(1, 1<<30, docs)
	for _, shape := range []struct {
		name            string
		parts, groupMin int
		docs            []Doc
		segments        int
	}{
		{"one part in groups", 1, 16, docs, 1},
		{"two parts", 2, 1 << 30, docs, 2},
		{"three parts in groups", 3, 8, docs, 3},
		{"fewer batches than parts", 3, 8, docs[:1500], 2},
	} {
		t.Run(shape.name, func(t *testing.T) {
			ix, dir, built := build(shape.parts, shape.groupMin, shape.docs)
			if left, _ := filepath.Glob(filepath.Join(dir, DirName, "*", "*.group*")); len(left) > 0 {
				t.Errorf("group segments left behind: %v", left)
			}
			if _, err := os.Stat(filepath.Join(dir, DirName+".new.segments")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("interim segments left behind: %v", err)
			}
			if len(built) != shape.segments {
				t.Errorf("built %d segments %v, want %d", len(built), built, shape.segments)
			}
			if len(shape.docs) == len(docs) {
				sameAnswers(t, ix, one)
			}
			// Every document once, in whichever part it went to.
			if n, _ := ix.Count(); n != uint64(len(shape.docs)) {
				t.Errorf("%d documents, want %d", n, len(shape.docs))
			}
			for _, d := range []Doc{shape.docs[0], shape.docs[len(shape.docs)-1], shape.docs[1200]} {
				if res, err := ix.Search(context.Background(), Query{ISBN: d.ISBN}); err != nil || !slices.Contains(res.IDs, d.ID) {
					t.Errorf("ISBN %s of %d: %v, %v", d.ISBN, d.ID, res, err)
				}
			}
			// Changes after the build: one document of the last part
			// renamed, one of the first deleted.
			last, first := shape.docs[len(shape.docs)-1], shape.docs[0]
			last.Title = "ゼブラフィッシュの夜"
			if err := ix.Apply([]Doc{last}, []int64{first.ID}, 8); err != nil {
				t.Fatal(err)
			}
			if n, _ := ix.Count(); n != uint64(len(shape.docs)-1) {
				t.Errorf("after a deletion %d documents, want %d", n, len(shape.docs)-1)
			}
			if res, err := ix.Search(context.Background(), Query{Text: "ゼブラフィッシュ"}); err != nil || !slices.Equal(res.IDs, []int64{last.ID}) {
				t.Errorf("renamed document: %v, %v", res, err)
			}
			// And all of it is there after a restart.
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
			ix, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if n, _ := ix.Count(); n != uint64(len(shape.docs)-1) || ix.Seq() != 8 {
				t.Errorf("reopened: %d documents at change %d, want %d at 8", n, ix.Seq(), len(shape.docs)-1)
			}
			if res, err := ix.Search(context.Background(), Query{Text: "ゼブラフィッシュ"}); err != nil || !slices.Equal(res.IDs, []int64{last.ID}) {
				t.Errorf("reopened, renamed document: %v, %v", res, err)
			}
		})
	}
}

// sameAnswers checks that got answers every kind of query as want does.
func sameAnswers(t *testing.T, got, want *Index) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []Query{
		{Text: "川"}, {Text: "かわ"}, {Text: "山 石川", Offset: 20}, {Text: "history"}, {Text: "猫", Sort: SortTitle, Limit: 100},
		{Text: "海", Sort: SortNewest, Limit: 50}, {Sort: SortAcquired, Limit: 100}, {Branch: "ozu", Available: true, Limit: 100},
		{Text: "科学", NDC: "4", YearFrom: 1990, YearTo: 2003}, {AcquiredFrom: "2020-01-01", Sort: SortAcquired},
		{ISBN: "9784000001234"}, {Text: "物語", MaterialType: "magazine", Offset: 3990},
	} {
		w, err := want.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		g, err := got.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if w.Total == 0 {
			t.Errorf("%+v: no hits to compare", q)
		}
		if g.Total != w.Total || !reflect.DeepEqual(g.Facets, w.Facets) {
			t.Errorf("%+v: %d hits %+v, want %d %+v", q, g.Total, g.Facets, w.Total, w.Facets)
		}
		if q.Sort != "" || q.Text == "" {
			// Sorted by doc values, ties by id: the same pages.
			if !reflect.DeepEqual(g.IDs, w.IDs) {
				t.Errorf("%+v: %v, want %v", q, g.IDs, w.IDs)
			}
			continue
		}
		// By relevance, equal scores keep index order, which a build's
		// batches and parts do not fix: every hit must have the same score.
		if gs, ws := scoresOf(t, got, got.buildQuery(q)), scoresOf(t, want, want.buildQuery(q)); !reflect.DeepEqual(gs, ws) {
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

// TestBuildCallsAroundBuild: the hook of the code that owns the process
// is called as a build begins and what it returns as it ends, also when
// the build fails.
func TestBuildCallsAroundBuild(t *testing.T) {
	t.Parallel()
	var begun, ended int
	opts := Options{AroundBuild: func() func() {
		begun++
		return func() { ended++ }
	}}
	dir := t.TempDir()
	if _, err := Build(dir, 1, func(add func([]Doc) error) error { return add(filterDocs) }, opts); err != nil {
		t.Fatal(err)
	}
	feedErr := errors.New("the store went away")
	if _, err := Build(dir, 1, func(add func([]Doc) error) error { return feedErr }, opts); !errors.Is(err, feedErr) {
		t.Fatalf("a failing feed: %v", err)
	}
	if begun != 2 || ended != 2 {
		t.Errorf("begun %d times, ended %d; want 2 and 2", begun, ended)
	}
}

// TestBuildReleasingPages: a build whose merges release the pages they
// read as often as they can still makes an index with every document and
// the right answers.
func TestBuildReleasingPages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an index of 10,000 documents")
	}
	t.Parallel()
	docs := facetDocs(10000) // four interim segments, merged
	ix, _ := buildWith(t, docs, Options{fast: fast.Options{ReleaseEvery: time.Millisecond}})
	if n, err := ix.Count(); err != nil || n != uint64(len(docs)) {
		t.Fatalf("%d documents (%v), want %d", n, err, len(docs))
	}
	res, err := ix.Search(context.Background(), Query{Text: "猫", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(docs) - (len(docs)+2)/3; res.Total != want { // every third is 犬の本
		t.Fatalf("猫: %d hits, want %d", res.Total, want)
	}
}
