package hugepage

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// pageSize is the smallest page size of the platforms Go runs on:
// madvise wants a start aligned to it.
const pageSize = 4096

// Apply marks b's pages as p says. Errors (THP not built into the kernel)
// leave the pages as they were, which only costs speed.
func (p Plan) Apply(b []byte) {
	if p.NoHuge {
		_ = unix.Madvise(b, unix.MADV_NOHUGEPAGE)
	}
	if p.Huge == 0 || len(b) == 0 {
		return
	}
	// A huge page needs its whole aligned 2 MiB inside the marked range.
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := Skip(addr)
	if p.Huge*Size >= len(b) {
		skip = int((pageSize - addr%pageSize) % pageSize) // all of it: the head too
	}
	if skip >= len(b) {
		return
	}
	end := min(len(b), skip+p.Huge*Size)
	_ = unix.Madvise(b[skip:end], unix.MADV_HUGEPAGE)
}
