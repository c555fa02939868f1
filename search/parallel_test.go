package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"hondana/search/internal/fast"
)

// TestParallelSearchMatchesBleve checks that a relevance search cut into
// ranges of documents gives what Bleve's own collector gives: the same
// hits in the same order (many with equal scores), the same total and the
// same facet counts, on an index of several segments with deleted
// documents.
func TestParallelSearchMatchesBleve(t *testing.T) {
	t.Parallel()
	ix, dir := buildSynthetic(t)
	defer func() { ix.Close() }() // the last one opened
	ctx := context.Background()
	queries := []Query{
		{Text: "川"}, {Text: "かわ"}, {Text: "山 石川"}, {Text: "history"}, {Text: "図書館の歴史"},
		{Text: "川", Offset: 20}, {Text: "海", Limit: 100, Offset: 35}, {Text: "猫", Branch: "ozu", Available: true},
		{Text: "科学", NDC: "4", YearFrom: 1990}, {Text: "物語", MaterialType: "magazine"}, {Text: "存在しない"},
		{Text: "川", Offset: 4990},
	}
	for _, parts := range []int{1, 2, 3, 7} {
		if err := ix.Close(); err != nil {
			t.Fatal(err)
		}
		var err error
		if ix, err = Open(dir, Options{fast: fast.Options{SearchParts: parts}}); err != nil {
			t.Fatal(err)
		}
		for _, q := range queries {
			t.Run(fmt.Sprintf("%d parts %+v", parts, q), func(t *testing.T) {
				if q.Limit == 0 {
					q.Limit = 20
				}
				// Equal scores rank in index order, which Bleve's merger,
				// still merging the changed segments in the background,
				// changes when it brings in a merged segment: compare
				// two answers given while the index stayed the same.
				var got *Result
				var res *bleve.SearchResult
				bq := ix.buildQuery(q)
				for try := 0; ; try++ {
					before := segmentsOf(t, ix)
					ix.cache = newFacetCache(256) // count the facets every time
					var err error
					if got, err = ix.Search(ctx, q); err != nil {
						t.Fatal(err)
					}
					req := bleve.NewSearchRequestOptions(bq, q.Limit, q.Offset, false)
					req.SortBy([]string{"-_score"})
					if res, err = ix.bi.SearchInContext(ctx, req); err != nil {
						t.Fatal(err)
					}
					if before == segmentsOf(t, ix) {
						break
					}
					if try == 20 {
						t.Fatal("the index kept changing")
					}
				}
				var want []int64
				for _, h := range res.Hits {
					id, _ := strconv.ParseInt(h.ID, 10, 64)
					want = append(want, id)
				}
				if got.Total != int(res.Total) || !reflect.DeepEqual(got.IDs, want) {
					t.Fatalf("got %d hits %v, Bleve %d hits %v", got.Total, got.IDs, res.Total, want)
				}
				if got.Total == 0 {
					return
				}
				wantFacets, _, err := ix.countFacets(ctx, bq)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Facets, wantFacets) {
					t.Errorf("facets\n got %+v\nwant %+v", got.Facets, wantFacets)
				}
			})
		}
	}
}

