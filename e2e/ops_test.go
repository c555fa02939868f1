package e2e

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hondana/store"
)

// The production side of the binary: HTTPS from certificate files and
// their reload, and backups killed half-way. Each test runs servers of
// its own, without the demo, so they run in parallel with each other.

// process is a hondana command of the suite's binary, its output kept.
type process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan error
}

// startCmd starts the binary with args and extra environment; the test's
// end kills it if it still runs.
func startCmd(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(suite.bin, args...), done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = pw, pw
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	go func() { err := p.cmd.Wait(); pw.Close(); p.done <- err }()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done; p.done <- nil })
	return p
}

// output is what the process wrote so far.
func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitOutput waits until the output holds s, failing after d or when the
// process ends first.
func (p *process) waitOutput(t *testing.T, s string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(p.output(), s) {
		select {
		case err := <-p.done:
			p.done <- err
			if strings.Contains(p.output(), s) {
				return
			}
			t.Fatalf("the process ended (%v) before it said %q:\n%s", err, s, p.output())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("not said within %s: %q:\n%s", d, s, p.output())
		}
	}
}

// runCmd runs a command of the binary to its end and returns its output.
func runCmd(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(suite.bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// selfSigned makes a CA and a certificate for localhost and 127.0.0.1 it
// signs, writes the certificate and key as PEM files, and returns the
// CA's pool and the certificate's serial number.
func selfSigned(t *testing.T, certFile, keyFile string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
}

// newCA makes a certificate authority for a test.
func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Hondana test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return ca, key, pool
}

// TestHTTPS (R63): the server serves HTTPS from certificate files, with
// HSTS; plain HTTP answers with a permanent redirect to the same path
// over HTTPS; after the files are replaced, SIGHUP makes the server
// serve the new certificate without a restart, and files that do not
// load leave the one in use.
func TestHTTPS(t *testing.T) {
	ready(t)
	t.Parallel()
	dir := t.TempDir()
	ca, caKey, pool := newCA(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	selfSigned(t, certFile, keyFile, ca, caKey, 1001)
	addr, _ := freeAddr()
	plainAddr, _ := freeAddr()
	p := startCmd(t, []string{"HONDANA_TLS_CERT_FILE=" + certFile, "HONDANA_TLS_KEY_FILE=" + keyFile,
		"HONDANA_TLS_HTTP_ADDR=" + plainAddr, "HONDANA_PEPPER=tls-test", "HONDANA_LOG_LEVEL=info"},
		"serve", "--data", filepath.Join(dir, "data"), "--addr", addr)
	p.waitOutput(t, "hondana is serving", 60*time.Second)
	_, port, _ := net.SplitHostPort(addr)
	base := "https://localhost:" + port

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	served := func() int64 {
		t.Helper()
		resp, err := client.Get(base + "/healthz")
		if err != nil {
			t.Fatalf("GET /healthz over HTTPS: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("/healthz over HTTPS: %d", resp.StatusCode)
		}
		if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "max-age=31536000" {
			t.Errorf("HSTS header: %q", hsts)
		}
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64()
	}
	if s := served(); s != 1001 {
		t.Fatalf("serving certificate %d, want 1001", s)
	}
	// A page, with its cookies marked Secure.
	resp, err := client.Get(base + "/staff/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s over HTTPS is not Secure", c.Name)
		}
	}

	// Plain HTTP: a redirect, for GET and POST.
	for _, m := range []string{"GET", "POST"} {
		req, _ := http.NewRequest(m, "http://"+plainAddr+"/search?q=%E6%9C%AC", nil)
		req.Host = "localhost"
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := map[string]int{"GET": 301, "POST": 308}[m]
		if resp.StatusCode != want || resp.Header.Get("Location") != base+"/search?q=%E6%9C%AC" {
			t.Errorf("%s over plain HTTP: %d to %q, want %d to %s", m, resp.StatusCode, resp.Header.Get("Location"), want, base+"/search?q=%E6%9C%AC")
		}
	}

	// A renewed certificate, then SIGHUP.
	selfSigned(t, certFile, keyFile, ca, caKey, 1002)
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitOutput(t, "certificate reloaded", 10*time.Second)
	if s := served(); s != 1002 {
		t.Errorf("after SIGHUP serving certificate %d, want 1002", s)
	}
	// A broken file: the one in use stays.
	os.WriteFile(certFile, []byte("not a certificate"), 0o600)
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitOutput(t, "the certificate files did not load", 10*time.Second)
	if s := served(); s != 1002 {
		t.Errorf("after a SIGHUP with broken files serving certificate %d, want 1002", s)
	}
	fmt.Fprintf(os.Stderr, "e2e: HTTPS served certificates 1001, then 1002 after SIGHUP\n")
}

// TestACME (R63): with tls.acme_domains the server gets its certificate
// from an ACME CA (Debian's pebble, a test CA, run here on loopback),
// answering its challenge itself, and serves it. Without pebble the test
// is skipped, unless HONDANA_REQUIRE_PEBBLE=1 (as in CI).
func TestACME(t *testing.T) {
	ready(t)
	t.Parallel()
	pebble, err := exec.LookPath("pebble")
	if err != nil {
		if os.Getenv("HONDANA_REQUIRE_PEBBLE") == "1" {
			t.Fatal("pebble not found (apt-get install pebble); HONDANA_REQUIRE_PEBBLE=1")
		}
		t.Skip("pebble not found (apt-get install pebble); set HONDANA_REQUIRE_PEBBLE=1 to make this a failure")
	}
	dir := t.TempDir()
	ca, caKey, _ := newCA(t)
	// Pebble's own listener, with a certificate our CA signed, which
	// the server is told to trust (tls.acme_ca_file).
	pebbleCert, pebbleKey := filepath.Join(dir, "pebble-cert.pem"), filepath.Join(dir, "pebble-key.pem")
	selfSigned(t, pebbleCert, pebbleKey, ca, caKey, 7)
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600)
	addr, _ := freeAddr()
	plainAddr, _ := freeAddr()
	acmeAddr, _ := freeAddr()
	mgmtAddr, _ := freeAddr()
	_, port, _ := net.SplitHostPort(addr)
	_, plainPort, _ := net.SplitHostPort(plainAddr)
	config := fmt.Sprintf(`{"pebble":{"listenAddress":%q,"managementListenAddress":%q,"certificate":%q,"privateKey":%q,"httpPort":%s,"tlsPort":%s,"ocspResponderURL":"","externalAccountBindingRequired":false}}`,
		acmeAddr, mgmtAddr, pebbleCert, pebbleKey, plainPort, port)
	configFile := filepath.Join(dir, "pebble.json")
	os.WriteFile(configFile, []byte(config), 0o600)
	// Its DNS: every name is 127.0.0.1 (pebble's challenge test server),
	// so that a public-looking name, which autocert wants, leads here.
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dnsAddr := udp.LocalAddr().String()
	udp.Close()
	dnsMgmt, _ := freeAddr()
	dns := exec.Command(pebble+"-challtestsrv", "-dns01", dnsAddr, "-http01", "", "-https01", "", "-tlsalpn01", "",
		"-management", dnsMgmt, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "")
	if err := dns.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dns.Process.Kill(); dns.Wait() })
	pb := &process{cmd: exec.Command(pebble, "-config", configFile, "-dnsserver", dnsAddr), done: make(chan error, 1)}
	pb.cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0")
	out, _ := os.Create(filepath.Join(dir, "pebble.log"))
	pb.cmd.Stdout, pb.cmd.Stderr = out, out
	if err := pb.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pb.cmd.Process.Kill(); pb.cmd.Wait(); out.Close() })
	pebbleLog := func() string { b, _ := os.ReadFile(filepath.Join(dir, "pebble.log")); return string(b) }
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", acmeAddr); err == nil {
			c.Close()
			break
		}
		if i == 500 {
			t.Fatalf("pebble did not listen within 10 s:\n%s", pebbleLog())
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, acmePort, _ := net.SplitHostPort(acmeAddr)
	const name = "opac.hondana.test"
	p := startCmd(t, []string{"HONDANA_TLS_ACME_DOMAINS=" + name, "HONDANA_TLS_ACME_EMAIL=admin@example.jp",
		"HONDANA_TLS_ACME_DIRECTORY=https://localhost:" + acmePort + "/dir", "HONDANA_TLS_ACME_CA_FILE=" + caFile,
		"HONDANA_TLS_HTTP_ADDR=" + plainAddr, "HONDANA_PEPPER=acme-test", "HONDANA_LOG_LEVEL=info"},
		"serve", "--data", filepath.Join(dir, "data"), "--addr", addr)
	p.waitOutput(t, "hondana is serving", 60*time.Second)

	// The first connection asks for the certificate: autocert gets it
	// then, answering pebble's challenge on this server's ports.
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true, ServerName: name},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
	resp, err := client.Get("https://" + name + ":" + port + "/healthz")
	if err != nil {
		t.Fatalf("GET over HTTPS with an ACME certificate: %v\nserver:\n%s\npebble:\n%s", err, p.output(), pebbleLog())
	}
	resp.Body.Close()
	leaf := resp.TLS.PeerCertificates[0]
	if resp.StatusCode != 200 || !strings.Contains(leaf.Issuer.CommonName, "Pebble") || len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != name {
		t.Errorf("HTTPS with ACME: %d, certificate of %v issued by %q", resp.StatusCode, leaf.DNSNames, leaf.Issuer.CommonName)
	}
	// Issued and kept in the cache: a restart needs no new one.
	if entries, _ := os.ReadDir(filepath.Join(dir, "data", "acme")); len(entries) < 2 {
		t.Errorf("the ACME cache holds %d files, want the account key and the certificate", len(entries))
	}
	fmt.Fprintf(os.Stderr, "e2e: a certificate from pebble for %v, issued by %s\n", leaf.DNSNames, leaf.Issuer.CommonName)
}

