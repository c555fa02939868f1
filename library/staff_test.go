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
