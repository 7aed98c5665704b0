package hugepage

import (
	"os"
	"runtime"
	"strings"
)

// MinHeapReserve is the smallest reservation ReserveHeap makes: below it
// the faults saved are fewer than a collection costs.
const MinHeapReserve = 16 << 20

// ReserveHeap grows the Go heap by n bytes that nothing has touched yet,
// marks them as For(n) plans, and frees them, so that the allocations that
// follow take their pages from there: on huge pages, a fault per 2 MiB
// instead of one per 4 KiB. Go's allocator takes the lowest free pages
// first, and the reservation lies just above what the heap held, so it is
// filled in order; what is never used is never touched, costing address
// space, not memory. The runtime itself never marks the heap (since Go
// 1.21.1), and a fresh large allocation is not zeroed (the kernel's pages
// are), so the marks reach pages before their first write.
//
// It costs one garbage collection, of a heap that is small when a command
// starts, and does nothing for n below MinHeapReserve, when the plan marks
// nothing, or when GODEBUG has disablethp=1 (the runtime's own switch for
// keeping the heap off huge pages). It returns the plan it applied.
func ReserveHeap(n int) Plan {
	if n < MinHeapReserve || heapTHPDisabled(os.Getenv("GODEBUG")) {
		return Plan{}
	}
	p := For(n)
	if p.Huge == 0 && !p.NoHuge {
		return Plan{}
	}
	allocateMarked(n, p)
	// Nothing refers to the allocation any more: the collection frees its
	// span, and the untouched pages go back to the allocator.
	runtime.GC()
	return p
}

// allocateMarked allocates n bytes and marks their pages as p says.
//
//go:noinline
func allocateMarked(n int, p Plan) {
	b := make([]byte, n)
	p.Apply(b)
	runtime.KeepAlive(b)
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
