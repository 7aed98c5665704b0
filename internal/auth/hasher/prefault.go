package hasher

import (
	"runtime"
	"sync"
)

// Page faults in a fresh process. x/crypto's argon2 and scrypt allocate
// their memory themselves (100 MiB and 16 MiB at Django's defaults), and in
// a process that has not used that much memory before the Go heap gets it
// fresh from the kernel. argon2's lanes then read each new page before
// writing it, so every 4 KiB page costs two faults (a read mapping the zero
// page, then a copy-on-write): 52,000 faults and about half a second of
// kernel time per 100 MiB hash — more than the hash itself.
//
// prefault avoids that without touching x/crypto: it allocates a buffer of
// the same size, has the kernel populate it (populate, per platform), drops
// it and runs the garbage collector, so the pages go back to the Go heap's
// free list, faulted in. The next allocation of that size (x/crypto's) is
// served from them, lowest address first, and takes no faults. The runtime
// returns free heap memory to the kernel only through its background
// scavenger, paced at about 1% of one CPU, which releases nothing in the
// microseconds between the two allocations (debug.FreeOSMemory would;
// nothing here calls it). bench/argon2_faults.sh measures the effect. The
// reuse is likely, not guaranteed: in about one fresh process in
// twenty-five on a loaded machine the allocation lands elsewhere and takes
// the faults as before.
//
// On Linux, populate also decides which part of the buffer gets
// transparent huge pages (prefault_plan.go): huge pages halve argon2's
// own CPU time, but where the kernel would have to compact memory to make
// them, it spends more time there than the faults it saves.
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

// argon2Bytes is what x/crypto allocates for an argon2 hash: memory KiB
// rounded down to a multiple of 4·lanes blocks (at least 8·lanes).
func argon2Bytes(memory uint32, threads uint8) int {
	p := uint32(threads)
	m := memory / (4 * p) * (4 * p)
	m = max(m, 2*4*p)
	return int(m) * 1024
}

// scryptBytes is scrypt's largest allocation: V, 128·N·r bytes.
func scryptBytes(n, r int) int { return 128 * n * r }
