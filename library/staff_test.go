package library

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLastAdmin: the only enabled admin can neither demote nor disable
// itself; once another admin exists, it can.
func TestLastAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, _, _ := newAccountsT(t)
	for _, s := range []struct{ name, role string }{{"chief", RoleAdmin}, {"desk", RoleLibrarian}, {"old", RoleAdmin}} {
		if err := a.AddStaff(ctx, 0, s.name, s.role, s.name+"-password-1"); err != nil {
			t.Fatal(err)
		}
	}
	// A disabled admin does not count.
	if err := a.UpdateStaff(ctx, 0, "old", RoleAdmin, true, ""); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name, user, role string
		disabled         bool
		want             string
	}{
		{"the last admin demotes itself", "chief", RoleLibrarian, false, LastAdmin},
		{"the last admin disables itself", "chief", RoleAdmin, true, LastAdmin},
		{"both at once", "chief", RoleLibrarian, true, LastAdmin},
		{"the last admin resets its own password", "chief", RoleAdmin, false, ""},
		{"a librarian is disabled", "desk", RoleLibrarian, true, ""},
		{"a second admin", "desk", RoleAdmin, false, ""},
		{"now the first may step down", "chief", RoleLibrarian, false, ""},
		{"and the second is the last", "desk", RoleAdmin, true, LastAdmin},
	}
	for _, s := range steps {
		pw := ""
		if s.want == "" && s.user == "chief" && s.role == RoleAdmin {
			pw = "chief-password-2"
		}
		if got := code(a.UpdateStaff(ctx, 0, s.user, s.role, s.disabled, pw)); got != s.want {
			t.Errorf("%s: %q, want %q", s.name, got, s.want)
		}
	}
}

// TestStaffNeverLocked (issue 14, finding 5): whoever knows a staff
// username can no longer keep the account locked. Failures delay the
// address they come from, as long as a patron's would, but not the
// right password from elsewhere; no number of them locks the account;
// names that do not exist answer alike; the admins are told at 5, 10,
// 20 … failures in a row.
func TestStaffNeverLocked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, clock, db := newAccountsT(t)
	if err := a.AddStaff(ctx, 0, "chief", RoleAdmin, "chief-password-1"); err != nil {
		t.Fatal(err)
	}
	const guesser, desk = "203.0.113.5", "192.0.2.10"
	// A guesser tries once whenever the delay has run out.
	for i := 1; i <= 25; i++ {
		for _, name := range []string{"chief", "ghost"} {
			if _, err := a.StaffLogin(ctx, name, fmt.Sprintf("guess-%02d-xxxx", i), guesser, SessionWeb); code(err) != InvalidCredentials {
				t.Fatalf("guess %d on %s: %v", i, name, err)
			}
		}
		// Right away, both names are delayed alike from the guesser's
		// address once five failures are in, the right password too.
		if i >= 5 {
			_, errChief := a.StaffLogin(ctx, "chief", "chief-password-1", guesser, SessionWeb)
			_, errGhost := a.StaffLogin(ctx, "ghost", "whatever-password", guesser, SessionWeb)
			var rc, rg *Refusal
			delayed := func(r *Refusal) bool { // the clock runs on a little meanwhile
				return r.Code == TooManyAttempts && r.RetryAfter <= LoginDelay(i) && r.RetryAfter > LoginDelay(i)-10*time.Second
			}
			if !errors.As(errChief, &rc) || !errors.As(errGhost, &rg) || !delayed(rc) || !delayed(rg) {
				t.Fatalf("after %d failures, from the guesser: chief %v, ghost %v", i, errChief, errGhost)
			}
		}
		if i == 13 {
			// The right password from the desk is never kept waiting.
			if _, err := a.StaffLogin(ctx, "chief", "chief-password-1", desk, SessionWeb); err != nil {
				t.Fatalf("the right password from the desk after 13 guesses elsewhere: %v", err)
			}
		}
		clock.Advance(LoginDelay(i) + time.Second)
	}
	alerts, err := a.LoginAlerts(ctx)
	if err != nil || len(alerts.Staff) != 1 || alerts.Staff[0].Username != "chief" || alerts.Staff[0].Failures != 12 {
		t.Errorf("alerts after 12 failures since the last login: %+v %v", alerts, err)
	}
	var logged []string
	entries, _ := db.AuditLog(ctx, 100)
	for _, e := range entries {
		if e.Action == "staff.login_failures" {
			logged = append(logged, e.Detail)
		}
	}
	// 5 and 10 before the login from the desk, 5 and 10 after it.
	if len(logged) != 4 || !strings.HasPrefix(logged[0], "chief: 10 failed logins in a row, the latest from 203.0.113.5") {
		t.Errorf("staff log: %q", logged)
	}
	if _, err := a.StaffLogin(ctx, "chief", "chief-password-1", desk, SessionWeb); err != nil {
		t.Fatalf("the right password from the desk after 25 guesses: %v", err)
	}
	if alerts, _ := a.LoginAlerts(ctx); len(alerts.Staff) != 0 {
		t.Errorf("alerts after a login: %+v", alerts.Staff)
	}
}

