package hasher

import (
	"testing"

	"golang.org/x/sys/unix"

	"authctl/internal/hugepage"
)

// TestHashMemoryIsMappedAligned: a new buffer lies outside the Go heap on
// a 2 MiB boundary, so every whole 2 MiB of it can be a huge page.
func TestHashMemoryIsMappedAligned(t *testing.T) {
	drainHashPool(t)
	m := getHashMemory(4 << 20)
	defer putHashMemory(m)
	if m.mapped == nil {
		t.Fatal("buffer is not mapped")
	}
	if addr := uintptrOf(&m.b[0]); addr%hugepage.Size != 0 {
		t.Errorf("buffer starts at %#x, not on a 2 MiB boundary", addr)
	}
}

// TestHashPoolReleasesLargeBuffers: a buffer above keepHashBytes (a costly
// stored hash's) is unmapped when its hash is done, not kept.
func TestHashPoolReleasesLargeBuffers(t *testing.T) {
	drainHashPool(t)
	n := keepHashBytes + 1
	// Mapped but never touched: no memory is spent on it.
	whole, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Skip(err)
	}
	m := &hashMemory{b: whole, mapped: whole}
	putHashMemory(m)
	if m.mapped != nil {
		t.Error("the large buffer is still mapped")
	}
	if kept := pooled(); kept != 0 {
		t.Errorf("the pool kept %d buffers, want none", kept)
	}
}
