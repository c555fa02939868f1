// Package testbrowser drives Debian's headless Chromium for the browser
// tests of ui and e2e: finding and starting the browser, tabs in browser
// contexts of their own (no cookies shared), and the steps a test takes
// in a page, each bounded in time so that a failing test says so in
// seconds instead of hanging. Only tests import it.
//
// Without chromium the tests are skipped, unless HONDANA_REQUIRE_BROWSER=1
// (as in CI), which makes a missing browser a failure.
package testbrowser

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// StepTimeout bounds one step: chromedp waits for a missing element until
// its context ends.
const StepTimeout = 10 * time.Second

// Path is the path of the browser, or "" when there is none.
func Path() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Required reports whether a missing browser is a failure (CI).
func Required() bool { return os.Getenv("HONDANA_REQUIRE_BROWSER") == "1" }

// ErrNoBrowser says the browser is missing though it is required.
var ErrNoBrowser = errors.New("chromium not found, and HONDANA_REQUIRE_BROWSER=1")

// Require returns the browser's path, or skips t (fails it when a browser
// is required).
func Require(t testing.TB) string {
	t.Helper()
	p := Path()
	if p == "" {
		if Required() {
			t.Fatal(ErrNoBrowser)
		}
		t.Skip("chromium not found; set HONDANA_REQUIRE_BROWSER=1 to make this a failure")
	}
	return p
}

// Browser is a running headless Chromium.
type Browser struct {
	ctx    context.Context
	cancel func()
}

// Start starts the browser at path with its profile in profile (a
// directory of its own), its window 1280×900, without the background
// networking a closed network refuses.
func Start(path, profile string, timeout time.Duration) (*Browser, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(profile),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, cancel: func() { cancelCtx(); cancelAlloc() }}
	// The first run starts the browser; it must not carry a timeout,
	// which would end the browser with it. A timer bounds the start
	// instead.
	stuck := time.AfterFunc(timeout, cancelAlloc)
	err := chromedp.Do(ctx)
	stuck.Stop()
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// StartFor starts a browser of t's own (its own profile), closed when t
// ends; it skips or fails t as Require does.
func StartFor(t *testing.T, timeout time.Duration) *Browser {
	t.Helper()
	path := Require(t)
	b, err := Start(path, t.TempDir(), timeout)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Cleanups run last in, first out: the browser ends before its
	// profile directory is removed.
	t.Cleanup(b.Close)
	return b
}

// Close ends the browser.
func (b *Browser) Close() { b.cancel() }

// Tab is a browser tab pointed at a site, reporting to a test.
type Tab struct {
	T    *testing.T
	Ctx  context.Context
	Base string // the site's URL; Open takes paths under it
}

// NewTab opens a tab in a new browser context (cookies of its own) asking
// for Japanese; the whole test in it is bounded by timeout, and it closes
// when t ends.
func (b *Browser) NewTab(t *testing.T, base string, timeout time.Duration) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelTimeout)
	tab := &Tab{T: t, Ctx: tctx, Base: base}
	tab.AcceptLanguage("ja")
	return tab
}

// With is the same tab, reporting to t (a subtest).
func (b *Tab) With(t *testing.T) *Tab {
	nb := *b
	nb.T = t
	return &nb
}

// AcceptLanguage sets the Accept-Language header the tab sends.
func (b *Tab) AcceptLanguage(v string) {
	b.T.Helper()
	if _, err := chromedp.Call(b.Ctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": v}}); err != nil {
		b.T.Fatalf("set Accept-Language: %v", err)
	}
}

// NoScript turns JavaScript off in the tab, as for a patron without it.
func (b *Tab) NoScript() {
	b.T.Helper()
	if _, err := chromedp.Call(b.Ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		b.T.Fatalf("disable scripts: %v", err)
	}
}

// Open loads path and returns the HTTP status of the document (after
// redirects).
func (b *Tab) Open(path string) int64 {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.Base+path))
	if err != nil {
		b.T.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// Follow runs steps that lead to another page (a click, a submit) and
// waits until that page has loaded; it returns the HTTP status.
func (b *Tab) Follow(what string, steps ...chromedp.Action[chromedp.Void]) int64 {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		b.T.Fatalf("%s: %v (page %s)", what, err, b.Location())
	}
	return resp.Status
}

// Press clicks the button with the given text in the page's main part and
// waits for the page it leads to.
func (b *Tab) Press(label string) int64 {
	b.T.Helper()
	return b.Follow("press "+label, chromedp.Click(chromedp.Search(`//main//button[normalize-space()=`+XPathString(label)+`]`)))
}

// Do runs steps, each bounded by StepTimeout.
func (b *Tab) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.T.Fatalf("%s: %v", what, err)
	}
}

// Eval evaluates a JavaScript expression in the page (DevTools may do so
// even when the page's own scripts are off).
func Eval[T any](b *Tab, expr string) T {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.T.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// JSString quotes s for JavaScript.
func JSString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// XPathString quotes s for XPath 1.0, which has no escapes.
func XPathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	parts := strings.Split(s, `"`)
	return `concat("` + strings.Join(parts, `", '"', "`) + `")`
}

// Texts returns the visible text of every element matching a CSS
// selector, trimmed; none is an empty list, at once (no waiting).
func (b *Tab) Texts(css string) []string {
	b.T.Helper()
	return Eval[[]string](b, `Array.from(document.querySelectorAll(`+JSString(css)+`), e => e.innerText.trim())`)
}

// Text is the text of the first element matching css, or "" when none.
func (b *Tab) Text(css string) string {
	b.T.Helper()
	if all := b.Texts(css); len(all) > 0 {
		return all[0]
	}
	return ""
}

// XTexts is Texts for an XPath expression.
func (b *Tab) XTexts(xpath string) []string {
	b.T.Helper()
	return Eval[[]string](b, `(() => { const r = document.evaluate(`+JSString(xpath)+`, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
		const out = []; for (let i = 0; i < r.snapshotLength; i++) out.push(r.snapshotItem(i).innerText.trim()); return out; })()`)
}

// Location is the URL of the page, parsed.
func (b *Tab) Location() *url.URL {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, StepTimeout)
	defer cancel()
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		return &url.URL{Path: "(unknown: " + err.Error() + ")"}
	}
	u, err := url.Parse(href)
	if err != nil {
		b.T.Fatal(err)
	}
	return u
}

// BodyText is all the visible text of the page.
func (b *Tab) BodyText() string {
	b.T.Helper()
	return Eval[string](b, `document.body ? document.body.innerText : ""`)
}

// MainText is all the visible text of the page's main part.
func (b *Tab) MainText() string {
	b.T.Helper()
	return Eval[string](b, `(document.querySelector("main") || document.body || {innerText: ""}).innerText`)
}
