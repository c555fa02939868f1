package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hondana/internal/testmail"
)

// startProcess starts a server of one test's own over data, with extra
// environment; the test's end kills it.
func startProcess(t *testing.T, data string, env ...string) *server {
	t.Helper()
	s, err := launch(data, filepath.Join(t.TempDir(), "server.log"), env...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.kill)
	return s
}

// use points the API helpers at p for the rest of the test.
func (p *server) use(t *testing.T) {
	old := suite.base
	suite.base = p.base
	t.Cleanup(func() { suite.base = old })
}

// hangingSMTP accepts connections and never answers: a send to it is
// stuck after the commit, before the server accepted anything.
func hangingSMTP(t *testing.T) (port int, connected <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ch := make(chan struct{}, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return l.Addr().(*net.TCPAddr).Port, ch
}

func smtpEnv(port int) []string {
	return []string{"HONDANA_MAIL_SMTP_HOST=127.0.0.1", "HONDANA_MAIL_SMTP_PORT=" + strconv.Itoa(port),
		"HONDANA_MAIL_SMTP_TLS=none", "HONDANA_MAIL_SMTP_TIMEOUT=1h", "HONDANA_MAIL_FROM=noreply@library.city.ozu.example.jp"}
}

// TestMailSurvivesKill: the hold becomes ready while the mail server
// hangs; the process is killed (SIGKILL) with the message committed and
// not sent. Restarted against a working SMTP server (mailpit), it sends
// every message once: the hold-ready message arrives exactly once and
// starts the pickup deadline.
func TestMailSurvivesKill(t *testing.T) {
	ready(t)
	mp := testmail.Start(t, 0)
	hangPort, connected := hangingSMTP(t)
	data := filepath.Join(t.TempDir(), "data")

	first := startProcess(t, data, smtpEnv(hangPort)...)
	first.use(t)
	var login struct{ Token string }
	call(t, "POST", "/login", "", map[string]string{"card": "100001000", "password": "demo1234"}, http.StatusOK, &login)
	call(t, "PUT", "/me/email", login.Token, map[string]string{"email": "kill-test@example.jp"}, http.StatusOK, nil)
	rec := findRecords(t, "宮沢賢治", 1, singleCopyAt("ozu"))[0]
	call(t, "POST", "/me/holds", login.Token, map[string]any{"record_id": rec.ID, "pickup_branch": "ozu", "contact": "email"}, http.StatusCreated, nil)
	var placed struct{ Action string }
	call(t, "POST", "/staff/checkin", staffToken(t), map[string]string{"barcode": rec.Items[0].Barcode, "branch": "ozu"}, http.StatusOK, &placed)
	if placed.Action != "hold_shelf" {
		t.Fatalf("check-in: %s", placed.Action)
	}
	select {
	case <-connected:
	case <-time.After(30 * time.Second):
		t.Fatal("the sender never tried the SMTP server")
	}
	first.kill()

	second := startProcess(t, data, smtpEnv(mp.SMTPPort)...)
	second.use(t)
	staff := staffToken(t)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var pending struct{ Mails []struct{ ID int64 } }
		call(t, "GET", "/staff/outbox?status=pending", staff, nil, http.StatusOK, &pending)
		if len(pending.Mails) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still pending a minute after the restart", len(pending.Mails))
		}
		time.Sleep(200 * time.Millisecond)
	}
	var sent struct{ Mails []struct{ ID int64 } }
	call(t, "GET", "/staff/outbox?status=sent", staff, nil, http.StatusOK, &sent)
	got := mp.WaitFor(t, len(sent.Mails), 10*time.Second)
	ids := map[string]int{}
	readyMails := 0
	for _, m := range got {
		ids[m.MessageID]++
		if len(m.To) == 1 && m.To[0].Address == "kill-test@example.jp" && strings.Contains(m.Subject, "ご予約の資料をご用意しました") {
			readyMails++
			if !strings.Contains(m.Text, rec.Title) {
				t.Errorf("hold-ready message without the title %q:\n%s", rec.Title, m.Text)
			}
		}
	}
	if readyMails != 1 {
		t.Errorf("%d hold-ready messages arrived, want 1", readyMails)
	}
	if len(got) != len(sent.Mails) || len(ids) != len(got) {
		t.Errorf("%d messages arrived with %d distinct ids for %d sent", len(got), len(ids), len(sent.Mails))
	}
	var holds struct {
		Holds []struct {
			RecordID       int64   `json:"record_id"`
			PickupDeadline *string `json:"pickup_deadline"`
		}
	}
	call(t, "POST", "/login", "", map[string]string{"card": "100001000", "password": "demo1234"}, http.StatusOK, &login)
	call(t, "GET", "/me/holds", login.Token, nil, http.StatusOK, &holds)
	for _, h := range holds.Holds {
		if h.RecordID == rec.ID && h.PickupDeadline == nil {
			t.Errorf("no pickup deadline after the message was accepted")
		}
	}
	fmt.Fprintf(os.Stderr, "e2e: after the kill and restart, %d messages arrived once each\n", len(got))
}

