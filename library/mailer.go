package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"hondana/store"
)

// Message is one e-mail as the transport sends it.
type Message struct {
	MessageID string // the same on every attempt, so a receiver can drop a repeat
	From      string
	FromName  string
	To        string
	Subject   string
	Body      string // plain text
	Date      time.Time
}

// Transport hands a message to the mail system. An error that has a
// Permanent() bool method reporting true will not get better by trying
// again (a 5xx answer); any other error is tried again later.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// IsPermanent reports whether a transport error is permanent.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// Mailer delivers the outbox: after each commit that wrote to it (Poke)
// and whenever a retry falls due. It retries temporary failures with
// growing waits, marks permanent ones, and applies what delivery means:
// a hold-ready message accepted by the SMTP server starts the pickup
// deadline; one that failed for good puts the hold on the call list.
//
// Delivery is at least once: a message is marked sent right after the
// server accepted it, so only a crash between those two steps could
// repeat it, and the repeat carries the same Message-ID.
type Mailer struct {
	c         *Circulation
	t         Transport
	from      string
	fromName  string
	domain    string
	timeout   time.Duration
	wake      Signal
	onError   func(error)
	lastPrune time.Time
}

// MailerOptions say who the messages are from and how the sender learns
// of new ones.
type MailerOptions struct {
	From     string // the sender's address; its domain names the Message-IDs
	FromName string
	// Wake is notified when the outbox may have something new: the
	// signal whose Notify the services that write to the outbox call.
	// nil: a signal of the mailer's own (see Poke).
	Wake Signal
	// OnError is told of failures of Run's rounds (nil: ignored).
	OnError func(error)
}

// NewMailer returns the sender of the outbox through t.
func NewMailer(c *Circulation, t Transport, o MailerOptions) *Mailer {
	domain := "hondana.invalid"
	if at := strings.LastIndexByte(o.From, '@'); at >= 0 {
		domain = o.From[at+1:]
	}
	m := &Mailer{c: c, t: t, from: o.From, fromName: o.FromName, domain: domain, timeout: time.Minute,
		wake: o.Wake, onError: o.OnError}
	if m.wake == nil {
		m.wake = NewSignal()
	}
	if m.onError == nil {
		m.onError = func(error) {}
	}
	return m
}

// Poke tells the mailer the outbox may have something new.
func (m *Mailer) Poke() { m.wake.Notify() }

// MessageID is the Message-ID of an outbox message, without brackets.
func (m *Mailer) MessageID(id int64) string {
	return fmt.Sprintf("outbox-%d@%s", id, m.domain)
}

// SendDue sends every message whose time has come and reports how many
// were accepted and how many failed for good. While the database takes
// no writes it sends nothing: a message it could not then mark sent
// would go out again at every round.
func (m *Mailer) SendDue(ctx context.Context) (sent, failed int, err error) {
	if err := m.c.db.CanWrite(ctx); err != nil {
		return 0, 0, fmt.Errorf("library: not sending mail: %w", err)
	}
	seen := map[int64]bool{}
	for {
		due, err := m.c.db.DueMail(ctx, m.c.clock.Now(), 20)
		if err != nil {
			return sent, failed, err
		}
		progress := false
		for _, mail := range due {
			if seen[mail.ID] {
				continue
			}
			seen[mail.ID] = true
			progress = true
			ok, gaveUp, err := m.send(ctx, mail)
			if err != nil {
				return sent, failed, err
			}
			if ok {
				sent++
			}
			if gaveUp {
				failed++
			}
		}
		if !progress {
			return sent, failed, nil
		}
	}
}