// bigLibrary makes a data directory whose database is about mb
// megabytes (news of random text, which gzip works at), so that a
// backup of it takes long enough to be killed half-way, and a staff
// account; it returns the environment the commands on it need.
func bigLibrary(t *testing.T, data string, mb int) []string {
	t.Helper()
	env := []string{"HONDANA_PEPPER=kill-test", "HONDANA_LOG_LEVEL=info"}
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	err = db.Tx(context.Background(), func(tx *sql.Tx) error {
		for range mb {
			rand.Read(buf)
			if _, err := tx.Exec(`INSERT INTO news(day, title, body, created_at) VALUES('2026-12-01', 'x', ?, 'x')`, base64.StdEncoding.EncodeToString(buf)[:1<<20]); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(suite.bin, "staff", "add", "--data", data, "--username", "kanri", "--role", "admin", "--password-stdin")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("kanri-password-1\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("staff add: %v\n%s", err, out)
	}
	return env
}

// writeRecords adds records (their barcodes begin with prefix) through
// the API of the server at base until stop is closed, or until one
// fails, and returns how many it added.
func writeRecords(t *testing.T, base, prefix string, stop <-chan struct{}) (added <-chan int) {
	t.Helper()
	var login struct{ Token string }
	apiPost(t, base, "/staff/login", "", `{"username":"kanri","password":"kanri-password-1"}`, 200, &login)
	n := make(chan int, 1)
	go func() {
		i := 0
		defer func() { n <- i }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if !apiPost(t, base, "/staff/records", login.Token, fmt.Sprintf(`{"title":"書き込み中の本 %s%d","items":[{"barcode":"KW-%s%d","branch":"ozu"}]}`, prefix, i, prefix, i), 201, nil) {
				<-stop
				return
			}
			i++
		}
	}()
	return n
}

// apiPost posts body to the API at base and reports whether the status
// was want, decoding the answer into out.
func apiPost(t *testing.T, base, path, token, body string, want int, out any) bool {
	req, _ := http.NewRequest("POST", base+"/api/v1"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", path, err)
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Errorf("POST %s: %d %s", path, resp.StatusCode, b)
		return false
	}
	if out != nil {
		json.Unmarshal(b, out)
	}
	return true
}

// waitPartial waits until a backup being written shows in dir (its
// partial file), and returns its name.
func waitPartial(t *testing.T, dir string, p *process) {
	t.Helper()
	for i := 0; ; i++ {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".partial") {
				return
			}
		}
		if i == 30000 {
			t.Fatalf("no backup begun in %s within 30 s:\n%s", dir, p.output())
		}
		time.Sleep(time.Millisecond)
	}
}

