package hasher

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"authctl/internal/auth/hasher/argon2"
)

// TestArgon2MemoryIsMappedAligned: a new buffer lies outside the Go heap on
// a 2 MiB boundary, so every whole 2 MiB of it can be a huge page.
func TestArgon2MemoryIsMappedAligned(t *testing.T) {
	drainArgon2Pool(t)
	m := getArgon2Memory(4096)
	defer putArgon2Memory(m)
	if m.mapped == nil {
		t.Fatal("buffer is not mapped")
	}
	if addr := uintptr(unsafe.Pointer(&m.blocks[0])); addr%hugePageSize != 0 {
		t.Errorf("buffer starts at %#x, not on a 2 MiB boundary", addr)
	}
}

// TestArgon2PoolReleasesLargeBuffers: a buffer above keepArgon2Bytes (a
// costly stored hash's) is unmapped when its hash is done, not kept.
func TestArgon2PoolReleasesLargeBuffers(t *testing.T) {
	drainArgon2Pool(t)
	n := keepArgon2Bytes/argon2.BlockSize + 1
	// Mapped but never touched: no memory is spent on it.
	whole, err := unix.Mmap(-1, 0, n*argon2.BlockSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Skip(err)
	}
	m := &argon2Memory{blocks: unsafe.Slice((*argon2.Block)(unsafe.Pointer(&whole[0])), n), mapped: whole}
	putArgon2Memory(m)
	if m.mapped != nil {
		t.Error("the large buffer is still mapped")
	}
	argon2Pool.Lock()
	kept := len(argon2Pool.free)
	argon2Pool.Unlock()
	if kept != 0 {
		t.Errorf("the pool kept %d buffers, want none", kept)
	}
}
