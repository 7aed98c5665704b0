package hasher

import "golang.org/x/sys/unix"

// adviseHugePages asks for transparent huge pages on b: one fault per 2 MiB
// instead of one per 4 KiB. An error (THP disabled) changes nothing else.
func adviseHugePages(b []byte) { _ = unix.Madvise(b, unix.MADV_HUGEPAGE) }
