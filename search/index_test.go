package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"hondana/search/internal/fast"
)

// buildTest builds a real index in a temporary directory from docs.
func buildTest(t *testing.T, docs []Doc) (*Index, string) {
	t.Helper()
	return buildWith(t, docs, Options{})
}

// buildWith is buildTest with opts.
func buildWith(t *testing.T, docs []Doc, opts Options) (*Index, string) {
	t.Helper()
	dir := t.TempDir()
	ix := installed(t)(Build(dir, 7, func(add func([]Doc) error) error {
		for i := 0; i < len(docs); i += 1000 {
			if err := add(docs[i:min(i+1000, len(docs))]); err != nil {
				return err
			}
		}
		return nil
	}, opts))
	t.Cleanup(func() { ix.Close() })
	return ix, dir
}

// installed installs what a build returns, failing t if either fails.
func installed(t *testing.T) func(*Built, error) *Index {
	return func(b *Built, err error) *Index {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		ix, err := b.Install()
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
}

var filterDocs = []Doc{
	{ID: 1, Title: "猫の歴史", TitleYomi: "ネコノレキシ", NDC: "913.6", MaterialType: "book", Year: 1995,
		Branches: []string{"ozu", "kawabe"}, Available: []string{"kawabe"}, Acquired: "2020-04-01", SortKey: "ネコノレキシ", ISBN: "9784000000019"},
	{ID: 2, Title: "猫", TitleYomi: "ネコ", NDC: "645", MaterialType: "book", Year: 2005,
		Branches: []string{"ozu"}, Available: []string{"ozu"}, Acquired: "2023-01-10", SortKey: "ネコ"},
	{ID: 3, Title: "猫と海", TitleYomi: "ネコトウミ", NDC: "910", MaterialType: "magazine", Year: 2015,
		Branches: []string{"nagahama"}, Acquired: "2019-05-05", SortKey: "ネコトウミ"},
	{ID: 4, Title: "海の科学", TitleYomi: "ウミノカガク", NDC: "452", MaterialType: "video", Year: 1975,
		Branches: []string{"ozu"}, Available: []string{"ozu"}, Acquired: "2024-02-02", SortKey: "ウミノカガク"},
	{ID: 5, Title: "歴史の猫たち", Authors: []string{"夏目漱石"}, AuthorsYomi: []string{"ナツメ ソウセキ"}, NDC: "913", MaterialType: "book", Year: 1960,
		Branches: []string{"ozu", "nagahama"}, Available: []string{"nagahama"}, Acquired: "2001-01-01", SortKey: "レキシノネコタチ"},
}

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, filterDocs)
	ctx := context.Background()
	tests := []struct {
		name string
		q    Query
		want []int64 // in order
	}{
		{"text, by title", Query{Text: "猫", Sort: SortTitle}, []int64{2, 3, 1, 5}},
		{"every word must match", Query{Text: "猫 海"}, []int64{3}},
		{"author reading", Query{Text: "そうせき"}, []int64{5}},
		{"isbn", Query{ISBN: "9784000000019"}, []int64{1}},
		{"ndc 1 digit", Query{Text: "猫", NDC: "9", Sort: SortTitle}, []int64{3, 1, 5}},
		{"ndc 2 digits", Query{Text: "猫", NDC: "91", Sort: SortTitle}, []int64{3, 1, 5}},
		{"ndc 3 digits", Query{Text: "猫", NDC: "913", Sort: SortTitle}, []int64{1, 5}},
		{"ndc 4 digits: the class and its subdivisions", Query{Text: "猫", NDC: "9136"}, []int64{1}},
		{"ndc 913.6 as written", Query{Text: "猫", NDC: "913.6"}, []int64{1}},
		{"ndc 4 digits of no record", Query{Text: "猫", NDC: "9137"}, nil},
		{"material type", Query{MaterialType: "magazine"}, []int64{3}},
		{"branch", Query{Branch: "nagahama", Sort: SortTitle}, []int64{3, 5}},
		{"available anywhere", Query{Text: "猫", Available: true, Sort: SortTitle}, []int64{2, 1, 5}},
		{"available at a branch", Query{Available: true, Branch: "ozu", Sort: SortTitle}, []int64{4, 2}},
		{"held but not available at a branch", Query{Available: true, Branch: "kawabe"}, []int64{1}},
		{"years", Query{YearFrom: 1990, YearTo: 2010, Sort: SortTitle}, []int64{2, 1}},
		{"acquired from", Query{AcquiredFrom: "2020-01-01"}, []int64{4, 2, 1}},
		{"newest", Query{Text: "猫", Sort: SortNewest}, []int64{3, 2, 1, 5}},
		{"no text: newest copies first", Query{}, []int64{4, 2, 1, 3, 5}},
		{"page two", Query{Sort: SortTitle, Offset: 2, Limit: 2}, []int64{3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.IDs, tt.want) {
				t.Errorf("ids %v, want %v", res.IDs, tt.want)
			}
			if res.FacetsApproximate {
				t.Error("facets approximate for a handful of hits")
			}
		})
	}
}