// checkBackups checks every backup in dir: each file under a final
// name restores to a good database (store.Check); partial files (and
// the journal SQLite made beside one) are what killed backups left. It returns the number of good backups.
func checkBackups(t *testing.T, dir string) (good int) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if strings.Contains(name, ".partial") || strings.HasSuffix(name, ".checked") {
			continue
		}
		path := filepath.Join(dir, name)
		plain := path + ".checked"
		if err := store.Unpack(path, plain); err != nil {
			t.Errorf("backup %s: %v", name, err)
			continue
		}
		if _, err := store.Check(context.Background(), plain); err != nil {
			t.Errorf("backup %s, under its final name, is not good: %v", name, err)
		}
		os.Remove(plain)
		good++
	}
	return good
}

// TestBackupKilled (R65): `hondana backup` killed (SIGKILL) at moments
// all through its work, while the server runs and records are written:
// the backup file is complete and valid or absent, never half-written;
// afterwards a backup runs through and the server's database passes
// integrity_check.
func TestBackupKilled(t *testing.T) {
	ready(t)
	t.Parallel()
	dir := t.TempDir()
	data, out := filepath.Join(dir, "data"), filepath.Join(dir, "backups")
	os.Mkdir(out, 0o700)
	env := bigLibrary(t, data, 96)
	addr, _ := freeAddr()
	srv := startCmd(t, env, "serve", "--data", data, "--addr", addr)
	srv.waitOutput(t, "hondana is serving", 60*time.Second)
	stop := make(chan struct{})
	added := writeRecords(t, "http://"+addr, "", stop)
	killed := 0
	for i, delay := range []time.Duration{0, 20 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond} {
		dest := filepath.Join(out, fmt.Sprintf("b%d.db.gz", i))
		p := startCmd(t, env, "backup", "--data", data, dest)
		waitPartial(t, out, p)
		time.Sleep(delay)
		p.cmd.Process.Kill()
		if err := <-p.done; err != nil {
			killed++
		}
		p.done <- nil
		// Its partial files: none may keep a final name.
		entries, _ := os.ReadDir(out)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".partial") {
				os.Remove(filepath.Join(out, e.Name()))
			}
		}
	}
	if killed == 0 {
		t.Error("no backup was killed before it ended: the database is too small for this test")
	}
	good := checkBackups(t, out)
	// A backup left to finish, with the server still writing.
	final := filepath.Join(out, "final.db")
	if o, err := runCmd(t, env, "backup", "--data", data, final); err != nil {
		t.Fatalf("backup after the kills: %v\n%s", err, o)
	}
	close(stop)
	n := <-added
	srv.cmd.Process.Signal(os.Interrupt)
	<-srv.done
	srv.done <- nil
	if got := checkBackups(t, out); got != good+1 {
		t.Errorf("%d good backups, want %d", got, good+1)
	}
	checkLive(t, data)
	fmt.Fprintf(os.Stderr, "e2e: %d of 6 backups killed half-way, %d finished before the kill; %d records written meanwhile\n", killed, good, n)
}

