package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"hondana/internal/testbrowser"
)

// axeTags are the rule sets the pages must pass: WCAG 2.2 level AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeExtra are axe-core's best-practice rules the pages pass as well: a
// page has one h1 and no jumps in its heading levels, and one main.
var axeExtra = []string{"page-has-heading-one", "heading-order", "landmark-one-main", "landmark-unique", "landmark-no-duplicate-banner", "landmark-no-duplicate-contentinfo"}

// axePath finds axe-core's axe.min.js: HONDANA_AXE (set by .ci/run), else
// where .ci/run installs it (.cache/axe under the module), else a global
// npm install.
func axePath() string {
	if p := os.Getenv("HONDANA_AXE"); p != "" {
		return p
	}
	for _, p := range []string{
		filepath.Join("..", ".cache", "axe", "node_modules", "axe-core", "axe.min.js"),
		"/usr/local/lib/node_modules/axe-core/axe.min.js",
		"/usr/lib/node_modules/axe-core/axe.min.js",
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

var axeSource = sync.OnceValues(func() (string, error) {
	p := axePath()
	if p == "" {
		return "", os.ErrNotExist
	}
	b, err := os.ReadFile(p)
	return string(b), err
})

// needAxe returns axe-core's source, or skips t (fails it when the
// browser is required, as in CI, which installs axe-core).
func needAxe(t *testing.T) string {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		if testbrowser.Required() {
			t.Fatalf("axe-core not found (%v): run `npm install --prefix .cache/axe axe-core` or set HONDANA_AXE", err)
		}
		t.Skip("axe-core not found; install it as .ci/run does, or set HONDANA_AXE")
	}
	return src
}

// axeViolation is one rule a page breaks, with where.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

func (v axeViolation) String() string {
	n := v.Nodes
	if len(n) > 3 {
		n = append(n[:3:3], fmt.Sprintf("… %d more", len(v.Nodes)-3))
	}
	return fmt.Sprintf("%s (%s: %s) at %s", v.ID, v.Impact, v.Help, strings.Join(n, " | "))
}

// axe runs axe-core over the page as it is and returns the WCAG 2.2 AA
// violations. DevTools evaluates it even where the page's own scripts
// are off, and the site's script policy does not apply to it.
func (b *tab) axe() []axeViolation {
	b.T.Helper()
	src := needAxe(b.T)
	ctx, cancel := context.WithTimeout(b.Ctx, 2*testbrowser.StepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined" || (() => { `+src+`; return true })()`)); err != nil {
		b.T.Fatalf("load axe-core: %v", err)
	}
	tags, _ := json.Marshal(axeTags)
	rules := map[string]map[string]bool{}
	for _, r := range axeExtra {
		rules[r] = map[string]bool{"enabled": true}
	}
	extra, _ := json.Marshal(rules)
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: "tag", values: `+string(tags)+`}, rules: `+string(extra)+`, resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({ID: v.id, Impact: v.impact || "", Help: v.help, Nodes: v.nodes.map(n => n.target.join(" ") + " " + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 160))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.T.Fatalf("run axe-core: %v", err)
	}
	return vs
}
