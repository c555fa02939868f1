// Package testmail runs a real SMTP server for tests: mailpit
// (github.com/axllent/mailpit), started as a process on free ports, with
// its API to read what arrived. Only tests import it.
package testmail

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	once    sync.Once
	binary  string
	findErr error
)

// Binary finds mailpit: $MAILPIT when set, else the version go.mod pins
// with its tool directive (`tool github.com/axllent/mailpit`), which
// `go tool -n` builds into the build cache once and names. A test that
// cannot get it is skipped, or fails when HONDANA_REQUIRE_MAILPIT is set
// (CI).
func Binary(t testing.TB) string {
	t.Helper()
	once.Do(func() { binary, findErr = find() })
	if findErr != nil {
		if os.Getenv("HONDANA_REQUIRE_MAILPIT") != "" {
			t.Fatalf("mailpit is required: %v", findErr)
		}
		t.Skipf("no mailpit (%v); `go tool mailpit` builds it", findErr)
	}
	return binary
}

func find() (string, error) {
	if p := os.Getenv("MAILPIT"); p != "" {
		return p, nil
	}
	// The test runs in its package's directory, inside the module.
	out, err := exec.Command("go", "tool", "-n", "mailpit").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%v: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("go tool -n mailpit: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// FreePort returns a TCP port nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Server is a running mailpit.
type Server struct {
	SMTPPort int
	API      string // http://127.0.0.1:port
	cmd      *exec.Cmd
	args     []string
}

// Start runs mailpit with its SMTP server on smtpPort (0: a free one).
// Extra arguments go to mailpit (e.g. --smtp-allowed-recipients).
func Start(t testing.TB, smtpPort int, extra ...string) *Server {
	t.Helper()
	bin := Binary(t)
	if smtpPort == 0 {
		smtpPort = FreePort(t)
	}
	s := &Server{SMTPPort: smtpPort, API: fmt.Sprintf("http://127.0.0.1:%d", FreePort(t))}
	s.args = []string{"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort), "--listen", s.API[len("http://"):],
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--quiet", "--disable-version-check",
		"--smtp-auth-accept-any", "--smtp-disable-rdns"}
	if !slices.Contains(extra, "--smtp-require-starttls") && !slices.Contains(extra, "--smtp-require-tls") {
		// Authentication without TLS, which mailpit refuses to combine with required TLS.
		s.args = append(s.args, "--smtp-auth-allow-insecure")
	}
	s.args = append(s.args, extra...)
	s.cmd = exec.Command(bin, s.args...)
	s.cmd.Stdout, s.cmd.Stderr = os.Stderr, os.Stderr // mailpit logs its errors to standard output
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.API + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", smtpPort)); err == nil {
				c.Close()
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop ends mailpit (its SMTP port then refuses connections).
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		s.cmd = nil
	}
}

// Address is a name and address as mailpit reports them.
type Address struct {
	Name    string
	Address string
}

// Message is a received message as mailpit decoded it.
type Message struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
	Text      string
	Headers   map[string][]string
}

// Messages lists what arrived, newest first, each read in full.
func (s *Server) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []struct{ ID string }
	}
	s.get(t, "/api/v1/messages?limit=500", &list)
	out := make([]Message, len(list.Messages))
	for i, m := range list.Messages {
		s.get(t, "/api/v1/message/"+m.ID, &out[i])
		s.get(t, "/api/v1/message/"+m.ID+"/headers", &out[i].Headers)
	}
	return out
}

// WaitFor waits until at least n messages arrived and returns them all.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var list struct{ Total int }
		s.get(t, "/api/v1/messages?limit=1", &list)
		if list.Total >= n || time.Now().After(deadline) {
			return s.Messages(t)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.API + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}