// checkLive runs integrity_check on the database in data, as the next
// start finds it.
func checkLive(t *testing.T, data string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check of the live database: %q %v", res, err)
	}
}

// TestScheduledBackupKilled (R65): the server killed (SIGKILL) while it
// writes a scheduled backup: the backup directory holds only complete,
// valid backups (and the partial file), the next start passes
// integrity_check and its next scheduled backup is good.
func TestScheduledBackupKilled(t *testing.T) {
	ready(t)
	t.Parallel()
	dir := t.TempDir()
	data, out := filepath.Join(dir, "data"), filepath.Join(dir, "backups")
	env := append(bigLibrary(t, data, 96), "HONDANA_BACKUP_SCHEDULE=1s", "HONDANA_BACKUP_DIR="+out, "HONDANA_BACKUP_KEEP=3")
	for round := range 2 {
		addr, _ := freeAddr()
		srv := startCmd(t, env, "serve", "--data", data, "--addr", addr)
		srv.waitOutput(t, "hondana is serving", 60*time.Second)
		stop := make(chan struct{})
		added := writeRecords(t, "http://"+addr, fmt.Sprint(round), stop)
		if round == 0 {
			os.MkdirAll(out, 0o700)
			waitPartial(t, out, srv)
			time.Sleep(300 * time.Millisecond)
			close(stop)
			<-added
			srv.cmd.Process.Kill()
			<-srv.done
			srv.done <- nil
			if strings.Contains(srv.output(), "scheduled backup written") {
				t.Logf("a backup finished before the kill")
			}
			checkBackups(t, out)
			checkLive(t, data)
			continue
		}
		srv.waitOutput(t, "scheduled backup written", 60*time.Second)
		close(stop)
		<-added
		if good := checkBackups(t, out); good == 0 {
			t.Error("no good backup after the restart")
		}
	}
}

