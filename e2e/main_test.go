// Package e2e tests the real server binary end to end: it builds hondana,
// starts it over the demo library with the test clock, and drives pages
// in a headless Chromium, setting up state through the JSON API.
//
// The tests share one server and one clock, so none of them runs in
// parallel: moving the clock 31 minutes (to activate a temporary password)
// ends every session that is idle, including other tests' ones.
//
// Without Debian's chromium the tests are skipped, unless
// HONDANA_REQUIRE_BROWSER=1 (as in CI), which makes a missing browser a
// failure. `go test -short` skips them too: building and starting the
// server takes tens of seconds.
package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// startTimeout bounds the first start of the demo server, which loads
// ~18,000 titles and builds the search index.
const startTimeout = 120 * time.Second

// suite is what TestMain sets up for every test.
var suite struct {
	base    string          // the server's URL, e.g. http://127.0.0.1:40123
	browser context.Context // the running Chromium; tabs open in contexts of their own
	skip    string          // why the tests cannot run (chromium missing, -short)
	err     error           // why setting up failed
	logPath string          // the server's output, for failures
	bin     string          // the hondana binary the suite built
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "hondana-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	chromium := findChromium()
	switch {
	case testing.Short():
		suite.skip = "-short: the end-to-end tests build and start the server"
	case chromium == "":
		suite.skip = "chromium not found; set HONDANA_REQUIRE_BROWSER=1 to make this a failure"
		if os.Getenv("HONDANA_REQUIRE_BROWSER") == "1" {
			suite.skip = ""
			suite.err = errors.New("chromium not found, and HONDANA_REQUIRE_BROWSER=1")
		}
	}
	if suite.skip != "" || suite.err != nil {
		return m.Run()
	}

	stop, err := startServer(dir)
	if err != nil {
		suite.err = err
		return m.Run()
	}
	defer stop()

	browser, closeBrowser, err := startBrowser(chromium, filepath.Join(dir, "profile"))
	if err != nil {
		suite.err = err
		return m.Run()
	}
	defer closeBrowser()
	suite.browser = browser
	return m.Run()
}

// ready fails or skips t when TestMain could not set up the suite.
func ready(t *testing.T) {
	t.Helper()
	if suite.skip != "" {
		t.Skip(suite.skip)
	}
	if suite.err != nil {
		t.Fatal(suite.err)
	}
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// freeAddr asks the kernel for a free port on the loopback interface.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer builds the module (the parent of this directory), starts
// `hondana serve --demo --test-clock` on a free port and waits for
// /healthz. stop ends the server.
func startServer(dir string) (stop func(), err error) {
	bin := filepath.Join(dir, "hondana")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	suite.bin = bin
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("free port: %w", err)
	}
	suite.logPath = filepath.Join(dir, "server.log")
	logFile, err := os.Create(suite.logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--demo", "--test-clock", "--data", filepath.Join(dir, "data"), "--addr", addr)
	cmd.Env = append(os.Environ(), "HONDANA_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		logFile.Close()
	}

	suite.base = "http://" + addr
	deadline := time.Now().Add(startTimeout)
	for {
		if resp, err := http.Get(suite.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		select {
		case err := <-exited:
			exited <- err // for stop
			stop()
			return nil, fmt.Errorf("the server ended before it answered /healthz (%v); its output:\n%s", err, serverLog())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("the server did not answer /healthz within %v; its output:\n%s", startTimeout, serverLog())
		}
	}
}

// serverLog is the tail of the server's output.
func serverLog() string {
	b, _ := os.ReadFile(suite.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// startBrowser starts one headless Chromium for the whole suite; each test
// opens its tab in a browser context of its own, so no cookies leak.
func startBrowser(path, profile string) (context.Context, func(), error) {
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
	closeAll := func() {
		cancelCtx()
		cancelAlloc()
	}
	// The first run starts the browser; it must not carry a timeout, which
	// would end the browser with it. A timer bounds the start instead.
	stuck := time.AfterFunc(tabTimeout, cancelAlloc)
	err := chromedp.Do(ctx)
	stuck.Stop()
	if err != nil {
		closeAll()
		return nil, nil, fmt.Errorf("start chromium: %w", err)
	}
	return ctx, closeAll, nil
}
