package search

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/upsidedown"
	"github.com/blevesearch/bleve/v2/index/upsidedown/store/boltdb"

	"hondana/search/internal/fast"
)

// These tests hold the fast path (package fast) against Bleve's public
// API: what it builds and what it answers must be what Bleve's own
// builder and searches make of the same documents, and where it cannot
// apply, search must fall back to Bleve's way and say so.

// TestFastAndPlainAnswerAlike: from the same documents, a fast build and a
// plain one, each searched its own way, give the same totals, facets and
// sorted pages, and every hit by relevance the same score; and one index,
// searched the fast way (ranges of documents, facet columns) and the plain
// way, gives the same pages hit for hit, with the same facets.
func TestFastAndPlainAnswerAlike(t *testing.T) {
	t.Parallel()
	docs := synthSet(5, 5000)
	fastIx, dir := buildTest(t, docs)
	plainIx, _ := buildWith(t, docs, Options{Plain: true})
	if fastIx.fast == nil || plainIx.fast != nil {
		t.Fatalf("fast path: %v in the fast index, %v in the plain one", fastIx.fast != nil, plainIx.fast != nil)
	}
	waitColumns(t, fastIx)
	sameAnswers(t, fastIx, plainIx)

	queries := []Query{
		{Text: "川"}, {Text: "かわ", Offset: 20}, {Text: "山 石川"}, {Text: "history", Limit: 100},
		{Text: "猫", Branch: "ozu", Available: true}, {Text: "科学", NDC: "4", YearFrom: 1990},
		{Text: "物語", Sort: SortTitle}, {Sort: SortAcquired, Limit: 50}, {MaterialType: "magazine"},
	}
	answers := func(opts Options) []*Result {
		t.Helper()
		ix, err := Open(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		if !opts.Plain {
			waitColumns(t, ix)
		}
		var out []*Result
		for _, q := range queries {
			res, err := ix.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, res)
		}
		return out
	}
	if err := fastIx.Close(); err != nil {
		t.Fatal(err)
	}
	fastWay := answers(Options{fast: fast.Options{SearchParts: 3}})
	plainWay := answers(Options{Plain: true})
	for i, q := range queries {
		if !reflect.DeepEqual(fastWay[i], plainWay[i]) {
			t.Errorf("%+v:\n fast  %+v\n plain %+v", q, fastWay[i], plainWay[i])
		}
	}
}

// TestFastBuildFallsBack: a fast build whose index does not hold every
// document fed (here one is deleted behind its back, as a Bleve reading
// the joined parts otherwise might lose some) is built again the plain
// way, with every document, and the log says so. A bulk load's build,
// whose feed cannot be called again, fails instead, leaving nothing.
func TestFastBuildFallsBack(t *testing.T) {
	t.Parallel()
	docs := facetDocs(3000)
	var logged bytes.Buffer
	opts := Options{
		Log: slog.New(slog.NewTextHandler(&logged, nil)),
		afterFastBuild: func(path string) {
			bi, err := bleve.OpenUsing(path, runtimeConfig(false))
			if err != nil {
				t.Error(err)
				return
			}
			if err := bi.Delete("1"); err != nil {
				t.Error(err)
			}
			bi.Close()
		},
	}
	dir := t.TempDir()
	fed := 0
	ix := installed(t)(Build(dir, 7, func(add func([]Doc) error) error {
		fed++
		return add(docs)
	}, opts))
	defer ix.Close()
	if fed != 2 {
		t.Errorf("fed %d times, want twice (fast, then plain)", fed)
	}
	if n, err := ix.Count(); err != nil || n != uint64(len(docs)) || ix.Seq() != 7 {
		t.Errorf("%d documents (%v) at change %d, want %d at 7", n, err, ix.Seq(), len(docs))
	}
	if res, err := ix.Search(context.Background(), Query{Text: "猫"}); err != nil || res.Total != 2000 {
		t.Errorf("猫 after the fallback: %v, %v; want 2000 hits", res, err)
	}
	if !strings.Contains(logged.String(), "holds 2999 documents of the 3000 fed") {
		t.Errorf("the fallback is not logged with its reason:\n%s", logged.String())
	}

	streamDir := t.TempDir()
	_, err := BuildStream(streamDir, func(add func([]Doc) error) (int64, error) { return 7, add(docs) }, opts)
	if err == nil || !strings.Contains(err.Error(), "holds 2999 documents of the 3000 fed") {
		t.Errorf("a bulk load's fast build that lost a document: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(streamDir, "*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestOpenFallsBackWithoutScorch: an index that is not scorch's, which
// the fast path cannot read, is searched through Bleve's public API, and
// the log says so.
func TestOpenFallsBackWithoutScorch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	bi, err := bleve.NewUsing(filepath.Join(dir, DirName), m, upsidedown.Name, boltdb.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := bi.NewBatch()
	for _, d := range filterDocs {
		if err := b.Index(strconv.FormatInt(d.ID, 10), d.fields()); err != nil {
			t.Fatal(err)
		}
	}
	b.SetInternal(keyVersion, []byte(strconv.Itoa(MappingVersion)))
	b.SetInternal(keySeq, []byte("3"))
	if err := bi.Batch(b); err != nil {
		t.Fatal(err)
	}
	bi.Close()

	var logged bytes.Buffer
	ix, err := Open(dir, Options{Log: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.fast != nil || !strings.Contains(logged.String(), "no fast path") {
		t.Errorf("fast path %v, log:\n%s", ix.fast != nil, logged.String())
	}
	if !ix.FacetsReady() {
		t.Error("an index without the fast path waits for facet columns it will never read")
	}
	res, err := ix.Search(context.Background(), Query{Text: "猫"})
	if err != nil || res.Total != 4 || res.Facets.MaterialType == nil {
		t.Errorf("猫: %+v, %v; want 4 hits with facets", res, err)
	}
}