// send makes one attempt at one message.
func (m *Mailer) send(ctx context.Context, mail store.Mail) (ok, gaveUp bool, err error) {
	var skip bool
	switch mail.Kind {
	case store.MailHoldReady:
		mail, skip, err = m.c.freshHoldReady(ctx, mail)
	case store.MailDueReminder, store.MailOverdue:
		mail, skip, err = m.c.freshLoanNotice(ctx, mail)
	}
	if err != nil || skip {
		return false, false, err
	}
	sctx, cancel := context.WithTimeout(ctx, m.timeout)
	// Dated in the library's time zone (+0900), as the patron reads it.
	sendErr := m.t.Send(sctx, Message{MessageID: m.MessageID(mail.ID), From: m.from, FromName: m.fromName, To: mail.To,
		Subject: mail.Subject, Body: mail.Body, Date: m.c.clock.Now().In(m.c.cal.Location())})
	cancel()
	now := m.c.clock.Now()
	switch {
	case sendErr == nil:
		return true, false, m.c.Delivered(ctx, mail.ID, now)
	case ctx.Err() != nil:
		return false, false, ctx.Err()
	case IsPermanent(sendErr) || now.Sub(mail.CreatedAt) >= m.c.mail.GiveUpAfter:
		return false, true, m.c.Undeliverable(ctx, mail.ID, now, sendErr.Error())
	default:
		wait := m.c.mail.RetryMin << min(mail.Attempts, 20)
		if wait > m.c.mail.RetryMax || wait <= 0 {
			wait = m.c.mail.RetryMax
		}
		return false, false, m.c.mailRetry(ctx, mail, now, now.Add(wait), sendErr.Error())
	}
}

// freshLoanNotice writes a loan notice anew from the patron's loans as
// it goes out, or skips it when none is left (see refreshLoanNotices).
func (c *Circulation) freshLoanNotice(ctx context.Context, mail store.Mail) (store.Mail, bool, error) {
	var fresh *store.Mail
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := c.refreshLoanNotices(ctx, tx, mail.PatronID); err != nil {
			return err
		}
		var err error
		fresh, err = store.MailByID(ctx, tx, mail.ID)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return mail, true, nil
	case err != nil:
		return mail, false, err
	}
	return *fresh, false, nil
}

// freshHoldReady rewrites a hold-ready message on the day it goes out,
// so the deadline it states is the one delivery will start. skip means
// the hold no longer waits for this message.
func (c *Circulation) freshHoldReady(ctx context.Context, mail store.Mail) (store.Mail, bool, error) {
	skip := false
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		h, err := store.HoldByID(ctx, tx, mail.HoldID)
		if errors.Is(err, store.ErrNotFound) {
			skip = true // collected or cancelled meanwhile; its messages went with it
			return nil
		}
		if err != nil {
			return err
		}
		if h.Status != store.HoldReady || !h.ContactedAt.IsZero() {
			// Reached another way (staff telephoned after a failure).
			_, err := store.MarkMailFailed(ctx, tx, mail.ID, "no longer needed: the patron was contacted")
			skip = true
			return err
		}
		d, err := c.PickupDeadline(ctx, h.PickupBranch, c.clock.Now())
		if err != nil {
			return err
		}
		deadline := d.Format(DateLayout)
		if deadline == mail.Deadline {
			return nil
		}
		to, err := store.RecipientOf(ctx, tx, h.PatronID)
		if err != nil {
			return err
		}
		title, err := store.RecordTitle(ctx, tx, h.RecordID)
		if err != nil {
			return err
		}
		subject, body, err := c.holdReadyText(ctx, to.Name, title, h.PickupBranch, deadline)
		if err != nil {
			return err
		}
		mail.Subject, mail.Body, mail.Deadline = subject, body, deadline
		return store.RewriteMail(ctx, tx, mail.ID, subject, body, deadline)
	})
	return mail, skip, err
}

// Delivered records that the SMTP server accepted a message. For a
// hold-ready message this is the contact: the pickup deadline the
// message stated starts now (R24).
func (c *Circulation) Delivered(ctx context.Context, id int64, at time.Time) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		mail, err := store.MailByID(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // forgotten meanwhile (the hold was collected)
		}
		if err != nil {
			return err
		}
		if ok, err := store.MarkMailSent(ctx, tx, id, at); err != nil || !ok {
			return err
		}
		if err := store.CountEvent(ctx, tx, mail.Branch, dayStart(at, c.cal.Location()).Format(DateLayout), store.CountMailSent); err != nil {
			return err
		}
		if mail.HoldID == 0 {
			return nil
		}
		h, err := store.HoldByID(ctx, tx, mail.HoldID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := store.AddContactAttempt(ctx, tx, h.ID, ContactEmail, AttemptSent, 0, at); err != nil {
			return err
		}
		if mail.Kind != store.MailHoldReady || h.Status != store.HoldReady || !h.ContactedAt.IsZero() {
			return nil
		}
		h.ContactedAt = at
		h.PickupDeadline = mail.Deadline
		if h.PickupDeadline == "" {
			d, err := c.PickupDeadline(ctx, h.PickupBranch, at)
			if err != nil {
				return err
			}
			h.PickupDeadline = d.Format(DateLayout)
		}
		return store.UpdateHold(ctx, tx, h)
	})
}

