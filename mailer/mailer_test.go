package mailer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"hondana/internal/testmail"
	"hondana/library"
	"hondana/mailer"
	"hondana/store"
)

var tokyo, _ = time.LoadLocation("Asia/Tokyo")

type env struct {
	dir    string
	db     *store.DB
	clock  *library.TestClock
	c      *library.Circulation
	patron int64
	hold   int64
}

func rules() library.CalendarRules {
	h := library.Hours{Opens: "09:00", Closes: "19:00"}
	return library.CalendarRules{ClosedOnHolidays: true, Branches: map[string]library.BranchCalendar{
		"ozu": {ClosedWeekdays: []time.Weekday{time.Monday}, Weekday: h, Weekend: library.Hours{Opens: "09:00", Closes: "17:00"}}}}
}

// open opens (or reopens, as after a restart) the library in dir.
func open(t *testing.T, dir string, clock *library.TestClock) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cal := library.NewCalendar(db, rules(), tokyo)
	c := library.NewCirculation(db, cal, clock, library.CirculationOptions{
		Letters: library.NewLetters(db, library.Letterhead{Library: "大洲市立図書館", BaseURL: "https://lib.example.jp"}, rules())})
	return &env{dir: dir, db: db, clock: clock, c: c}
}

// newEnv is a library with one title, one copy out on loan, and a
// patron's e-mail hold on it.
func newEnv(t *testing.T, email string) *env {
	t.Helper()
	ctx := context.Background()
	clock := &library.TestClock{}
	clock.Set(time.Date(2026, 11, 27, 10, 0, 0, 0, tokyo)) // a Friday
	e := open(t, t.TempDir(), clock)
	err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.SaveBranch(ctx, tx, store.Branch{Code: "ozu", Name: "大洲図書館", Address: "愛媛県大洲市東大洲270-1", Phone: "0893-24-2415"}); err != nil {
			return err
		}
		w, err := store.NewRecordWriter(ctx, tx, clock.Now())
		if err != nil {
			return err
		}
		defer w.Close()
		r := store.Record{Source: "t:1", Title: "吾輩は猫である"}
		if _, err := w.Save(ctx, &r); err != nil {
			return err
		}
		if err := w.AddCopy(ctx, &store.Copy{RecordID: r.ID, Barcode: "C1", Branch: "ozu", ShelvedOn: "2026-01-01", AcquiredOn: "2026-01-01"}); err != nil {
			return err
		}
		p := store.Patron{Card: "600000001", Name: "佐藤 花子", BirthDate: "1990-04-01", Email: email}
		if err := store.AddPatron(ctx, tx, &p, clock.Now()); err != nil {
			return err
		}
		e.patron = p.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := e.c.PlaceHold(ctx, e.patron, 1, "ozu", library.ContactEmail)
	if err != nil {
		t.Fatal(err)
	}
	e.hold = h.ID
	return e
}

// ready returns the copy, which makes the hold ready.
func (e *env) ready(t *testing.T) {
	t.Helper()
	if _, err := e.c.Checkin(context.Background(), "C1", "ozu"); err != nil {
		t.Fatal(err)
	}
}

