package library

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"hondana/store"
)

// StaffAlertAfter failed logins in a row of a staff account are reported
// to the admins (in the staff log and on their home page), and again at
// every doubling: 5, 10, 20, 40 …
const StaffAlertAfter = 5

// staffAlertDue reports whether the n-th failure in a row is reported.
func staffAlertDue(n int) bool {
	if n < StaffAlertAfter || n%StaffAlertAfter != 0 {
		return false
	}
	k := n / StaffAlertAfter
	return k&(k-1) == 0
}

// StaffLogin checks a staff account's name and password.
//
// A staff account is never locked: anyone who knows its name could keep
// it locked with one wrong guess whenever the delay ran out. Failures
// delay further tries as a patron's do (LoginDelay), but only from the
// address they came from, counted in memory by name and address, alike
// for names that exist and names that do not: a guesser elsewhere never
// keeps the right person out, and the admins hear of the failures
// (StaffAlertAfter). Patrons' failures never slow a staff login.
func (a *Accounts) StaffLogin(ctx context.Context, username, password, addr, kind string) (*LoginResult, error) {
	now := a.clock.Now()
	username = strings.TrimSpace(username)
	if username == "" || len(username) > 64 {
		return nil, refuse(InvalidCredentials)
	}
	key, done, err := a.staffTry(username, addr, now)
	if err != nil {
		return nil, err
	}
	defer done()
	var s *store.Staff
	err = a.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		s, err = store.StaffCredentials(ctx, tx, username)
		return err
	})
	source := "staff " + clientKey(addr)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := a.verify(ctx, source, "", password); err != nil {
			return nil, err
		}
		a.fail(a.staffBy, key, now)
		return nil, refuse(InvalidCredentials)
	}
	if err != nil {
		return nil, err
	}
	good, err := a.verify(ctx, source, s.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !good || s.Disabled {
		a.fail(a.staffBy, key, now)
		if err := a.staffFailed(ctx, s, addr, now); err != nil {
			return nil, err
		}
		return nil, refuse(InvalidCredentials)
	}
	if s.TOTP {
		tok := randomToken()
		a.mu.Lock()
		a.pending.put(tok, &halfLogin{staff: s, until: now.Add(secondFactorTime)})
		a.mu.Unlock()
		return &LoginResult{SecondFactor: tok, StaffID: s.ID, Name: s.DisplayName, Role: s.Role}, nil
	}
	return a.staffSession(ctx, s, key, kind, now)
}

// staffSession opens the session of a staff login that succeeded.
func (a *Accounts) staffSession(ctx context.Context, s *store.Staff, key, kind string, now time.Time) (*LoginResult, error) {
	a.forget(a.staffBy, key)
	token := randomToken()
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.StaffLoginSucceeded(ctx, tx, s.ID); err != nil {
			return err
		}
		return store.AddSession(ctx, tx, store.Session{IDHash: tokenHash(token), StaffID: s.ID, Kind: kind, CreatedAt: now, LastSeenAt: now})
	})
	if err != nil {
		return nil, err
	}
	return &LoginResult{Token: token, StaffID: s.ID, Name: s.DisplayName, Role: s.Role}, nil
}

// halfLogin is a staff login whose password was right, waiting for the
// code of its second factor.
type halfLogin struct {
	staff *store.Staff
	until time.Time
	tries int
}

// secondFactorTime is how long a login waits for its code, and
// secondFactorTries how many wrong codes it may give, before it must
// start again with the password.
const (
	secondFactorTime  = 5 * time.Minute
	secondFactorTries = 5
)

