package hasher

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// populate faults in every page of b as the current plan says (see
// prefault_plan.go): huge pages where they cannot stall, then one
// madvise(MADV_POPULATE_WRITE) (Linux 5.14 and later) for the whole
// buffer, or a write per page where that call is refused. It returns the
// plan.
func populate(b []byte) pagePlan {
	p := currentPlan(len(b))
	applyPlan(b, p)
	if unix.Madvise(b, unix.MADV_POPULATE_WRITE) != nil {
		touch(b)
	}
	return p
}

// applyPlan marks b's pages for the plan. Errors (THP not built into the
// kernel) leave the pages as they were, which only costs speed.
func applyPlan(b []byte, p pagePlan) {
	if p.noHuge {
		_ = unix.Madvise(b, unix.MADV_NOHUGEPAGE)
	}
	if p.huge == 0 || len(b) == 0 {
		return
	}
	// madvise wants a page-aligned start; a huge page needs its whole
	// aligned 2 MiB inside the marked range.
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := hugeSkip(addr)
	if p.huge*hugePageSize >= len(b) {
		skip = int((pageSize - addr%pageSize) % pageSize) // all of it: the head too
	}
	if skip >= len(b) {
		return
	}
	end := min(len(b), skip+p.huge*hugePageSize)
	_ = unix.Madvise(b[skip:end], unix.MADV_HUGEPAGE)
}

// hugeSkip is how many bytes from addr to the next 2 MiB boundary.
func hugeSkip(addr uintptr) int {
	return int((hugePageSize - addr%hugePageSize) % hugePageSize)
}

// pageSize is the step for touching memory: the smallest page size of the
// platforms Go runs on, so that every page is written.
const pageSize = 4096

// touch writes one byte in every page of b, faulting it in.
func touch(b []byte) {
	for i := 0; i < len(b); i += pageSize {
		b[i] = 1
	}
}
