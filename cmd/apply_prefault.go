package cmd

import (
	"os"
	"runtime"
)

// The heap of an apply that reads a large file grows, while it decodes,
// into memory the process has never touched, and the kernel maps each
// 4 KiB page of it on its first write: one page fault each, and on the
// virtual machines authctl is measured on a fault costs about 13 µs of
// system time (100,000 pre-hashed users: 38,000 faults, 0.5-0.6 s of
// system time). prefaultHeap maps that memory ahead in one
// madvise(MADV_POPULATE_WRITE) call: it allocates a block of the size the
// decode is expected to use, has the kernel populate it, and frees it at
// once; the allocator then builds the decode's heap in those pages, which
// stay with the process (the runtime's background scavenger returns free
// memory gradually, not at once).
//
// heapPerFileByte is that size per byte of the input file (100,000 users
// in JSON, a 25 MB file, peak at 100 MiB of heap; in YAML, 24 MB, at
// more). Files whose size calls for more than prefaultMax get none: a
// decode that large outgrows any block populated ahead, whose pages the
// scavenger then returns only gradually, and the process held more at its
// peak (1,000,000 users, a 254 MB file, with 256 MiB populated: 1,170 MiB
// against 1,076). prefaultMin is the smallest block worth a call.
const (
	heapPerFileByte = 4
	prefaultMax     = 256 << 20
	prefaultMin     = 4 << 20
)

// prefaultSize is how much heap to populate for the apply of the file at
// path: none for standard input ("-"), a file that cannot be read, or a
// file too small or too large for it to pay.
func prefaultSize(path string) int64 {
	if path == "" || path == "-" {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0
	}
	n := fi.Size() * heapPerFileByte
	if n < prefaultMin || n > prefaultMax {
		return 0
	}
	return n
}

// prefaultHeap populates the heap an apply of the file at path will grow
// into (prefaultSize), where the kernel can (populate: Linux 5.14 and
// later), and does nothing elsewhere.
func prefaultHeap(path string) {
	n := prefaultSize(path)
	if n == 0 || !canPopulate {
		return
	}
	b := make([]byte, n)
	if !populate(b) {
		return
	}
	// Free it now: a collection with nothing else live costs well under
	// a millisecond here, and leaves the pages free for the decode.
	b = nil
	runtime.GC()
}