func TestExactTitleFirst(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, filterDocs)
	res, err := ix.Search(context.Background(), Query{Text: "猫"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 4 || len(res.IDs) != 4 || res.IDs[0] != 2 {
		t.Errorf("ids %v (total %d), want 4 with 2 first", res.IDs, res.Total)
	}
}

func TestFacetsExact(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, filterDocs)
	res, err := ix.Search(context.Background(), Query{Text: "猫"})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Facets
	check := func(name string, got, want []Count) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("ndc", f.NDC, []Count{{"6", 1}, {"9", 3}})
	check("material", sortedCounts(f.MaterialType), []Count{{"book", 3}, {"magazine", 1}})
	check("branch", sortedCounts(f.Branch), []Count{{"kawabe", 1}, {"nagahama", 2}, {"ozu", 3}})
	check("available", sortedCounts(f.Available), []Count{{"false", 1}, {"true", 3}})
	check("year", f.Year, []Count{{"1960", 1}, {"1990", 1}, {"2000", 1}, {"2010", 1}})
	// The filter-only terms are no facet.
	for _, c := range append(f.NDC3, f.Branch...) {
		if c.Value == "" {
			t.Errorf("empty facet value in %v", f)
		}
	}
}

func sortedCounts(c []Count) []Count {
	out := slices.Clone(c)
	slices.SortFunc(out, func(a, b Count) int {
		if a.Value < b.Value {
			return -1
		}
		if a.Value > b.Value {
			return 1
		}
		return 0
	})
	return out
}

// facetDocs are n documents, a third about dogs, a fifth magazines.
func facetDocs(n int) []Doc {
	docs := make([]Doc, n)
	for i := range docs {
		title := "猫の本"
		if i%3 == 0 {
			title = "犬の本"
		}
		mtype := "book"
		if i%5 == 0 {
			mtype = "magazine"
		}
		branches := []string{"ozu"}
		if i%7 == 0 {
			branches = append(branches, "kawabe")
		}
		docs[i] = Doc{ID: int64(i + 1), Title: title, MaterialType: mtype, NDC: strconv.Itoa(100 + i%900),
			Year: 1950 + i%70, Branches: branches, Acquired: "2020-01-01", SortKey: title}
	}
	return docs
}

// waitColumns waits for the facet columns of ix's current segments.
func waitColumns(t *testing.T, ix *Index) {
	t.Helper()
	for range 500 {
		ix.fast.Warm()
		if ix.FacetsReady() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("facet columns not ready after 5 s")
}

// TestFacetColumns checks that facets counted from the in-memory columns
// are exactly Bleve's doc-value counts, before and after changes.
func TestFacetColumns(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, facetDocs(3000))
	ctx := context.Background()
	check := func(q Query) {
		t.Helper()
		waitColumns(t, ix)
		res, err := ix.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, total, err := ix.countFacets(ctx, ix.buildQuery(q))
		if err != nil {
			t.Fatal(err)
		}
		if res.FacetsApproximate || res.Total != total {
			t.Fatalf("%+v: total %d (want %d), approximate %t", q, res.Total, total, res.FacetsApproximate)
		}
		if fmt.Sprint(res.Facets) != fmt.Sprint(want) {
			t.Errorf("%+v: columns %v\nwant %v", q, res.Facets, want)
		}
	}
	check(Query{Text: "猫"})
	check(Query{Text: "本", Branch: "kawabe"})
	check(Query{MaterialType: "magazine", YearFrom: 1990})

	// A change makes a new segment, and the cached facets stale.
	d := facetDocs(3)[1]
	d.MaterialType, d.Branches = "video", []string{"nagahama"}
	if err := ix.Apply([]Doc{d}, []int64{5}, 8); err != nil {
		t.Fatal(err)
	}
	check(Query{Text: "猫"})
	check(Query{MaterialType: "video"})
}