// TestTOTPVectors: the codes are RFC 6238's (Appendix B, SHA-1).
func TestTOTPVectors(t *testing.T) {
	t.Parallel()
	secret := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		want string
	}{{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"}, {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}} {
		if got := totpCode(secret, totpStep(time.Unix(v.unix, 0)), 8); got != v.want {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.want)
		}
	}
	if got := totpCode(secret, totpStep(time.Unix(59, 0)), 6); got != "287082" {
		t.Errorf("6 digits at T=59: %s", got)
	}
}

// TestStaffTOTP (issue 14, finding 5): a staff member sets up a second
// factor with a code from it; from then on a login needs a code, each
// code works once, each recovery code works once, a wrong code counts as
// a failure, and the secret is not readable from the database alone.
func TestStaffTOTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, clock, db := newAccountsT(t)
	if err := a.AddStaff(ctx, 0, "chief", RoleAdmin, "chief-password-1"); err != nil {
		t.Fatal(err)
	}
	const desk = "192.0.2.10"
	first, err := a.StaffLogin(ctx, "chief", "chief-password-1", desk, SessionWeb)
	if err != nil || first.Token == "" || first.SecondFactor != "" {
		t.Fatalf("login before the set-up: %+v %v", first, err)
	}
	e, err := a.BeginTOTP(ctx, first.StaffID, "大洲市立図書館")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := a.BeginTOTP(ctx, first.StaffID, "大洲市立図書館"); again.Secret != e.Secret {
		t.Error("showing the set-up again changed the secret")
	}
	secret, err := base32NoPad.DecodeString(strings.ReplaceAll(e.Secret, " ", ""))
	if err != nil || len(secret) != 20 || !strings.HasPrefix(e.URI, "otpauth://totp/") || !strings.Contains(e.URI, "secret="+base32NoPad.EncodeToString(secret)) {
		t.Fatalf("enrolment %+v: %v", e, err)
	}
	now := func() string { return totpCode(secret, totpStep(clock.Now()), 6) }
	wrong := func() string { return fmt.Sprintf("%06d", (mustAtoi(now())+1)%1000000) }
	if _, err := a.ConfirmTOTP(ctx, first.StaffID, wrong()); code(err) != InvalidTOTP {
		t.Fatalf("confirming with a wrong code: %v", err)
	}
	recovery, err := a.ConfirmTOTP(ctx, first.StaffID, now())
	if err != nil || len(recovery) != RecoveryCodes {
		t.Fatalf("confirm: %q %v", recovery, err)
	}
	clock.Advance(30 * time.Second) // the code of the set-up is used
	var stored string
	db.Reader().QueryRow(`SELECT totp_secret FROM staff WHERE username = 'chief'`).Scan(&stored)
	if stored == "" || strings.Contains(stored, base32NoPad.EncodeToString(secret)) || strings.Contains(stored, string(secret)) {
		t.Errorf("secret stored as %q", stored)
	}

	half := func() string {
		t.Helper()
		r, err := a.StaffLogin(ctx, "chief", "chief-password-1", desk, SessionWeb)
		if err != nil || r.Token != "" || r.SecondFactor == "" {
			t.Fatalf("password step: %+v %v", r, err)
		}
		return r.SecondFactor
	}
	if _, err := a.StaffLogin(ctx, "chief", "wrong-password-1", desk, SessionWeb); code(err) != InvalidCredentials {
		t.Errorf("a wrong password: %v", err)
	}
	h := half()
	if _, err := a.StaffLoginCode(ctx, h, wrong(), desk, SessionWeb); code(err) != InvalidTOTP {
		t.Errorf("a wrong code: %v", err)
	}
	used := now()
	r, err := a.StaffLoginCode(ctx, h, used, desk, SessionWeb)
	if err != nil || r.Token == "" {
		t.Fatalf("the right code: %+v %v", r, err)
	}
	if _, err := a.Session(ctx, r.Token); err != nil {
		t.Errorf("session after the code: %v", err)
	}
	if _, err := a.StaffLoginCode(ctx, h, now(), desk, SessionWeb); code(err) != Unauthorized {
		t.Errorf("the same half login twice: %v", err)
	}
	if _, err := a.StaffLoginCode(ctx, half(), used, desk, SessionWeb); code(err) != InvalidTOTP {
		t.Errorf("a code used already: %v", err)
	}
	clock.Advance(30 * time.Second)
	if _, err := a.StaffLoginCode(ctx, half(), now(), desk, SessionWeb); err != nil {
		t.Errorf("the next step's code: %v", err)
	}
	// Recovery codes, typed any which way, work once each.
	if _, err := a.StaffLoginCode(ctx, half(), " "+strings.ToUpper(recovery[3])+" ", desk, SessionWeb); err != nil {
		t.Errorf("a recovery code: %v", err)
	}
	if _, err := a.StaffLoginCode(ctx, half(), recovery[3], desk, SessionWeb); code(err) != InvalidTOTP {
		t.Errorf("a recovery code again: %v", err)
	}
	if st, _ := a.TOTPStateOf(ctx, first.StaffID); !st.On || st.Recovery != RecoveryCodes-1 {
		t.Errorf("state %+v", st)
	}
	// A half login waits 5 minutes, and 5 wrong codes, at most.
	h = half()
	clock.Advance(secondFactorTime + time.Second)
	if _, err := a.StaffLoginCode(ctx, h, now(), desk, SessionWeb); code(err) != Unauthorized {
		t.Errorf("a code after 5 minutes: %v", err)
	}
	h = half()
	for i := 0; i < secondFactorTries; i++ {
		a.StaffLoginCode(ctx, h, fmt.Sprintf("%06d", i), "198.51.100.1", SessionWeb)
	}
	if _, err := a.StaffLoginCode(ctx, h, now(), desk, SessionWeb); code(err) != Unauthorized {
		t.Errorf("a code after 5 wrong ones: %v", err)
	}
	// The wrong codes counted as failures of the account, from where
	// they came.
	if _, err := a.StaffLogin(ctx, "chief", "chief-password-1", "198.51.100.1", SessionWeb); code(err) != TooManyAttempts {
		t.Errorf("password after 5 wrong codes from the same address: %v", err)
	}
	// Turning it off takes a code; an admin can reset it.
	if err := a.TurnOffTOTP(ctx, first.StaffID, wrong()); code(err) != InvalidTOTP {
		t.Errorf("turning off with a wrong code: %v", err)
	}
	clock.Advance(30 * time.Second)
	if err := a.TurnOffTOTP(ctx, first.StaffID, now()); err != nil {
		t.Fatal(err)
	}
	if r, err := a.StaffLogin(ctx, "chief", "chief-password-1", desk, SessionWeb); err != nil || r.Token == "" {
		t.Errorf("login after turning it off: %+v %v", r, err)
	}
	if st, _ := a.TOTPStateOf(ctx, first.StaffID); st.On || st.Recovery != 0 {
		t.Errorf("state after turning off %+v", st)
	}
}

func mustAtoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
