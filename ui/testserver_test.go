package ui_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"hondana/internal/app"
	"hondana/library"
	"hondana/store"
	"hondana/ui"
)

// testEnv is a whole server over the demo library, built as the binary
// builds it (internal/app): a real SQLite file and a real index in a
// temporary directory, served over real HTTP. Building it takes seconds,
// so the tests of this package share one. Nothing runs in the background:
// the outbox is sent, and the index caught up, when a test asks.
type testEnv struct {
	URL    string
	App    *app.App
	Server *ui.Server
	DB     *store.DB
	Clock  *library.TestClock
	Cat    *library.Catalog
	// Mailer sends the outbox to the mailbox directory when a test calls
	// its SendDue.
	Mailer  *library.Mailer
	Mailbox string
}

// testNow is the demo's "today": a Friday, with a closed Monday, a
// holiday and the month end close by.
var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo)

var tokyo, _ = time.LoadLocation("Asia/Tokyo")

var (
	envOnce sync.Once
	env     *testEnv
	envErr  error
	envDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if env != nil {
		env.App.Close()
	}
	if envDir != "" {
		os.RemoveAll(envDir)
	}
	os.Exit(code)
}

// testConfig is the model city of the tests: its four libraries (Monday
// closed everywhere, Hijikawa also on Tuesday, Kawabe on Thursday),
// holidays, month-end cleaning and the New Year closure.
func testConfig(dir string, withDemo bool) app.Config {
	c := app.Default()
	c.DataDir = dir
	c.Demo = withDemo
	c.TestClock = true
	c.Pepper = "test-pepper"
	c.BaseURL = "http://opac.example.jp"
	for i := range c.Branches {
		b := &c.Branches[i]
		b.WeekdayOpens, b.WeekdayCloses, b.WeekendOpens, b.WeekendCloses = "09:00", "19:00", "09:00", "17:00"
	}
	return c
}

// demoEnv returns the shared server over the demo library.
func demoEnv(t testing.TB) *testEnv {
	t.Helper()
	envOnce.Do(func() {
		envDir, envErr = os.MkdirTemp("", "hondana-ui-test-")
		if envErr != nil {
			return
		}
		env, envErr = newEnv(envDir, true)
	})
	if envErr != nil {
		t.Fatal(envErr)
	}
	return env
}

// newEnv builds a server in dir from the test configuration, at testNow.
func newEnv(dir string, withDemo bool) (*testEnv, error) {
	return newEnvOf(testConfig(dir, withDemo))
}

func newEnvOf(cfg app.Config) (*testEnv, error) {
	clock := &library.TestClock{}
	clock.Set(testNow)
	a, err := app.New(context.Background(), cfg, app.Options{Clock: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	ts := httptest.NewServer(a.Handler)
	return &testEnv{URL: ts.URL, App: a, Server: a.Handler, DB: a.DB, Clock: clock, Cat: a.Catalog, Mailer: a.Mailer,
		Mailbox: cfg.MailboxDir()}, nil
}

func httptestServer(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