// TestStaffCallList: a phone hold comes ready; staff see it on the call
// list with the number and what to say, note 不在 three times, see it
// flagged, cancel it; the staff home and the outbox show the day's mail.
func TestStaffCallList(t *testing.T) {
	reserver := newPatron(t) // first: it moves the clock, which ends idle sessions
	rec := findRecords(t, "森鴎外", 1, singleCopyAt("ozu"))[0]
	holdID := placeHold(t, reserver, rec.ID, "ozu")
	call(t, "POST", "/staff/checkin", staffToken(t), map[string]string{"barcode": rec.Items[0].Barcode, "branch": "ozu"}, http.StatusOK, nil)

	b := newTab(t)
	b.staffLogin()
	if st := b.Open("/staff/calls"); st != http.StatusOK {
		t.Fatalf("GET /staff/calls = %d", st)
	}
	row := fmt.Sprintf("#hold-%d", holdID)
	text := b.Text(row)
	for _, s := range []string{reserver.Name, "0893-24-0000", "伝える内容", rec.Title, "大洲図書館にご用意しました"} {
		if !strings.Contains(text, s) {
			t.Errorf("call list row %q lacks %q", text, s)
		}
	}
	for i := 0; i < 3; i++ {
		b.Follow("不在", chromedp.Click(chromedp.CSS(row+` button[value=unreachable]`)))
		if !strings.Contains(b.MainText(), "不在を記録しました") {
			t.Fatalf("after 不在 %d: %s", i+1, b.MainText())
		}
	}
	if text := b.Text(row); !strings.Contains(text, "3回続けて不在です") || strings.Count(text, "電話: 不在") != 3 {
		t.Fatalf("not flagged after three 不在: %q", text)
	}
	b.Follow("予約を取り消す", chromedp.Click(chromedp.CSS(row+` form[action$="/cancel"] button`)))
	if !strings.Contains(b.MainText(), "予約を取り消しました") || evalJS[bool](b, `document.querySelector("`+row+`") !== null`) {
		t.Errorf("the cancelled hold is still on the call list")
	}

	b.Open("/staff")
	if home := b.MainText(); !strings.Contains(home, "今日の連絡") || !strings.Contains(home, "電話連絡待ち") {
		t.Errorf("staff home without the contact summary: %s", home)
	}
	b.Open("/staff/outbox?status=sent")
	if n := len(b.Texts("main tbody tr")); n == 0 {
		t.Fatal("the outbox shows no sent message (the demo's reminders go out at start)")
	}
	b.Do("open a message", chromedp.Click(chromedp.CSS("main tbody tr details summary")))
	if body := b.Text("main tbody tr pre.mail-body"); !strings.Contains(body, "大洲市立図書館") || !strings.Contains(body, "開館時間") {
		t.Errorf("message text: %q", body)
	}
}
