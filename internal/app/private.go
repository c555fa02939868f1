package app

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// The data directory holds the patrons' names, addresses and loans and
// the password pepper: it is the library's alone. It is 0700 and every
// file in it 0600. The files Hondana makes say so, and the process makes
// files for no one else (umask 077): SQLite makes its database 0644, and
// its -wal and -shm files after it, Bleve its index_meta.json 0666. A
// directory from before, or copied in, is tightened at start.

// makePrivate takes every permission of group and others from dir and
// everything in it. It reports how many it changed, and the first change
// it could not make (a read-only file system, say: the start goes on,
// read-only).
func makePrivate(dir string) (changed int, err error) {
	var failed error
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil // gone meanwhile (a probe, a temporary file)
		case err != nil:
			return err
		case d.Type()&fs.ModeSymlink != 0:
			return nil // where a link points is not ours to change
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(path, perm&^0o077); err != nil && failed == nil && !errors.Is(err, fs.ErrNotExist) {
				failed = err
			} else if err == nil {
				changed++
			}
		}
		return nil
	})
	return changed, errors.Join(err, failed)
}