// StaffLoginCode completes a staff login that StaffLogin left waiting
// for its second factor (LoginResult.SecondFactor): code is the
// authenticator app's 6 digits, each accepted once, or one of the
// account's recovery codes, each usable once. A wrong code counts as a
// failed login (delays, alerts); after 5, or 5 minutes, the login starts
// again with the password (Unauthorized).
func (a *Accounts) StaffLoginCode(ctx context.Context, pending, code, addr, kind string) (*LoginResult, error) {
	now := a.clock.Now()
	a.mu.Lock()
	h, ok := a.pending.get(pending)
	a.mu.Unlock()
	if !ok || now.After(h.until) {
		return nil, refuse(Unauthorized)
	}
	key, done, err := a.staffTry(h.staff.Username, addr, now)
	if err != nil {
		return nil, err
	}
	defer done()
	good, err := a.secondFactor(ctx, h.staff.ID, code, now)
	if err != nil {
		return nil, err
	}
	if !good {
		a.mu.Lock()
		if h.tries++; h.tries >= secondFactorTries {
			a.pending.remove(pending)
		}
		a.mu.Unlock()
		a.fail(a.staffBy, key, now)
		if err := a.staffFailed(ctx, h.staff, addr, now); err != nil {
			return nil, err
		}
		return nil, &Refusal{Code: InvalidTOTP, Field: "code"}
	}
	a.mu.Lock()
	a.pending.remove(pending)
	a.mu.Unlock()
	return a.staffSession(ctx, h.staff, key, kind, now)
}

// secondFactor checks a code of a staff account's second factor and uses
// it up: a TOTP code's time step, or a recovery code. A disabled account
// has none that works.
func (a *Accounts) secondFactor(ctx context.Context, staffID int64, code string, now time.Time) (good bool, err error) {
	code = normalCode(code)
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := store.StaffTOTPOf(ctx, tx, staffID)
		if err != nil || t.Disabled || t.Secret == "" {
			return err
		}
		if len(code) == 6 {
			secret, err := a.unseal(t.Secret)
			if err != nil {
				return err
			}
			if step := totpMatch(secret, code, now); step != 0 {
				good, err = store.UseTOTPStep(ctx, tx, staffID, step)
			}
			return err
		}
		good, err = store.UseRecoveryCode(ctx, tx, staffID, a.recoveryHash(code))
		return err
	})
	return good, err
}

// TOTPState is what a staff member sees of their second factor.
type TOTPState struct {
	On       bool
	Recovery int // recovery codes left
}

// TOTPStateOf returns the state of a staff account's second factor.
func (a *Accounts) TOTPStateOf(ctx context.Context, staffID int64) (TOTPState, error) {
	var st TOTPState
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := store.StaffTOTPOf(ctx, tx, staffID)
		if err == nil {
			st = TOTPState{On: t.Secret != "", Recovery: t.Recovery}
		}
		return err
	})
	return st, err
}

// BeginTOTP starts setting up a second factor for a staff account: the
// secret to put in an authenticator app, kept until ConfirmTOTP (the same
// one again if the page is shown again). issuer names the library in
// the app.
func (a *Accounts) BeginTOTP(ctx context.Context, staffID int64, issuer string) (*TOTPEnrolment, error) {
	var e *TOTPEnrolment
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := store.StaffTOTPOf(ctx, tx, staffID)
		if err != nil {
			return err
		}
		secret, err := a.unseal(t.Pending)
		if t.Pending == "" || err != nil {
			secret = make([]byte, 20) // 160 bits, as RFC 4226 recommends
			rand.Read(secret)
			if err := store.SetStaffTOTPPending(ctx, tx, staffID, a.seal(secret)); err != nil {
				return err
			}
		}
		e = newEnrolment(secret, issuer, t.Username)
		return nil
	})
	return e, err
}

// ConfirmTOTP turns the second factor BeginTOTP set up on, once the staff
// member gave a code from it, and returns the recovery codes, shown this
// once (the database keeps only their keyed hashes).
func (a *Accounts) ConfirmTOTP(ctx context.Context, staffID int64, code string) ([]string, error) {
	now := a.clock.Now()
	codes := make([]string, RecoveryCodes)
	hashes := make([]string, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = a.recoveryHash(codes[i])
	}
	err := a.db.Tx(ctx, func(tx *sql.Tx) error {
		t, err := store.StaffTOTPOf(ctx, tx, staffID)
		if err != nil {
			return err
		}
		secret, err := a.unseal(t.Pending)
		if t.Pending == "" || err != nil {
			return &Refusal{Code: InvalidTOTP, Field: "code"}
		}
		step := totpMatch(secret, normalCode(code), now)
		if step == 0 {
			return &Refusal{Code: InvalidTOTP, Field: "code"}
		}
		if err := store.EnableStaffTOTP(ctx, tx, staffID, step, hashes); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "staff.totp_on", t.Username, now)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// TurnOffTOTP removes a staff member's own second factor, given a code
// of it (or a recovery code).
func (a *Accounts) TurnOffTOTP(ctx context.Context, staffID int64, code string) error {
	good, err := a.secondFactor(ctx, staffID, code, a.clock.Now())
	if err != nil {
		return err
	}
	if !good {
		return &Refusal{Code: InvalidTOTP, Field: "code"}
	}
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := store.DisableStaffTOTP(ctx, tx, staffID); err != nil {
			return err
		}
		return store.Audit(ctx, tx, staffID, "staff.totp_off", "", a.clock.Now())
	})
}

