// Package e2e tests the real server binary end to end: it builds hondana,
// starts it over the demo library with the test clock, and drives pages
// in a headless Chromium, setting up state through the JSON API.
//
// The tests share one server and one clock, so none of them runs in
// parallel: moving the clock 31 minutes (to activate a temporary password)
// ends every session that is idle, including other tests' ones. The
// production tests (ops_test.go: HTTPS, backups killed half-way) run
// servers of their own without the demo, and run in parallel with each
// other once the others are done.
//
// Without Debian's chromium the tests are skipped, unless
// HONDANA_REQUIRE_BROWSER=1 (as in CI), which makes a missing browser a
// failure. `go test -short` skips them too: building and starting the
// server takes tens of seconds.
package e2e

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hondana/internal/testbrowser"
)

// startTimeout bounds the first start of the demo server, which loads
// ~18,000 titles and builds the search index.
const startTimeout = 120 * time.Second

// suite is what TestMain sets up for every test.
var suite struct {
	base    string               // the server's URL, e.g. http://127.0.0.1:40123
	browser *testbrowser.Browser // the running Chromium; tabs open in contexts of their own
	skip    string               // why the tests cannot run (chromium missing, -short)
	err     error                // why setting up failed
	bin     string               // the hondana binary the suite built
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

	chromium := testbrowser.Path()
	switch {
	case testing.Short():
		suite.skip = "-short: the end-to-end tests build and start the server"
	case chromium == "" && testbrowser.Required():
		suite.err = testbrowser.ErrNoBrowser
	case chromium == "":
		suite.skip = "chromium not found; set HONDANA_REQUIRE_BROWSER=1 to make this a failure"
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

	browser, err := testbrowser.Start(chromium, filepath.Join(dir, "profile"), tabTimeout)
	if err != nil {
		suite.err = fmt.Errorf("start chromium: %w", err)
		return m.Run()
	}
	defer browser.Close()
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

// freeAddr asks the kernel for a free port on the loopback interface.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer builds the module (the parent of this directory) and
// starts the suite's server over the demo library. stop ends it.
func startServer(dir string) (stop func(), err error) {
	bin := filepath.Join(dir, "hondana")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	suite.bin = bin
	s, err := launch(filepath.Join(dir, "data"), filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	suite.base = s.base
	return s.stop, nil
}

// server is a running `hondana serve --demo --test-clock`.
type server struct {
	cmd     *exec.Cmd
	base    string
	logPath string
	logFile *os.File
	exited  chan error
	done    func() error // waits for the process to end, once
}

// launch starts the suite's binary over the data directory on a free
// port, with extra environment, and waits for /healthz.
func launch(data, logPath string, env ...string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("free port: %w", err)
	}
	s := &server{base: "http://" + addr, logPath: logPath, exited: make(chan error, 1)}
	if s.logFile, err = os.Create(logPath); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(suite.bin, "serve", "--demo", "--test-clock", "--data", data, "--addr", addr)
	s.cmd.Env = append(append(os.Environ(), "HONDANA_LOG_LEVEL=warn"), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.logFile, s.logFile
	if err := s.cmd.Start(); err != nil {
		s.logFile.Close()
		return nil, fmt.Errorf("start server: %w", err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	s.done = sync.OnceValue(func() error { return <-s.exited })

	deadline := time.Now().Add(startTimeout)
	for {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.exited:
			s.exited <- err // for done
			s.stop()
			return nil, fmt.Errorf("the server ended before it answered /healthz (%v); its output:\n%s", err, s.logTail())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("the server did not answer /healthz within %v; its output:\n%s", startTimeout, s.logTail())
		}
	}
}

// stop asks the server to shut down (SIGINT), killing it after 10 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	ended := make(chan struct{})
	go func() { s.done(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-ended
	}
	s.logFile.Close()
}

// kill ends the server at once (SIGKILL), as a crash would.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	s.done()
	s.logFile.Close()
}

// logTail is the tail of the server's output.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
