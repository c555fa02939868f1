package testdisk

import (
	"fmt"
	"os"
	"syscall"
)

func mount(dir string, size int64) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("not root")
	}
	return syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, fmt.Sprintf("size=%d,mode=0700", size))
}

// unmount detaches the file system even while files in it are open (a
// test that failed may have left some).
func unmount(dir string) error { return syscall.Unmount(dir, syscall.MNT_DETACH) }

// remountReadOnly makes the file system mounted on dir read-only.
func remountReadOnly(dir string) error {
	return syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY|syscall.MS_NOSUID|syscall.MS_NODEV, "")
}