// TestFacetsApproximate checks the counting used until the columns are
// read: exact up to FacetExactMax hits, beyond estimated from a sample,
// labelled so and close to the exact counts.
func TestFacetsApproximate(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds an index of 30,000 documents")
	}
	// Without the fast path, as with it before the columns are read.
	ix, _ := buildWith(t, facetDocs(30000), Options{Plain: true})
	ctx := context.Background()
	res, err := ix.Search(ctx, Query{Text: "猫"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 20000 {
		t.Fatalf("total %d, want 20000", res.Total)
	}
	if !res.FacetsApproximate {
		t.Fatal("facets of 20,000 hits not marked approximate")
	}
	exact, _, err := ix.countFacets(ctx, ix.buildQuery(Query{Text: "猫"}))
	if err != nil {
		t.Fatal(err)
	}
	near := func(name string, got, want []Count, tolerance float64) {
		t.Helper()
		w := map[string]int{}
		for _, c := range want {
			w[c.Value] = c.Count
		}
		for _, c := range got {
			if math.Abs(float64(c.Count-w[c.Value])) > tolerance*float64(w[c.Value]) {
				t.Errorf("%s %s: %d, exact %d", name, c.Value, c.Count, w[c.Value])
			}
		}
		if len(got) == 0 {
			t.Errorf("%s: no counts", name)
		}
	}
	near("material", res.Facets.MaterialType, exact.MaterialType, 0.15)
	near("ndc", res.Facets.NDC, exact.NDC, 0.25)
	near("branch", res.Facets.Branch, exact.Branch, 0.15)

	// A smaller result is counted exactly.
	res, err = ix.Search(ctx, Query{Text: "猫", MaterialType: "magazine"})
	if err != nil {
		t.Fatal(err)
	}
	if res.FacetsApproximate || res.Total > FacetExactMax {
		t.Fatalf("total %d, approximate %t", res.Total, res.FacetsApproximate)
	}
	if got := res.Facets.MaterialType; len(got) != 1 || got[0].Count != res.Total {
		t.Errorf("material %v, want all %d magazine", got, res.Total)
	}
}

func TestOpenNeedsRebuild(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ix := installed(t)(Build(dir, 7, func(add func([]Doc) error) error { return add(filterDocs) }, Options{}))
	if ix.Seq() != 7 {
		t.Errorf("seq %d, want 7", ix.Seq())
	}
	if n, _ := ix.Count(); n != uint64(len(filterDocs)) {
		t.Errorf("count %d, want %d", n, len(filterDocs))
	}
	ix.Close()

	if _, err := Open(t.TempDir(), Options{}); !errors.Is(err, ErrNeedsRebuild) {
		t.Errorf("missing index: %v, want ErrNeedsRebuild", err)
	}

	// An index of an older mapping version is rebuilt.
	bi, err := bleve.OpenUsing(dir+"/"+DirName, runtimeConfig(false))
	if err != nil {
		t.Fatal(err)
	}
	if err := bi.SetInternal(keyVersion, []byte(strconv.Itoa(MappingVersion-1))); err != nil {
		t.Fatal(err)
	}
	bi.Close()
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrNeedsRebuild) {
		t.Fatalf("old version: %v, want ErrNeedsRebuild", err)
	}
	ix = installed(t)(Build(dir, 9, func(add func([]Doc) error) error { return add(filterDocs[:2]) }, Options{}))
	if n, _ := ix.Count(); n != 2 || ix.Seq() != 9 {
		t.Errorf("rebuilt: %d docs, seq %d; want 2, 9", n, ix.Seq())
	}

	// An index a bulk load marked stale is rebuilt, even though it
	// answered searches until then.
	if err := ix.MarkStale(); err != nil {
		t.Fatal(err)
	}
	if res, err := ix.Search(context.Background(), Query{Text: "猫"}); err != nil || res.Total == 0 {
		t.Errorf("a stale index still in use: %v, %v", res, err)
	}
	ix.Close()
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrNeedsRebuild) {
		t.Fatalf("marked stale: %v, want ErrNeedsRebuild", err)
	}
	ix = installed(t)(Build(dir, 10, func(add func([]Doc) error) error { return add(filterDocs) }, Options{}))
	defer ix.Close()
	if n, _ := ix.Count(); n != uint64(len(filterDocs)) || ix.Seq() != 10 {
		t.Errorf("rebuilt after the mark: %d docs, seq %d; want %d, 10", n, ix.Seq(), len(filterDocs))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, DirName+".*")); len(left) > 0 {
		t.Errorf("left beside the index: %v", left)
	}
}

