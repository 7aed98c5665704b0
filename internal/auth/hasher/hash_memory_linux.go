package hasher

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"authctl/internal/hugepage"
)

// newHashMemory maps n bytes of anonymous memory outside the Go heap,
// starting on a 2 MiB boundary so that every whole 2 MiB of it can be a
// huge page, and populates it as the page plan says (populate). Builds
// tagged authctl_noprefault leave it to fault in as the hash first writes
// each page. Where the kernel refuses the mapping it falls back to the Go
// heap.
func newHashMemory(n int) (*hashMemory, hugepage.Plan) {
	whole, err := unix.Mmap(-1, 0, n+hugepage.Size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return heapHashMemory(n), hugepage.Plan{}
	}
	skip := hugepage.Skip(uintptr(unsafe.Pointer(unsafe.SliceData(whole))))
	b := whole[skip : skip+n : skip+n]
	var plan hugepage.Plan
	if prefaultEnabled {
		plan = populate(b)
	}
	return &hashMemory{b: b, mapped: whole}, plan
}

// release unmaps a mapped buffer; a heap one is left to the collector.
func (m *hashMemory) release() {
	if m.mapped != nil {
		_ = unix.Munmap(m.mapped)
	}
	m.b, m.mapped = nil, nil
}
