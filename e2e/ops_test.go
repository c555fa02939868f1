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