// TestBuildBesideLiveIndex: a build leaves the index in use alone, and it
// answers searches until the new one is installed in its place.
func TestBuildBesideLiveIndex(t *testing.T) {
	t.Parallel()
	ix, dir := buildTest(t, filterDocs)
	ctx := context.Background()
	built, err := Build(dir, 8, func(add func([]Doc) error) error { return add(facetDocs(50)) }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := ix.Search(ctx, Query{Text: "猫"}); err != nil || res.Total != 4 {
		t.Fatalf("the index in use after a build beside it: %v, %v", res, err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err = built.Install()
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if n, _ := ix.Count(); n != 50 || ix.Seq() != 8 {
		t.Errorf("installed: %d docs at change %d, want 50 at 8", n, ix.Seq())
	}
}

func TestApply(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, filterDocs)
	ctx := context.Background()
	d := filterDocs[1]
	d.Available = nil
	if err := ix.Apply([]Doc{d}, []int64{3}, 12); err != nil {
		t.Fatal(err)
	}
	if ix.Seq() != 12 {
		t.Errorf("seq %d, want 12", ix.Seq())
	}
	res, err := ix.Search(ctx, Query{Text: "猫", Available: true, Sort: SortTitle})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{1, 5}; !slices.Equal(res.IDs, want) {
		t.Errorf("after apply: %v, want %v", res.IDs, want)
	}
	res, err = ix.Search(ctx, Query{Text: "猫"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Facets.Available) == "" || res.Total != 3 {
		t.Errorf("after delete: total %d, facets %v", res.Total, res.Facets.Available)
	}
}

// TestYearRanges: a range of years, whole decades and the years at
// either end, matches exactly the records published in it, with text or
// without.
func TestYearRanges(t *testing.T) {
	t.Parallel()
	docs := facetDocs(2000) // 1950–2019
	for i, y := range []int{5, 995, 1000, 2026, 9999} {
		docs = append(docs, Doc{ID: int64(5000 + i), Title: "猫の本", MaterialType: "book", Year: y, SortKey: "猫"})
	}
	docs = append(docs, Doc{ID: 6000, Title: "猫の本", MaterialType: "book", SortKey: "猫"}) // no year
	ix, _ := buildTest(t, docs)
	ranges := [][2]int{{1990, 0}, {0, 1959}, {1990, 2010}, {1973, 2011}, {1973, 1977}, {1960, 1969},
		{1961, 1968}, {1, 9}, {5, 5}, {990, 1000}, {2020, 0}, {2011, 1999}, {1, 0}, {0, 20000}, {9999, 0}}
	for _, r := range ranges {
		for _, text := range []string{"", "猫"} {
			want := 0
			for _, d := range docs {
				if d.Year > 0 && d.Year >= r[0] && (r[1] <= 0 || d.Year <= r[1]) && (text == "" || strings.HasPrefix(d.Title, text)) {
					want++
				}
			}
			res, err := ix.Search(context.Background(), Query{Text: text, YearFrom: r[0], YearTo: r[1]})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != want {
				t.Errorf("years %d–%d, text %q: %d hits, want %d", r[0], r[1], text, res.Total, want)
			}
		}
	}
}

// TestColumnsWarmAfterChange: the segment a change brings in gets its
// facet column read in the background, before any query meets it.
func TestColumnsWarmAfterChange(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, facetDocs(3000))
	waitColumns(t, ix)
	d := facetDocs(3)[1]
	d.MaterialType = "video"
	if err := ix.Apply([]Doc{d}, nil, 8); err != nil {
		t.Fatal(err)
	}
	for range 500 {
		if ix.FacetsReady() { // without a query's help
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the new segment's facet column was not read within 5 s")
}

// TestClosedIndexDoesNotPanic: a warming of facet columns started by the
// last change may run after the index is closed; so may a late search.
func TestClosedIndexDoesNotPanic(t *testing.T) {
	t.Parallel()
	ix, _ := buildTest(t, filterDocs)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix.fast.Warm()
	if ix.FacetsReady() {
		t.Error("a closed index reports its facet columns ready")
	}
	if _, err := ix.Search(context.Background(), Query{Text: "猫"}); err == nil {
		t.Error("a search of a closed index succeeded")
	}
}

// TestCloseWaitsForFacetReads: an index opened over a large segment reads
// its facet column in the background; Close waits for that read, so
// nothing reads an index (or its files) after it closed.
func TestCloseWaitsForFacetReads(t *testing.T) {
	t.Parallel()
	// One segment above the size read in the foreground (syncColumnMax).
	ix, _ := buildWith(t, facetDocs(25000), Options{fast: fast.Options{BuildParts: 1}})
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	started, running := ix.fast.Background()
	if started == 0 {
		t.Fatal("no facet column was read in the background: the test did not test anything")
	}
	if running != 0 {
		t.Errorf("%d background reads of %d still running after Close", running, started)
	}
}
