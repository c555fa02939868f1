package app

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hondana/library"
	"hondana/store"
)

// TestDataFilesPrivate: every file of the data directory is its owner's
// alone (no permission for group or others) and every directory in it
// too: the database and its -wal and -shm files, the index, the pepper
// and the mailbox; and a data directory another process made readable to
// all is tightened at start. Before, with the usual umask 022, the
// database was 0644, the index's metadata 0644 and the directories 0750.
func TestDataFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022) // as a login shell has it
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()
	cfg := Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	a, err := New(ctx, cfg, Options{Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	// A message in the mailbox: the notice of a new e-mail address.
	reg, err := a.Accounts.RegisterPatron(ctx, library.PatronForm{Name: "大洲 太郎", NameYomi: "オオズ タロウ", BirthDate: "1980-05-05"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.DB.PatronByCard(ctx, reg.Card)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Accounts.SetEmail(ctx, p.ID, "taro@example.jp"); err != nil {
		t.Fatal(err)
	}
	if sent, _, err := a.Mailer.SendDue(ctx); err != nil || sent == 0 {
		t.Fatalf("mail sent: %d, %v", sent, err)
	}
	// While it is open: the -wal and -shm files exist.
	checkPrivate(t, cfg.DataDir, store.FileName, store.FileName+"-wal", store.FileName+"-shm", "pepper.secret", "index.bleve", "mailbox")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// Opened up by hand (a copy, a restore, a careless chmod -R).
	err = filepath.WalkDir(cfg.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(path, 0o755)
		}
		return os.Chmod(path, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err = New(ctx, cfg, Options{Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	checkPrivate(t, cfg.DataDir, store.FileName, "pepper.secret", "index.bleve", "mailbox")
}

// checkPrivate fails t for every file or directory under dir that group
// or others may use, and for each of want that is missing.
func checkPrivate(t *testing.T, dir string, want ...string) {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		seen[strings.SplitN(rel, string(filepath.Separator), 2)[0]] = true
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s is %#o: others may use it", rel, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("%s is missing from the data directory (%v)", w, seen)
		}
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
