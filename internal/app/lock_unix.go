//go:build unix

package app

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on the file at path (made if need
// be), without waiting: errHeld when another process has it. The
// kernel lets it go when the process ends, however it ends.
func lockFile(path string) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		// A read-only disk: a lock file made before still locks.
		if f, err = os.Open(path); err != nil {
			return nil, err
		}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errHeld
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
