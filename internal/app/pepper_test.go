package app

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hondana/library"
)

// TestPepperMustMatch: a data directory restored without its
// pepper.secret used to start normally with a new pepper, and then every
// login failed. Now that start is refused, saying where the pepper must
// be, and no new pepper is made; so is a start with another pepper, and
// one of a database from before the check whose passwords were hashed
// with a pepper not found. With the right pepper (the same value in the
// config, or the file put back) it starts, and logins work.
func TestPepperMustMatch(t *testing.T) {
	ctx := context.Background()
	cfg := Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	open := func(cfg Config) (*App, error) { return New(ctx, cfg, Options{Log: quiet()}) }
	a, err := open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Accounts.AddStaff(ctx, 0, "kanri", library.RoleAdmin, "kanri-password-1"); err != nil {
		t.Fatal(err)
	}
	a.Close()
	file := filepath.Join(cfg.DataDir, "pepper.secret")
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}

	refused := func(what string, cfg Config, words ...string) {
		t.Helper()
		a, err := open(cfg)
		if err == nil {
			a.Close()
			t.Fatalf("%s: started", what)
		}
		for _, w := range append(words, "HONDANA_PEPPER", "pepper in the config file", file) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", what, err, w)
			}
		}
		if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: a pepper file was made (%v)", what, err)
		}
	}
	refused("without the pepper file", cfg, "none found")
	other := cfg
	other.Pepper = "another-pepper"
	refused("with another pepper", other, "not the pepper")

	started := func(what string, cfg Config) {
		t.Helper()
		a, err := open(cfg)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer a.Close()
		if _, err := a.Accounts.StaffLogin(ctx, "kanri", "kanri-password-1", "127.0.0.1", library.SessionAPI); err != nil {
			t.Errorf("%s: login: %v", what, err)
		}
	}
	right := cfg
	right.Pepper = strings.TrimSpace(string(saved))
	started("with the pepper in the config", right)
	if err := os.WriteFile(file, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	started("with the pepper file put back", cfg)

	// A database from before the check keeps none: its password hashes
	// alone say that it needs its pepper.
	a, err = open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = a.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = 'pepper_check'`)
		return err
	})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	refused("a database from before the check, without its pepper", cfg, "none found")
}
