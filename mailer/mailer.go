// Package mailer hands Hondana's messages to the mail system: an SMTP
// server, or, when none is configured, a mailbox directory of .eml files
// (the demo's mailbox). Both write the same MIME message: UTF-8 plain
// text, Japanese subjects encoded as RFC 2047 words.
package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"hondana/library"
)

// build writes a library message as a go-mail message.
func build(m library.Message) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingB64))
	if err := msg.FromFormat(m.FromName, m.From); err != nil {
		return nil, permanent{fmt.Errorf("mailer: sender %q: %w", m.From, err)}
	}
	if err := msg.To(m.To); err != nil {
		return nil, permanent{fmt.Errorf("mailer: recipient: %w", err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.Date)
	// An automatic notice: no out-of-office replies, please (RFC 3834).
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	return msg, nil
}

// permanent marks an error that trying again will not mend.
type permanent struct{ err error }

func (p permanent) Error() string   { return p.err.Error() }
func (p permanent) Unwrap() error   { return p.err }
func (p permanent) Permanent() bool { return true }

// SMTPConfig is how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	TLS      string // "starttls" (required), "tls" (implicit, port 465) or "none"
	Username string // empty: no authentication
	Password string
	Auth     string // PLAIN, LOGIN, CRAM-MD5 … (default PLAIN)
	HELO     string
	Timeout  time.Duration
	// CAFile, when set, is a PEM file of certificates trusted besides the
	// system's (a relay with a certificate of the city's own CA).
	CAFile string
}

// SMTP sends through an SMTP server, one connection per message.
type SMTP struct {
	cfg SMTPConfig
	tls *tls.Config
}

// NewSMTP checks the configuration and returns the transport.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	switch cfg.TLS {
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("mailer: smtp tls must be starttls, tls or none, not %q", cfg.TLS)
	}
	if cfg.Host == "" || cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mailer: smtp host and port (1–65535) are needed")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	s := &SMTP{cfg: cfg, tls: &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mailer: smtp CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mailer: smtp CA file %s holds no PEM certificate", cfg.CAFile)
		}
		s.tls.RootCAs = pool
	}
	return s, nil
}

// Send delivers one message. Answers 5xx are permanent errors; refused
// connections, timeouts and 4xx answers are temporary.
func (s *SMTP) Send(ctx context.Context, m library.Message) error {
	msg, err := build(m)
	if err != nil {
		return err
	}
	opts := []mail.Option{mail.WithPort(s.cfg.Port), mail.WithTimeout(s.cfg.Timeout), mail.WithTLSConfig(s.tls)}
	switch s.cfg.TLS {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(s.cfg.HELO))
	}
	if s.cfg.Username != "" {
		auth := mail.SMTPAuthType(strings.ToUpper(s.cfg.Auth))
		if auth == "" {
			auth = mail.SMTPAuthPlain
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	client, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return permanent{fmt.Errorf("mailer: %w", err)}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return permanent{fmt.Errorf("mailer: %w", err)}
		}
		return fmt.Errorf("mailer: %w", err)
	}
	return nil
}

// Mailbox writes each message as an .eml file in a directory: the demo's
// mail system, and the fallback when no SMTP server is configured.
type Mailbox struct{ dir string }

// NewMailbox returns a mailbox writing into dir, creating it.
func NewMailbox(dir string) (*Mailbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mailer: mailbox: %w", err)
	}
	return &Mailbox{dir: dir}, nil
}

// Dir is where the messages go.
func (b *Mailbox) Dir() string { return b.dir }

// Send writes the message to a new file (written whole, then renamed).
func (b *Mailbox) Send(_ context.Context, m library.Message) error {
	msg, err := build(m)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(b.dir, ".new-*")
	if err != nil {
		return fmt.Errorf("mailer: mailbox: %w", err)
	}
	if _, err := msg.WriteTo(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("mailer: mailbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("mailer: mailbox: %w", err)
	}
	return os.Rename(tmp.Name(), filepath.Join(b.dir, url.PathEscape(m.MessageID)+".eml"))
}

// Forget deletes the messages whose Message-ID keep does not want, and
// any file the mailbox cannot tell the Message-ID of (written by an older
// version, or left half-written a minute ago or more).
func (b *Mailbox) Forget(keep func(messageID string) bool) error {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return fmt.Errorf("mailer: mailbox: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		if strings.HasPrefix(name, ".new-") {
			// Being written now, or left half-written by a crash.
			if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < time.Minute {
				continue
			}
		}
		if id, err := url.PathUnescape(strings.TrimSuffix(name, ".eml")); err == nil && strings.HasSuffix(name, ".eml") && keep(id) {
			continue
		}
		if err := os.Remove(filepath.Join(b.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
