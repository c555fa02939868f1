package library

import (
	"context"
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
	key := "staff " + username + " " + clientKey(addr)
	if !a.claim(key) {
		return nil, &Refusal{Code: TooManyAttempts, RetryAfter: time.Second}
	}
	defer a.release(key)
	f := a.failures(key)
	if wait := f.last.Add(LoginDelay(f.n)).Sub(now); wait > 0 {
		return nil, &Refusal{Code: TooManyAttempts, RetryAfter: wait}
	}
	var s *store.Staff
	err := a.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		s, err = store.StaffCredentials(ctx, tx, username)
		return err
	})
	source := "staff " + clientKey(addr)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := a.verify(ctx, source, "", password); err != nil {
			return nil, err
		}
		a.fail(key, now)
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
		a.fail(key, now)
		if err := a.staffFailed(ctx, s, addr, now); err != nil {
			return nil, err
		}
		return nil, refuse(InvalidCredentials)
	}
	a.forget(key)
	token := randomToken()
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
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
