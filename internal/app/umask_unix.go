//go:build unix

package app

import "syscall"

// restrictUmask makes the process create files and directories for its
// user alone.
func restrictUmask() { syscall.Umask(0o077) }
