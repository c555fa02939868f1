//go:build !linux

package testdisk

import "errors"

func mount(string, int64) error { return errors.New("only on Linux") }

func unmount(string) error { return nil }

func remountReadOnly(string) error { return errors.New("only on Linux") }
