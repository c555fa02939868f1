package fast

import "syscall"

// releasePages drops the resident pages of a read-only file mapping; the
// next read maps them again from the page cache.
func releasePages(m []byte) {
	_ = syscall.Madvise(m, syscall.MADV_DONTNEED)
}
