package hasher

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"authctl/internal/auth/hasher/argon2"
)

// newArgon2Memory maps n blocks of anonymous memory outside the Go heap,
// starting on a 2 MiB boundary so that every whole 2 MiB of it can be a
// huge page, and populates it as the page plan says (populate). Builds
// tagged authctl_noprefault leave it to fault in as the hash first writes
// each page. Where the kernel refuses the mapping it falls back to the Go
// heap.
func newArgon2Memory(n int) (*argon2Memory, pagePlan) {
	size := n * argon2.BlockSize
	whole, err := unix.Mmap(-1, 0, size+hugePageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return &argon2Memory{blocks: make([]argon2.Block, n)}, pagePlan{}
	}
	skip := hugeSkip(uintptr(unsafe.Pointer(unsafe.SliceData(whole))))
	b := whole[skip : skip+size : skip+size]
	var plan pagePlan
	if prefaultEnabled {
		plan = populate(b)
	}
	blocks := unsafe.Slice((*argon2.Block)(unsafe.Pointer(unsafe.SliceData(b))), n)
	return &argon2Memory{blocks: blocks, mapped: whole}, plan
}

// release unmaps a mapped buffer; a heap one is left to the collector.
func (m *argon2Memory) release() {
	if m.mapped != nil {
		_ = unix.Munmap(m.mapped)
	}
	m.blocks, m.mapped = nil, nil
}
