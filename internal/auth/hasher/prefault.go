package hasher

import (
	"runtime"
	"sync"
)

// Page faults in a fresh process. x/crypto's scrypt allocates its memory
// itself (16 MiB at Django's defaults), and in a process that has not used
// that much memory before the Go heap gets it fresh from the kernel, one
// fault per 4 KiB page. (argon2's memory is the hasher's own, mapped and
// populated at once: argon2_memory.go.)
//
// prefault readies that memory without touching x/crypto: it allocates a
// buffer of the same size, has the kernel populate it (populate, per
// platform), drops it and runs the garbage collector, so the pages go back
// to the Go heap's free list, faulted in. The next allocation of that size
// (x/crypto's) is served from them, lowest address first, and takes no
// faults. The runtime returns free heap memory to the kernel only through
// its background scavenger, paced at about 1% of one CPU, which releases
// nothing in the microseconds between the two allocations
// (debug.FreeOSMemory would; nothing here calls it). The reuse is likely,
// not guaranteed: now and then the allocation lands elsewhere and takes
// the faults as before.
//
// On Linux, populate also decides which part of the buffer gets
// transparent huge pages (prefault_plan.go): where the kernel would have
// to compact memory to make them, it spends more time there than the
// faults it saves.
//
// It is done once per process and size: later hashes reuse the memory of
// earlier ones through the heap as usual.
var warm struct {
	sync.Mutex
	bytes int
	plan  pagePlan // the last buffer's, for tests
}

// pageSize is the step for touching memory: the smallest page size of the
// platforms Go runs on, so that every page is written.
const pageSize = 4096

// prefault readies n bytes of faulted-in heap memory for the next
// allocation of that size; a no-op when a buffer at least that large was
// prepared before.
func prefault(n int) {
	if !prefaultEnabled {
		return
	}
	warm.Lock()
	defer warm.Unlock()
	if n <= warm.bytes {
		return
	}
	b := make([]byte, n)
	warm.plan = populate(b)
	runtime.KeepAlive(b)
	b = nil
	runtime.GC() // frees b; its pages stay with the process
	warm.bytes = n
}

// touch writes one byte in every page of b, faulting it in.
func touch(b []byte) {
	for i := 0; i < len(b); i += pageSize {
		b[i] = 1
	}
}

// scryptBytes is scrypt's largest allocation: V, 128·N·r bytes.
func scryptBytes(n, r int) int { return 128 * n * r }
