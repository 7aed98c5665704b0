package hugepage

import (
	"cmp"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReserveHeap grows the Go heap by n bytes that nothing has touched yet,
// marks them MADV_HUGEPAGE, and frees them, so that the allocations that
// follow take their pages from there: on huge pages, a fault per 2 MiB
// instead of one per 4 KiB. Go's allocator takes the lowest free pages
// first, and the reservation lies just above what the heap held, so it is
// filled in order. Go's runtime does not mark the heap itself (Go 1.26
// marks only some of its own metadata, and, with GODEBUG=disablethp=1, the
// heap MADV_NOHUGEPAGE), and it does not zero an allocation in pages the
// heap never used (the kernel's are zero), so the marks reach the pages
// before their first write (but see reserveChunk).
//
// It reserves nothing for n below MinHeapReserve, when GODEBUG has
// disablethp=1, when THP is not in "madvise" mode (with "always" the heap
// gets huge pages unmarked, and a mark would only add compaction on a
// fault; with "never" there are none), or, where the defrag setting lets a
// marked fault compact (always, madvise, defer+madvise), when the kernel's
// free lists do not hold every 2 MiB block of it now, less a reserve: the
// heap faults the reservation in over the whole decode and write, long
// after the lists were counted, so a plan that needs them all to be there
// is the one that cannot stall. It returns the plan it applied.
func ReserveHeap(n int) Plan {
	if n < MinHeapReserve || heapTHPDisabled(os.Getenv("GODEBUG")) || thpMode(thpEnabledFile) != "madvise" {
		return Plan{}
	}
	p := For(n)
	if p.Huge < (n+Size-1)/Size {
		return Plan{}
	}
	allocateMarked(n)
	// Nothing refers to the chunks any more. FreeOSMemory collects them
	// and releases every free page, the reservation's included (madvise
	// calls on pages never touched; the marks stay on the mapping):
	// released, the reservation no longer counts as memory in use (against
	// the soft limit that apply sets for its write), and a chunk the
	// runtime zeroed goes back to the kernel rather than staying resident.
	debug.FreeOSMemory()
	return p
}

// reserveChunk is the size of the allocations a reservation is made of.
// The runtime zeroes an allocation that starts in pages the heap used
// before, all of it: a reservation made of one allocation would then be
// faulted in whole, 4 KiB at a time, before its marks. In chunks, only the
// chunk that straddles the end of the used pages is. In a process that
// has used and freed a larger heap (a second apply, as tests run it),
// every chunk on those pages is zeroed while still resident, and
// FreeOSMemory returns them: that apply faults its heap in again, on huge
// pages, as a fresh process does.
const reserveChunk = 4 << 20

// allocateMarked allocates n bytes in chunks and marks them MADV_HUGEPAGE.
//
//go:noinline
func allocateMarked(n int) {
	chunks := make([][]byte, 0, (n+reserveChunk-1)/reserveChunk)
	for left := n; left > 0; left -= reserveChunk {
		chunks = append(chunks, make([]byte, min(left, reserveChunk)))
	}
	for _, r := range chunkRuns(chunks) {
		markHuge(r.start, r.end)
	}
	runtime.KeepAlive(chunks)
}

// addrRange is [start, end) of the address space.
type addrRange struct{ start, end uintptr }

// chunkRuns returns the ranges the chunks cover, those that lie end to end
// (as consecutive allocations in fresh heap do) merged into one, so that
// no 2 MiB block across two chunks goes unmarked.
func chunkRuns(chunks [][]byte) []addrRange {
	rs := make([]addrRange, 0, len(chunks))
	for _, c := range chunks {
		if len(c) > 0 {
			start := uintptr(unsafe.Pointer(unsafe.SliceData(c)))
			rs = append(rs, addrRange{start, start + uintptr(len(c))})
		}
	}
	slices.SortFunc(rs, func(a, b addrRange) int { return cmp.Compare(a.start, b.start) })
	runs := rs[:0]
	for _, r := range rs {
		if n := len(runs); n > 0 && runs[n-1].end == r.start {
			runs[n-1].end = r.end
			continue
		}
		runs = append(runs, r)
	}
	return runs
}

// markHuge marks the whole pages of [start, end) MADV_HUGEPAGE. The range
// may span several allocations, so it goes to madvise as addresses, not as
// a slice. Errors leave the pages as they were.
func markHuge(start, end uintptr) {
	start = (start + pageSize - 1) &^ (pageSize - 1)
	if start < end {
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_HUGEPAGE)
	}
}

// heapTHPDisabled says whether a GODEBUG value sets disablethp=1; the last
// setting of a key wins, as in the runtime.
func heapTHPDisabled(godebug string) bool {
	off := false
	for kv := range strings.SplitSeq(godebug, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == "disablethp" {
			off = v == "1"
		}
	}
	return off
}