// Undeliverable records that a message failed for good. A hold-ready
// message that failed puts the hold on the call list (the fallback
// channel): no hold lapses without a try.
func (c *Circulation) Undeliverable(ctx context.Context, id int64, at time.Time, reason string) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		mail, err := store.MailByID(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if ok, err := store.MarkMailFailed(ctx, tx, id, reason); err != nil || !ok {
			return err
		}
		if err := store.CountEvent(ctx, tx, mail.Branch, dayStart(at, c.cal.Location()).Format(DateLayout), store.CountMailFailed); err != nil {
			return err
		}
		if mail.HoldID == 0 {
			return nil
		}
		return store.AddContactAttempt(ctx, tx, mail.HoldID, ContactEmail, AttemptFailed, 0, at)
	})
}

func (c *Circulation) mailRetry(ctx context.Context, mail store.Mail, at, next time.Time, reason string) error {
	return c.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.MarkMailRetry(ctx, tx, mail.ID, next, reason); err != nil {
			return err
		}
		if mail.HoldID == 0 {
			return nil
		}
		if ok, err := store.HoldExists(ctx, tx, mail.HoldID); err != nil || !ok {
			return err
		}
		return store.AddContactAttempt(ctx, tx, mail.HoldID, ContactEmail, AttemptRetry, 0, at)
	})
}

// RetryMail puts a failed message back in the queue (staff asked).
func (c *Circulation) RetryMail(ctx context.Context, staffID, id int64) error {
	err := c.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, err := store.RetryMail(ctx, tx, id, c.clock.Now())
		if err != nil {
			return err
		}
		if !ok {
			return refuse(MailNotFailed)
		}
		return store.Audit(ctx, tx, staffID, "mail.retry", fmt.Sprintf("outbox %d", id), c.clock.Now())
	})
	if err == nil {
		c.mailed()
	}
	return err
}

// A Keeper is a transport that keeps a copy of every message it sends
// (the mailbox directory, used without an SMTP server). A copy must not
// outlive its outbox row: a return forgets the loan notices about it, a
// hold's messages go with the hold (R40).
type Keeper interface {
	// Forget deletes the copies of the messages whose Message-ID keep
	// does not want.
	Forget(keep func(messageID string) bool) error
}

// Tidy has a keeping transport forget the copies of messages no longer in
// the outbox.
func (m *Mailer) Tidy(ctx context.Context) error {
	k, ok := m.t.(Keeper)
	if !ok {
		return nil
	}
	ids, err := m.c.db.OutboxIDs(ctx)
	if err != nil {
		return err
	}
	live := make(map[string]bool, len(ids))
	for _, id := range ids {
		live[m.MessageID(id)] = true
	}
	return k.Forget(func(mid string) bool { return live[mid] })
}

// Run sends the outbox until ctx ends: at once when poked, when the next
// retry falls due, and at least every interval; then it has a keeping
// transport forget what the outbox forgot. Once an hour it forgets
// messages older than the keep time.
func (m *Mailer) Run(ctx context.Context, interval time.Duration) {
	for {
		if _, _, err := m.SendDue(ctx); err != nil && ctx.Err() == nil {
			m.onError(err)
		}
		now := m.c.clock.Now()
		if now.Sub(m.lastPrune) > time.Hour {
			m.lastPrune = now
			if _, err := m.c.db.PruneOutbox(ctx, now.Add(-m.c.mail.Keep)); err != nil && ctx.Err() == nil {
				m.onError(err)
			}
		}
		if err := m.Tidy(ctx); err != nil && ctx.Err() == nil {
			m.onError(err)
		}
		wait := interval
		if next, err := m.c.db.NextMailTry(ctx); err == nil && !next.IsZero() {
			wait = min(wait, max(next.Sub(m.c.clock.Now()), time.Second))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-m.wake:
		case <-t.C:
		}
		t.Stop()
	}
}
