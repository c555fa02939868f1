package search

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestBuildReleasingPages: a build whose merges release the pages they
// read as often as they can still makes an index with every document and
// the right answers.
func TestBuildReleasingPages(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds an index of 10,000 documents")
	}
	docs := facetDocs(10000) // four interim segments, merged
	ix, _ := buildWith(t, docs, Options{releaseEvery: time.Millisecond})
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

// TestBuildOf: a merge belongs to a build when it writes into the build's
// interim directory, and takes the build's options.
func TestBuildOf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	segs := filepath.Join(dir, "index.bleve.new.segments")
	buildDirs.Store(segs, Options{groupMergeMin: 5})
	defer buildDirs.Delete(segs)
	for path, want := range map[string]bool{
		filepath.Join(segs, "scorch-offline-build1", "000000000015.zap"): true,
		filepath.Join(dir, "index.bleve", "store", "000000000015.zap"):   false,
		segs + "x/000000000015.zap":                                      false,
	} {
		opts, got := buildOf(path)
		if got != want || (got && opts.groupMergeMin != 5) {
			t.Errorf("buildOf(%s) = %+v, %v; want %v", path, opts, got, want)
		}
	}
}
