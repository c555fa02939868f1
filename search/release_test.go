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
	if testing.Short() {
		t.Skip("builds an index of 10,000 documents")
	}
	defer func(d time.Duration) { releaseEvery = d }(releaseEvery)
	releaseEvery = time.Millisecond
	docs := facetDocs(10000) // four interim segments, merged
	ix, _ := buildTest(t, docs)
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

func TestInBuildDir(t *testing.T) {
	dir := t.TempDir()
	segs := filepath.Join(dir, "index.bleve.new.segments")
	buildDirs.Store(segs, true)
	defer buildDirs.Delete(segs)
	for path, want := range map[string]bool{
		filepath.Join(segs, "scorch-offline-build1", "000000000015.zap"): true,
		filepath.Join(dir, "index.bleve", "store", "000000000015.zap"):   false,
		segs + "x/000000000015.zap":                                      false,
	} {
		if got := inBuildDir(path); got != want {
			t.Errorf("inBuildDir(%s) = %v, want %v", path, got, want)
		}
	}
}
