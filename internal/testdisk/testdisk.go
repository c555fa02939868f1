// Package testdisk gives tests a small file system of their own, to fill
// up: a tmpfs of a few megabytes mounted on a temporary directory for the
// length of the test. Only tests import it.
//
// Mounting needs root (CI runs as root) and a kernel that lets the
// process mount; elsewhere the tests that need it are skipped, unless
// HONDANA_REQUIRE_DISKFULL=1 (as in CI), which makes that a failure.
package testdisk

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Required reports whether a test that cannot mount fails rather than
// skips (CI).
func Required() bool { return os.Getenv("HONDANA_REQUIRE_DISKFULL") == "1" }

// Small mounts a file system of size bytes on a new temporary directory
// and returns the directory; the file system is unmounted when the test
// ends, failed or not. It skips t where mounting is not allowed.
func Small(t testing.TB, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if err := mount(dir, size); err != nil {
		if Required() {
			t.Fatalf("mount a small file system: %v (HONDANA_REQUIRE_DISKFULL=1)", err)
		}
		t.Skipf("cannot mount a small file system here (%v): run as root, or set HONDANA_REQUIRE_DISKFULL=1 to make this a failure", err)
	}
	// Registered after TempDir's own cleanup, so it runs before it:
	// cleanups run last first.
	t.Cleanup(func() {
		if err := unmount(dir); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// Fill writes to a file in dir until the file system has no room left
// and returns a function that frees the space again.
func Fill(t testing.TB, dir string) (free func()) {
	t.Helper()
	f, err := os.CreateTemp(dir, "filler-")
	if err != nil {
		t.Fatalf("fill: %v", err)
	}
	defer f.Close()
	// Large writes first, then single pages to take the last of it.
	for _, size := range []int{1 << 20, 4 << 10} {
		buf := make([]byte, size)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("fill: %v", err)
				}
				break
			}
		}
	}
	name := filepath.Clean(f.Name())
	return func() {
		if err := os.Remove(name); err != nil {
			t.Errorf("free: %v", err)
		}
	}
}

// ReadOnly makes the file system Small mounted on dir read-only, as a
// disk that failed and was remounted read-only by the kernel.
func ReadOnly(t testing.TB, dir string) {
	t.Helper()
	if err := remountReadOnly(dir); err != nil {
		t.Fatalf("remount %s read-only: %v", dir, err)
	}
}