func (e *env) mailer(t *testing.T, port int) *library.Mailer {
	t.Helper()
	tr, err := mailer.NewSMTP(mailer.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", Username: "hondana", Password: "secret", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return library.NewMailer(e.c, tr, library.MailerOptions{From: "noreply@library.city.ozu.example.jp", FromName: "大洲市立図書館"})
}

func (e *env) holdNow(t *testing.T) store.PatronHold {
	t.Helper()
	hs, err := e.c.Holds(context.Background(), e.patron)
	if err != nil || len(hs) != 1 {
		t.Fatalf("holds: %+v %v", hs, err)
	}
	return hs[0]
}

func sendDue(t *testing.T, m *library.Mailer) (sent, failed int) {
	t.Helper()
	sent, failed, err := m.SendDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sent, failed
}

// TestHoldReadyByEmail: the message reaches a real SMTP server with the
// library's sender, a Japanese subject and body in proper MIME, and its
// acceptance starts the pickup deadline it states.
func TestHoldReadyByEmail(t *testing.T) {
	mp := testmail.Start(t, 0)
	e := newEnv(t, "hanako@example.jp")
	e.ready(t)
	if h := e.holdNow(t); h.PickupDeadline != "" {
		t.Fatalf("deadline before the message went: %+v", h)
	}
	m := e.mailer(t, mp.SMTPPort)
	if sent, _ := sendDue(t, m); sent != 1 {
		t.Fatalf("sent %d", sent)
	}
	sendDue(t, m) // nothing more to send
	got := mp.WaitFor(t, 1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("%d messages arrived", len(got))
	}
	msg := got[0]
	if msg.From.Address != "noreply@library.city.ozu.example.jp" || msg.From.Name != "大洲市立図書館" {
		t.Errorf("from %+v", msg.From)
	}
	if len(msg.To) != 1 || msg.To[0].Address != "hanako@example.jp" {
		t.Errorf("to %+v", msg.To)
	}
	if msg.Subject != "【大洲市立図書館】ご予約の資料をご用意しました" {
		t.Errorf("subject %q", msg.Subject)
	}
	for _, s := range []string{"佐藤 花子 様", "吾輩は猫である", "受取館: 大洲図書館", "お取り置き期限: 2026年12月4日(金)",
		"電話 0893-24-2415", "平日 09:00〜19:00", "休館日: 月曜", "https://lib.example.jp/account"} {
		if !strings.Contains(msg.Text, s) {
			t.Errorf("body lacks %q:\n%s", s, msg.Text)
		}
	}
	h := msg.Headers
	if raw := strings.Join(h["Subject"], ""); !strings.HasPrefix(raw, "=?UTF-8?") {
		t.Errorf("subject not MIME-encoded: %q", raw)
	}
	if ct := strings.Join(h["Content-Type"], ""); !strings.Contains(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "utf-8") {
		t.Errorf("content type %q", ct)
	}
	if id := strings.Join(h["Message-Id"], ""); !strings.Contains(id, "@library.city.ozu.example.jp>") {
		t.Errorf("message id %q (headers %v)", id, h)
	}
	if got := strings.Join(h["Auto-Submitted"], ""); got != "auto-generated" {
		t.Errorf("Auto-Submitted %q", got)
	}
	if hold := e.holdNow(t); hold.PickupDeadline != "2026-12-04" {
		t.Errorf("deadline after acceptance: %+v", hold)
	}
}

// TestSMTPDown: the server is down when the hold becomes ready; the
// message waits, is tried again with backoff, and arrives once when the
// server is back. The deadline starts only then.
func TestSMTPDown(t *testing.T) {
	port := testmail.FreePort(t)
	e := newEnv(t, "hanako@example.jp")
	e.ready(t)
	m := e.mailer(t, port)
	if sent, failed := sendDue(t, m); sent != 0 || failed != 0 {
		t.Fatalf("sent %d failed %d with the server down", sent, failed)
	}
	mails, _ := e.db.Outbox(context.Background(), "", 10)
	if len(mails) != 1 || mails[0].Status != store.MailPending || mails[0].Attempts != 1 || mails[0].LastError == "" {
		t.Fatalf("outbox after a failed try: %+v", mails)
	}
	shelf, _ := e.c.ReadyHolds(context.Background(), "ozu")
	if len(shelf[0].Attempts) != 1 || shelf[0].Attempts[0].Result != library.AttemptRetry {
		t.Errorf("attempts: %+v", shelf[0].Attempts)
	}
	// Two days pass with the server down: still no deadline, and the
	// message keeps waiting (give-up is 24 h for the default policy, so
	// use a day and a half).
	e.clock.Advance(36 * time.Hour)
	mp := testmail.Start(t, port)
	if sent, _ := sendDue(t, m); sent != 1 {
		t.Fatalf("not sent once the server was back")
	}
	sendDue(t, m)
	if got := mp.WaitFor(t, 1, 5*time.Second); len(got) != 1 || !strings.Contains(got[0].Text, "2026年12月5日(土)") {
		t.Fatalf("arrived: %d messages %v", len(got), got)
	}
	// Sent on Saturday 11-28: deadline 12-05, as the rewritten message says.
	if h := e.holdNow(t); h.PickupDeadline != "2026-12-05" {
		t.Errorf("deadline %q", h.PickupDeadline)
	}
}

// TestRestartBetweenCommitAndSend: the process stops after the hold
// became ready and before anything was sent; after a restart the message
// goes out once.
func TestRestartBetweenCommitAndSend(t *testing.T) {
	mp := testmail.Start(t, 0)
	e := newEnv(t, "hanako@example.jp")
	e.ready(t)
	e.db.Close() // the process ends here

	e2 := open(t, e.dir, e.clock)
	e2.patron = e.patron
	m := e2.mailer(t, mp.SMTPPort)
	sendDue(t, m)
	sendDue(t, m)
	m2 := e2.mailer(t, mp.SMTPPort) // and a second sender after another restart
	sendDue(t, m2)
	if got := mp.WaitFor(t, 1, 5*time.Second); len(got) != 1 {
		t.Fatalf("%d messages after the restart", len(got))
	}
	if h := e2.holdNow(t); h.PickupDeadline != "2026-12-04" {
		t.Errorf("deadline %q", h.PickupDeadline)
	}
}

// TestRejectedRecipient: a 5xx answer is permanent: no retry, the hold
// goes on the call list.
func TestRejectedRecipient(t *testing.T) {
	mp := testmail.Start(t, 0, "--smtp-allowed-recipients", `@example\.jp$`)
	e := newEnv(t, "hanako@typo.example")
	e.ready(t)
	m := e.mailer(t, mp.SMTPPort)
	if sent, failed := sendDue(t, m); sent != 0 || failed != 1 {
		t.Fatalf("sent %d failed %d", sent, failed)
	}
	calls, err := e.c.CallList(context.Background())
	if err != nil || len(calls) != 1 || !calls[0].EmailFailed {
		t.Fatalf("call list: %+v %v", calls, err)
	}
	mails, _ := e.db.Outbox(context.Background(), store.MailFailed, 10)
	if len(mails) != 1 || !strings.Contains(mails[0].LastError, "5") {
		t.Errorf("failed mail: %+v", mails)
	}
	if got := mp.Messages(t); len(got) != 0 {
		t.Errorf("delivered anyway: %v", got)
	}
}

// TestGiveUp: a server down for longer than the give-up time fails the
// message for good; the hold goes on the call list.
func TestGiveUp(t *testing.T) {
	e := newEnv(t, "hanako@example.jp")
	e.ready(t)
	m := e.mailer(t, testmail.FreePort(t))
	sendDue(t, m)
	e.clock.Advance(25 * time.Hour)
	if _, failed := sendDue(t, m); failed != 1 {
		t.Fatalf("not given up after 25 h")
	}
	if calls, _ := e.c.CallList(context.Background()); len(calls) != 1 {
		t.Errorf("call list: %+v", calls)
	}
}

// mailbox is a sender into a mailbox directory of the test's own.
func (e *env) mailbox(t *testing.T) (*mailer.Mailbox, *library.Mailer) {
	t.Helper()
	box, err := mailer.NewMailbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return box, library.NewMailer(e.c, box, library.MailerOptions{From: "noreply@library.example.jp", FromName: "大洲市立図書館"})
}

// TestMailbox: with no SMTP server the messages land as .eml files.
func TestMailbox(t *testing.T) {
	e := newEnv(t, "hanako@example.jp")
	e.ready(t)
	box, m := e.mailbox(t)
	if sent, _ := sendDue(t, m); sent != 1 {
		t.Fatal("not sent")
	}
	files, _ := os.ReadDir(box.Dir())
	if len(files) != 1 || !strings.HasSuffix(files[0].Name(), ".eml") {
		t.Fatalf("mailbox: %v", files)
	}
	raw, _ := os.ReadFile(box.Dir() + "/" + files[0].Name())
	if !strings.Contains(string(raw), "To: <hanako@example.jp>") || !strings.Contains(string(raw), "=?UTF-8?b?") {
		t.Errorf("message:\n%s", raw)
	}
	// Dated in the library's time zone, whatever the server's is.
	if !regexp.MustCompile(`(?m)^Date: .* \+0900\r?$`).Match(raw) {
		t.Errorf("the Date header is not in Japan's time:\n%s", raw)
	}
	if h := e.holdNow(t); h.PickupDeadline == "" {
		t.Errorf("no deadline after delivery to the mailbox")
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestEncryptedSMTP: STARTTLS and implicit TLS to servers that require
// them, with the server's certificate trusted through smtp_ca_file; an
// untrusted certificate is not accepted.
func TestEncryptedSMTP(t *testing.T) {
	cert, key := selfSigned(t)
	for _, tc := range []struct{ mode, flag string }{{"starttls", "--smtp-require-starttls"}, {"tls", "--smtp-require-tls"}} {
		t.Run(tc.mode, func(t *testing.T) {
			mp := testmail.Start(t, 0, "--smtp-tls-cert", cert, "--smtp-tls-key", key, tc.flag)
			e := newEnv(t, "hanako@example.jp")
			e.ready(t)
			untrusted, err := mailer.NewSMTP(mailer.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: tc.mode, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if sent, _ := sendDue(t, library.NewMailer(e.c, untrusted, library.MailerOptions{From: "noreply@library.example.jp", FromName: "図書館"})); sent != 0 {
				t.Fatal("sent to a server whose certificate nobody trusts")
			}
			if ms, _ := e.db.Outbox(context.Background(), store.MailPending, 1); len(ms) != 1 || !strings.Contains(ms[0].LastError, "certificate") {
				t.Errorf("the outbox does not say why: %+v", ms)
			}
			e.clock.Advance(time.Hour) // past the retry wait
			tr, err := mailer.NewSMTP(mailer.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: tc.mode, Timeout: 5 * time.Second,
				Username: "hondana", Password: "secret", CAFile: cert})
			if err != nil {
				t.Fatal(err)
			}
			if sent, _ := sendDue(t, library.NewMailer(e.c, tr, library.MailerOptions{From: "noreply@library.example.jp", FromName: "図書館"})); sent != 1 {
				t.Fatal("not sent over TLS")
			}
			if got := mp.WaitFor(t, 1, 5*time.Second); len(got) != 1 || !strings.Contains(got[0].Text, "吾輩は猫である") {
				t.Errorf("arrived: %v", got)
			}
		})
	}
	if _, err := mailer.NewSMTP(mailer.SMTPConfig{Host: "127.0.0.1", Port: 25, TLS: "starttls", CAFile: key}); err == nil {
		t.Error("a CA file without a certificate was accepted")
	}
}

// TestMailboxForgetsWithTheOutbox: without an SMTP server, messages are
// kept as files in the mailbox directory; a file goes when its outbox row
// goes (the hold collected, the loan returned), so no file ties a patron
// to a title after the return (R40). Files of no message the outbox
// knows (an older version's names) go too.
func TestMailboxForgetsWithTheOutbox(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "hanako@example.jp")
	e.ready(t)
	box, m := e.mailbox(t)
	stray := filepath.Join(box.Dir(), "outbox-99_library.example.jp.eml")
	if err := os.WriteFile(stray, []byte("To: <someone@example.jp>\r\n\r\n吾輩は猫である"), 0o600); err != nil {
		t.Fatal(err)
	}
	files := func() []string {
		t.Helper()
		if err := m.Tidy(ctx); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(box.Dir())
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	if sent, _ := sendDue(t, m); sent != 1 {
		t.Fatal("the hold-ready message was not sent")
	}
	if got := files(); len(got) != 1 || !strings.HasPrefix(got[0], "outbox-") || got[0] == filepath.Base(stray) {
		t.Fatalf("after sending the hold-ready message and tidying: %v", got)
	}
	// Collected: the hold and its messages go.
	if _, err := e.c.Checkout(ctx, "600000001", "C1", "ozu"); err != nil {
		t.Fatal(err)
	}
	if got := files(); len(got) != 0 {
		t.Fatalf("after the hold was collected: %v", got)
	}
	// A due-date reminder two days before the due date, then the return.
	e.clock.Set(time.Date(2026, 12, 9, 10, 0, 0, 0, tokyo))
	if err := e.c.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if sent, _ := sendDue(t, m); sent != 1 {
		t.Fatal("the due-date reminder was not sent")
	}
	if got := files(); len(got) != 1 {
		t.Fatalf("after the reminder: %v", got)
	}
	if _, err := e.c.Checkin(ctx, "C1", "ozu"); err != nil {
		t.Fatal(err)
	}
	if got := files(); len(got) != 0 {
		t.Fatalf("after the return, the mailbox still holds %v", got)
	}
}