// ResetTOTP removes the second factor of another staff account (admins
// only), for a lost phone with its recovery codes.
func (a *Accounts) ResetTOTP(ctx context.Context, byStaff int64, username string) error {
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		s, err := store.StaffCredentials(ctx, tx, username)
		if errors.Is(err, store.ErrNotFound) {
			return &Refusal{Code: InvalidField, Field: "username"}
		}
		if err != nil {
			return err
		}
		if err := store.DisableStaffTOTP(ctx, tx, s.ID); err != nil {
			return err
		}
		return store.Audit(ctx, tx, byStaff, "staff.totp_reset", username, a.clock.Now())
	})
}

// staffTry lets a login try a staff name from addr, one at a time, unless
// failures from that address delay it; key counts them, and done ends
// the try.
func (a *Accounts) staffTry(username, addr string, now time.Time) (key string, done func(), err error) {
	key = "staff " + username + " " + clientKey(addr)
	if !a.claim(key) {
		return "", nil, &Refusal{Code: TooManyAttempts, RetryAfter: time.Second}
	}
	f := a.failures(a.staffBy, key)
	if wait := f.last.Add(LoginDelay(f.n)).Sub(now); wait > 0 {
		a.release(key)
		return "", nil, &Refusal{Code: TooManyAttempts, RetryAfter: wait}
	}
	return key, func() { a.release(key) }, nil
}

// staffFailed counts a failed login of a staff account and, when its
// failures in a row reach a mark, tells the admins in the staff log.
func (a *Accounts) staffFailed(ctx context.Context, s *store.Staff, addr string, now time.Time) error {
	return a.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := store.StaffLoginFailed(ctx, tx, s.ID, now)
		if err != nil || !staffAlertDue(n) {
			return err
		}
		what := fmt.Sprintf("%s: %d failed logins in a row, the latest from %s", s.Username, n, addr)
		return store.Audit(ctx, tx, 0, "staff.login_failures", what, now)
	})
}

// LoginAlerts is what the admins are shown of failed logins.
type LoginAlerts struct {
	// Staff are the staff accounts with StaffAlertAfter or more failed
	// logins since their last login.
	Staff []store.StaffFailures
	// Addresses are the client addresses whose patron logins are slowed
	// now, for failing over too many cards, most cards first.
	Addresses []SprayingAddress
}

// SprayingAddress is a client address slowed by the address limit.
type SprayingAddress struct {
	Address string // an IPv4 address or an IPv6 /64
	Cards   int    // different cards that failed from it in this window
	Since   time.Time
}

// LoginAlerts returns what the admins are shown of failed logins.
func (a *Accounts) LoginAlerts(ctx context.Context) (LoginAlerts, error) {
	staff, err := a.db.StaffFailures(ctx, StaffAlertAfter)
	if err != nil {
		return LoginAlerts{}, err
	}
	now := a.clock.Now()
	var addrs []SprayingAddress
	a.mu.Lock()
	a.byAddr.each(func(key string, st *addrState) {
		if st.n >= a.p.AddressFailures && now.Sub(st.start) < a.p.AddressWindow {
			addrs = append(addrs, SprayingAddress{Address: key, Cards: st.n, Since: st.start})
		}
	})
	a.mu.Unlock()
	slices.SortFunc(addrs, func(x, y SprayingAddress) int { return y.Cards - x.Cards })
	return LoginAlerts{Staff: staff, Addresses: addrs[:min(len(addrs), 20)]}, nil
}