// segmentsOf returns the number of ix's segments. A merge, the only change
// to the index while a test searches, brings it down.
func segmentsOf(t *testing.T, ix *Index) int {
	t.Helper()
	n, err := ix.fast.SegmentCount()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// buildSynthetic builds an index of 5,000 records of a small vocabulary
// (so many scores are equal), then changes some (new segments, deleted
// documents in the built one).
func buildSynthetic(t *testing.T) (*Index, string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	doc := synthDocs(rng)
	var docs []Doc
	for id := int64(1); id <= 5000; id++ {
		docs = append(docs, doc(id))
	}
	ix, dir := buildTest(t, docs)
	for round := 0; round < 3; round++ {
		var changed []Doc
		for k := 0; k < 300; k++ {
			changed = append(changed, doc(int64(1+rng.IntN(6000))))
		}
		if err := ix.Apply(changed, []int64{int64(10 + round), int64(2000 + round)}, 0); err != nil {
			t.Fatal(err)
		}
	}
	return ix, dir
}

// synthSet is records 1 to n made by synthDocs from the seed.
func synthSet(seed uint64, n int) []Doc {
	doc := synthDocs(rand.New(rand.NewPCG(seed, seed+1)))
	docs := make([]Doc, 0, n)
	for id := int64(1); id <= int64(n); id++ {
		docs = append(docs, doc(id))
	}
	return docs
}

// synthDocs makes records of a small vocabulary, so that many scores are
// equal, from rng.
func synthDocs(rng *rand.Rand) func(id int64) Doc {
	words := []string{"川", "山", "海", "猫", "歴史", "図書館", "科学", "肱川", "物語", "history", "river"}
	yomi := map[string]string{"川": "カワ", "山": "ヤマ", "海": "ウミ", "猫": "ネコ", "歴史": "レキシ", "図書館": "トショカン",
		"科学": "カガク", "肱川": "ヒジカワ", "物語": "モノガタリ"}
	authors := []string{"石川太郎", "山田花子", "川端康成", "夏目漱石"}
	branches := []string{"ozu", "nagahama", "hijikawa", "kawabe"}
	return func(id int64) Doc {
		var title, ty string
		for k := 0; k < 1+rng.IntN(3); k++ {
			w := words[rng.IntN(len(words))]
			title += w
			ty += yomi[w]
		}
		d := Doc{ID: id, Title: title, TitleYomi: ty, Authors: []string{authors[rng.IntN(len(authors))]},
			NDC: strconv.Itoa(rng.IntN(1000)), MaterialType: []string{"book", "magazine"}[rng.IntN(2)],
			Year: 1950 + rng.IntN(70), Acquired: fmt.Sprintf("20%02d-%02d-01", rng.IntN(25), 1+rng.IntN(12)), SortKey: ty,
			ISBN: fmt.Sprintf("978400%07d", id)}
		for _, b := range branches {
			if rng.IntN(3) == 0 {
				d.Branches = append(d.Branches, b)
				if rng.IntN(2) == 0 {
					d.Available = append(d.Available, b)
				}
			}
		}
		return d
	}
}

// TestQueryShapeKeepsScores: the text query is built without Bleve's
// match queries and without conjunctions of one; every hit must keep the
// score the match-query form gave it.
func TestQueryShapeKeepsScores(t *testing.T) {
	t.Parallel()
	ix, _ := buildSynthetic(t)
	matchForm := func(q Query) query.Query {
		bq := bleve.NewBooleanQuery()
		words := strings.Fields(CleanText(q.Text))
		for _, w := range words {
			var dis []query.Query
			for _, f := range []struct {
				name     string
				boost    float64
				analyzer string
			}{{fTitle, 4, AnalyzerQuery}, {fAuthor, 3, AnalyzerQuery}, {fOther, 1, AnalyzerQuery}, {fText, 1, AnalyzerQuery},
				{fTitleYomi, 3, AnalyzerReadingQuery}, {fAuthorYomi, 2, AnalyzerQuery}, {fOtherYomi, 1, AnalyzerQuery}} {
				reading := f.name == fTitleYomi || f.name == fAuthorYomi || f.name == fOtherYomi
				if reading && !isReading(w) || f.name == fText && isReading(w) {
					continue
				}
				mq := bleve.NewMatchQuery(w)
				mq.SetField(f.name)
				mq.Analyzer = f.analyzer
				mq.SetOperator(query.MatchQueryOperatorAnd)
				mq.SetBoost(f.boost)
				dis = append(dis, mq)
			}
			bq.AddMust(bleve.NewDisjunctionQuery(dis...))
		}
		if filters := q.filterTerms(); len(filters) > 0 {
			bq.AddFilter(bleve.NewConjunctionQuery(filters...))
		}
		bq.AddShould(ix.rankingQueries(CleanText(q.Text), words, ix.isAuthor(Key(CleanText(q.Text))))...)
		return bq
	}
	for _, q := range []Query{{Text: "川"}, {Text: "かわ"}, {Text: "山 石川"}, {Text: "history"}, {Text: "図書館歴史"},
		{Text: "猫", Branch: "ozu"}, {Text: "科学 かがく", NDC: "4"}, {Text: "肱川"}, {Text: "川川"}} {
		got, want := scoresOf(t, ix, ix.buildQuery(q)), scoresOf(t, ix, matchForm(q))
		if len(want) == 0 {
			t.Fatalf("%+v: no hits to compare", q)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: scores differ: %d hits, match form %d", q, len(got), len(want))
		}
	}
}
