package fast

import (
	"path/filepath"
	"testing"
)

// TestBuildOf: a merge belongs to a build when it writes into the build's
// interim directory, and takes the build's options.
func TestBuildOf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	segs := filepath.Join(dir, "index.bleve.new.segments")
	buildDirs.Store(segs, Options{GroupMergeMin: 5})
	defer buildDirs.Delete(segs)
	for path, want := range map[string]bool{
		filepath.Join(segs, "scorch-offline-build1", "000000000015.zap"): true,
		filepath.Join(dir, "index.bleve", "store", "000000000015.zap"):   false,
		segs + "x/000000000015.zap":                                      false,
	} {
		opts, got := buildOf(path)
		if got != want || (got && opts.GroupMergeMin != 5) {
			t.Errorf("buildOf(%s) = %+v, %v; want %v", path, opts, got, want)
		}
	}
}
