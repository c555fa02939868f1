package library

import (
	"context"
	"testing"
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