// TestHangupWithoutTLS: SIGHUP (systemctl reload) to a server with no
// certificate files is logged and changes nothing; before, its default
// action ended the process, which systemd counts as a clean exit and
// does not restart.
func TestHangupWithoutTLS(t *testing.T) {
	ready(t)
	t.Parallel()
	addr, _ := freeAddr()
	p := startCmd(t, []string{"HONDANA_PEPPER=hup", "HONDANA_LOG_LEVEL=info"}, "serve", "--data", filepath.Join(t.TempDir(), "data"), "--addr", addr)
	p.waitOutput(t, "hondana is serving", 60*time.Second)
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitOutput(t, "SIGHUP: no certificate files to reload", 10*time.Second)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("after SIGHUP: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after SIGHUP /healthz: %d", resp.StatusCode)
	}
}

// TestRestoreKilled (R65): `hondana restore` killed (SIGKILL) at moments
// all through its work: the data directory always holds a database that
// passes integrity_check, either the one that was there or the backup,
// never neither; a restore run again completes, and the server starts
// on what it restored.
func TestRestoreKilled(t *testing.T) {
	ready(t)
	t.Parallel()
	dir := t.TempDir()
	data, backup := filepath.Join(dir, "data"), filepath.Join(dir, "before.db.gz")
	env := bigLibrary(t, data, 64)
	if o, err := runCmd(t, env, "backup", "--data", data, backup); err != nil {
		t.Fatalf("backup: %v\n%s", err, o)
	}
	// What tells the two apart: the database there has one news item
	// more than the backup.
	news := func() int {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+filepath.Join(data, store.FileName)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM news`).Scan(&n); err != nil {
			t.Fatalf("the database in place after a killed restore: %v", err)
		}
		return n
	}
	addNews := func() {
		t.Helper()
		db, err := store.Open(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Tx(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO news(day, title, body, created_at) VALUES('2026-12-02', 'after the backup', 'x', 'x')`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	inBackup := news()
	addNews()
	killed, restored := 0, 0
	for _, delay := range []time.Duration{0, 10 * time.Millisecond, 40 * time.Millisecond, 100 * time.Millisecond,
		200 * time.Millisecond, 350 * time.Millisecond, 600 * time.Millisecond, 1000 * time.Millisecond} {
		p := startCmd(t, env, "restore", "--data", data, backup)
		time.Sleep(delay)
		p.cmd.Process.Kill()
		if err := <-p.done; err != nil {
			killed++
		}
		p.done <- nil
		checkLive(t, data)
		switch n := news(); n {
		case inBackup + 1: // the one that was there
		case inBackup:
			restored++
			addNews() // there again, for the next kill
		default:
			t.Fatalf("after a restore killed at %v the database has %d news items: neither the backup's %d nor the %d there before", delay, n, inBackup, inBackup+1)
		}
	}
	if killed == 0 {
		t.Error("no restore was killed before it ended: the database is too small for this test")
	}
	// The last kill left the backup's copy (a restore cleans up only
	// when it ends): the start removes it; so does the next restore.
	if _, err := os.Stat(filepath.Join(data, store.FileName+".restoring")); err == nil {
		serveOnce(t, env, data)
		if _, err := os.Stat(filepath.Join(data, store.FileName+".restoring")); err == nil {
			t.Errorf("a killed restore's copy of the backup is still in the data directory after a start")
		}
	}
	if o, err := runCmd(t, env, "restore", "--data", data, backup); err != nil {
		t.Fatalf("restore after the kills: %v\n%s", err, o)
	}
	if n := news(); n != inBackup {
		t.Errorf("after the restore the database has %d news items; want the backup's %d", n, inBackup)
	}
	serveOnce(t, env, data)
	checkLive(t, data)
	fmt.Fprintf(os.Stderr, "e2e: %d of 8 restores killed half-way (%d had put the backup in place); the next restore and start went through\n", killed, restored)
}

// serveOnce starts the server on data, waits until it serves, and stops
// it.
func serveOnce(t *testing.T, env []string, data string) {
	t.Helper()
	addr, _ := freeAddr()
	srv := startCmd(t, env, "serve", "--data", data, "--addr", addr)
	srv.waitOutput(t, "hondana is serving", 60*time.Second)
	srv.cmd.Process.Signal(os.Interrupt)
	<-srv.done
	srv.done <- nil
}
