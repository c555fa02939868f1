package fast

import (
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

// TestPinnedVersions: the fast path writes Bleve's files itself, wraps its
// zap segment format and reads scorch's snapshots; it was checked against
// these versions. An upgrade of any of them is a deliberate act: run the
// equivalence tests, then change the pins here.
func TestPinnedVersions(t *testing.T) {
	t.Parallel()
	pinned := map[string]string{
		"github.com/blevesearch/bleve/v2":              "v2.6.3",
		"github.com/blevesearch/bleve_index_api":       "v1.4.1",
		"github.com/blevesearch/scorch_segment_api/v2": "v2.4.11",
		"github.com/blevesearch/zapx/v17":              "v17.2.5",
	}
	found := linkedVersions(t, pinned)
	for path, want := range pinned {
		if got := found[path]; got != want {
			t.Errorf("%s is %q; the fast path (search/internal/fast) was checked against %s.\n"+
				"Before moving the pin, run the tests that compare the fast path with Bleve's own:\n"+
				"  go test -count=5 -run 'TestBuildShapesAnswerAlike|TestParallelSearchMatchesBleve|TestFastAndPlainAnswerAlike|TestFastBuildFallsBack|TestFacetColumns|TestBuildFieldsMatchMapping' ./search/\n"+
				"and if they pass, set the pin in search/internal/fast/versions_test.go to %q.",
				path, got, want, got)
		}
	}
}

// linkedVersions returns the versions of the modules of pinned that the
// build uses: from the binary's build information, or, in a test binary,
// which go test builds without its modules' list, from the go command,
// which selects them for the test binary.
func linkedVersions(t *testing.T, pinned map[string]string) map[string]string {
	t.Helper()
	found := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok && len(info.Deps) > 0 {
		for _, m := range info.Deps {
			if m.Replace != nil {
				m = m.Replace
			}
			found[m.Path] = m.Version
		}
		return found
	}
	args := []string{"list", "-m", "-f", "{{.Path}} {{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}"}
	for path := range pinned {
		args = append(args, path)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, version, ok := strings.Cut(line, " "); ok {
			found[path] = version
		}
	}
	return found
}
