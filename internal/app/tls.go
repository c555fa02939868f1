package app

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// TLSConfig serves HTTPS without a proxy (R63): from certificate files,
// or from certificates an ACME CA (Let's Encrypt) issues for the
// library's public names.
type TLSConfig struct {
	// CertFile and KeyFile are PEM files (the chain, then the key);
	// SIGHUP reads them again.
	CertFile string `mapstructure:"cert_file"`
	KeyFile  string `mapstructure:"key_file"`
	// ACMEDomains are the names to get certificates for; ACMEEmail is
	// told of problems with them; CacheDir keeps the account and the
	// certificates ("": DATA_DIR/acme).
	ACMEDomains []string `mapstructure:"acme_domains"`
	ACMEEmail   string   `mapstructure:"acme_email"`
	CacheDir    string   `mapstructure:"cache_dir"`
	// ACMEDirectory is the CA's directory URL ("": Let's Encrypt);
	// ACMECAFile is a PEM file of roots to trust for it besides the
	// system's (a CA of the city's own, a test CA).
	ACMEDirectory string `mapstructure:"acme_directory"`
	ACMECAFile    string `mapstructure:"acme_ca_file"`
	// HTTPAddr is where plain HTTP is answered with a redirect to
	// HTTPS (and ACME's http-01 challenges); "": nowhere.
	HTTPAddr string `mapstructure:"http_addr"`
	// HSTS is the max-age of the Strict-Transport-Security header sent
	// over HTTPS (0: none).
	HSTS time.Duration `mapstructure:"hsts"`
}

// On reports whether HTTPS is configured.
func (c TLSConfig) On() bool { return c.CertFile != "" || len(c.ACMEDomains) > 0 }

// check says what is wrong with the TLS keys, or nil.
func (c TLSConfig) check() error {
	switch {
	case (c.CertFile == "") != (c.KeyFile == ""):
		return errors.New("config: tls.cert_file and tls.key_file go together")
	case c.CertFile != "" && len(c.ACMEDomains) > 0:
		return errors.New("config: tls: give certificate files or acme_domains, not both")
	}
	return nil
}

// certFiles keeps a certificate read from files, and reads them again
// on Reload, keeping the old one if the new files do not load.
type certFiles struct {
	cert, key string
	mu        sync.RWMutex
	current   *tls.Certificate
}

func loadCertFiles(cert, key string) (*certFiles, error) {
	c := &certFiles{cert: cert, key: key}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload reads the files again.
func (c *certFiles) Reload() error {
	pair, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return fmt.Errorf("tls: load %s and %s: %w", c.cert, c.key, err)
	}
	if pair.Leaf == nil && len(pair.Certificate) > 0 {
		pair.Leaf, _ = x509.ParseCertificate(pair.Certificate[0])
	}
	c.mu.Lock()
	c.current = &pair
	c.mu.Unlock()
	return nil
}

// GetCertificate serves the current certificate.
func (c *certFiles) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.current, nil
}

// expiry is when the current certificate ends.
func (c *certFiles) expiry() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.current.Leaf == nil {
		return time.Time{}
	}
	return c.current.Leaf.NotAfter
}

// httpsSetup is what serving HTTPS needs: the TLS config of the main
// listener, the handler of the plain-HTTP one (redirects, and ACME's
// challenges), and for file certificates the reloader.
type httpsSetup struct {
	tls      *tls.Config
	plain    http.Handler
	files    *certFiles // nil with ACME
	manager  *autocert.Manager
	hstsSecs int
}

// newHTTPS builds what serving HTTPS needs from cfg; nil when TLS is off.
func newHTTPS(cfg Config, log *slog.Logger) (*httpsSetup, error) {
	t := cfg.TLS
	if !t.On() {
		return nil, nil
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	h := &httpsSetup{hstsSecs: int(t.HSTS / time.Second)}
	redirect := redirectToHTTPS(cfg)
	if t.CertFile != "" {
		files, err := loadCertFiles(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		h.files = files
		h.tls = &tls.Config{GetCertificate: files.GetCertificate, MinVersion: tls.VersionTLS12}
		h.plain = redirect
		if exp := files.expiry(); !exp.IsZero() && time.Until(exp) < 14*24*time.Hour {
			log.Warn("the TLS certificate expires soon: renew it, then send the server SIGHUP", "file", t.CertFile, "expires", exp)
		}
		return h, nil
	}
	cache := t.CacheDir
	if cache == "" {
		cache = filepath.Join(cfg.DataDir, "acme")
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(cache),
		HostPolicy: autocert.HostWhitelist(t.ACMEDomains...),
		Email:      t.ACMEEmail,
	}
	if t.ACMEDirectory != "" || t.ACMECAFile != "" {
		client := &acme.Client{DirectoryURL: t.ACMEDirectory}
		if t.ACMECAFile != "" {
			pem, err := os.ReadFile(t.ACMECAFile)
			if err != nil {
				return nil, fmt.Errorf("config: tls.acme_ca_file: %w", err)
			}
			roots, err := x509.SystemCertPool()
			if err != nil {
				roots = x509.NewCertPool()
			}
			if !roots.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("config: tls.acme_ca_file %s holds no PEM certificate", t.ACMECAFile)
			}
			client.HTTPClient = &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
		}
		m.Client = client
	}
	h.manager = m
	h.tls = m.TLSConfig()
	h.tls.MinVersion = tls.VersionTLS12
	h.plain = m.HTTPHandler(redirect)
	return h, nil
}

// wrap adds the Strict-Transport-Security header to every answer over
// HTTPS: browsers then go to the site by HTTPS only, even from a typed
// http:// address.
func (h *httpsSetup) wrap(next http.Handler) http.Handler {
	if h.hstsSecs <= 0 {
		return next
	}
	value := "max-age=" + strconv.Itoa(h.hstsSecs)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			w.Header().Set("Strict-Transport-Security", value)
		}
		next.ServeHTTP(w, r)
	})
}

// redirectToHTTPS answers plain HTTP with a permanent redirect to the
// same path over HTTPS, at the port the HTTPS server listens on, on the
// host asked for when it is one of the site's names (base_url's host,
// tls.acme_domains), else on the first of them: a forged Host is not
// sent back as a place to go. With no names known (certificate files
// and no https base_url), the host asked for.
func redirectToHTTPS(cfg Config) http.Handler {
	var names []string
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme == "https" && u.Hostname() != "" {
		names = append(names, strings.ToLower(u.Hostname()))
	}
	for _, d := range cfg.TLS.ACMEDomains {
		names = append(names, strings.ToLower(d))
	}
	port := ""
	if _, p, err := net.SplitHostPort(cfg.Addr); err == nil && p != "443" && p != "0" {
		port = p
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(strings.Trim(host, "[]"))
		if len(names) > 0 && !slices.Contains(names, host) {
			host = names[0]
		}
		if host == "" {
			http.Error(w, "use HTTPS", http.StatusBadRequest)
			return
		}
		target := host
		if strings.Contains(host, ":") { // an IPv6 address
			target = "[" + host + "]"
		}
		if port != "" {
			target = net.JoinHostPort(host, port)
		}
		code := http.StatusPermanentRedirect
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			code = http.StatusMovedPermanently
		}
		http.Redirect(w, r, "https://"+target+r.URL.RequestURI(), code)
	})
}
