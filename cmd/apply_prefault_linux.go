package cmd

import "golang.org/x/sys/unix"

const canPopulate = true

// populate has the kernel map every page of b, writable, in one call; it
// reports whether it could (MADV_POPULATE_WRITE needs Linux 5.14). b is
// fresh from the allocator, so no byte of it changes.
func populate(b []byte) bool {
	return unix.Madvise(b, unix.MADV_POPULATE_WRITE) == nil
}
