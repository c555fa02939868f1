package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"hondana/demo"
	"hondana/library"
	"hondana/mailer"
	"hondana/store"
)

// testEnv is a whole server over the demo library: a real SQLite file and
// a real index in a temporary directory, served over real HTTP. Building
// it takes seconds, so the tests of this package share one.
type testEnv struct {
	URL    string
	Server *Server
	DB     *store.DB
	Clock  *library.TestClock
	Cat    *library.Catalog
	// Mailer sends the outbox to the mailbox directory when a test calls
	// its SendDue (nothing sends by itself, so tests see every state).
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
	if envDir != "" {
		os.RemoveAll(envDir)
	}
	os.Exit(code)
}

// testBranches are the four libraries of the model city.
var testBranches = []store.Branch{
	{Code: "ozu", Name: "大洲図書館", NameEn: "Ozu Library", Address: "愛媛県大洲市東大洲270-1", Phone: "0893-24-2415"},
	{Code: "nagahama", Name: "長浜図書館", NameEn: "Nagahama Library", Address: "愛媛県大洲市長浜甲488", Phone: "0893-52-1233"},
	{Code: "hijikawa", Name: "肱川図書館", NameEn: "Hijikawa Library", Address: "愛媛県大洲市肱川町山鳥坂33-1", Phone: "0893-34-2011"},
	{Code: "kawabe", Name: "河辺図書館", NameEn: "Kawabe Library", Address: "愛媛県大洲市河辺町植松1144", Phone: "0893-39-2111"},
}

func testRules() library.CalendarRules {
	wk := library.Hours{Opens: "09:00", Closes: "19:00"}
	we := library.Hours{Opens: "09:00", Closes: "17:00"}
	return library.CalendarRules{
		ClosedOnHolidays: true, MonthEndCleaning: true, NewYearFrom: "12-29", NewYearTo: "01-03",
		Branches: map[string]library.BranchCalendar{
			"ozu":      {ClosedWeekdays: []time.Weekday{time.Monday}, Weekday: wk, Weekend: we},
			"nagahama": {ClosedWeekdays: []time.Weekday{time.Monday}, Weekday: wk, Weekend: we},
			"hijikawa": {ClosedWeekdays: []time.Weekday{time.Monday, time.Tuesday}, Weekday: wk, Weekend: we},
			"kawabe":   {ClosedWeekdays: []time.Weekday{time.Monday, time.Thursday}, Weekday: wk, Weekend: we},
		},
	}
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

func newEnv(dir string, withDemo bool) (*testEnv, error) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := &library.TestClock{}
	clock.Set(testNow)
	db, err := store.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	cal := library.NewCalendar(db, testRules(), tokyo)
	cat, err := library.OpenCatalog(ctx, db, dir, clock, log)
	if err != nil {
		return nil, err
	}
	if withDemo {
		if err := demo.Load(ctx, db, cat, demo.Options{Branches: testBranches, Calendar: cal, Clock: clock, Pepper: []byte("test-pepper"), Log: log}); err != nil {
			return nil, err
		}
		if err := cat.Rebuild(ctx); err != nil {
			return nil, err
		}
	}
	accounts, err := library.NewAccounts(db, clock, []byte("test-pepper"), library.DefaultAccountPolicy())
	if err != nil {
		return nil, err
	}
	if withDemo {
		if err := demo.SetPatronPassword(ctx, db, accounts); err != nil {
			return nil, err
		}
	}
	circ := library.NewCirculation(db, cal, clock, library.DefaultLoanPolicy())
	circ.Changed = cat.Changed
	letters := library.NewLetters(db, library.Letterhead{Library: "大洲市立図書館", BaseURL: "http://opac.example.jp"}, testRules())
	circ.SetMail(letters, library.DefaultMailPolicy())
	accounts.Letters = letters
	box, err := mailer.NewMailbox(filepath.Join(dir, "mailbox"))
	if err != nil {
		return nil, err
	}
	sender := library.NewMailer(circ, box, "noreply@library.city.ozu.example.jp", "大洲市立図書館")
	srv := New(Options{DB: db, Catalog: cat, Calendar: cal, Clock: clock, Log: log, TestClock: true, Accounts: accounts, Circulation: circ,
		Site: Site{Name: "大洲市立図書館", NameEn: "Ozu City Library", NewArrivalsDays: 30}, MailboxDir: box.Dir()})
	ts := httptest.NewServer(srv)
	return &testEnv{URL: ts.URL, Server: srv, DB: db, Clock: clock, Cat: cat, Mailer: sender, Mailbox: box.Dir()}, nil
}

func httptestServer(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
