package cmd

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"

	"authctl/internal/hugepage"
)

// heapPerInputByte is how many bytes of heap an apply or import grows to
// for each byte of its input, about: 100,000 pre-hashed users (a 25 MB
// JSON or 24 MB YAML file) peaked at 78-82 MiB of anonymous memory, and
// 1,000,000 (250 MB) at 480 MiB.
const heapPerInputByte = 3

// maxHeapReserve bounds the reservation: address space, not memory, but
// more than the largest measured apply needs.
const maxHeapReserve = 1 << 30

// reserveHeapFor reserves the heap that decoding, planning and writing an
// input of size bytes will fill, on huge pages where the kernel allows
// (hugepage.ReserveHeap), before the decode allocates it. Each 4 KiB page
// the heap first touches otherwise costs a fault, several microseconds on
// a virtual machine: 100,000 pre-hashed users took about 23,000 faults
// and a fifth of the apply's CPU time in the kernel, and about 4,000 with
// the reservation (1,000,000 users: 149,000 faults against 7,000, the same
// peak; docs/performance.md, ninth run). Inputs too small to gain reserve
// nothing, and so does a process whose memory the user bounds. It returns
// the plan applied (tests).
func reserveHeapFor(size int64) hugepage.Plan {
	if size <= 0 {
		return hugepage.Plan{}
	}
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		// The user bounds the memory (GOMEMLIMIT): the reservation would
		// count against the limit until released, forcing collections, and
		// huge pages make the resident memory grow 2 MiB at a time.
		return hugepage.Plan{}
	}
	return hugepage.ReserveHeap(heapReserveFor(size))
}

// heapReserveFor is the reservation for an input of size bytes.
func heapReserveFor(size int64) int {
	return int(min(size, maxHeapReserve/heapPerInputByte) * heapPerInputByte)
}

// writeHeadroom is how much heap a write may add above what the plan
// holds: a staged write holds one stage (auth writes 10,000 objects per
// transaction), a few MiB of records and pages.
const writeHeadroom = 64 << 20

// boundWriteHeap sets a soft memory limit (runtime/debug.SetMemoryLimit)
// for the write of an apply that hashes no password: the heap the plan
// holds now, plus writeHeadroom or as much again as it holds, whichever is
// more. By default Go lets the heap grow to twice what is live before
// collecting, and an apply's plan is most of what is live: for a plan
// smaller than writeHeadroom the limit makes the collector run sooner,
// which costs some CPU and keeps the process's peak near what it uses
// (100,000 pre-hashed users: 128 MiB instead of 180). A larger plan gets
// no tighter bound than the default: each collection marks the whole plan,
// so a headroom that does not grow with it would make the collections as
// many as they are costly (a quarter of the plan at 1,000,000 users made
// the apply 2.6 times as slow). An apply that hashes passwords is left
// alone: its memory is the hashes' (argon2's 100 MiB per worker, outside
// the Go heap on Linux; scrypt's 16 MiB on it), which a heap limit would
// not bound, only make the collector chase. A limit set by the user
// (GOMEMLIMIT) is kept. It returns the function that restores the limit.
func boundWriteHeap() (restore func()) {
	prev := debug.SetMemoryLimit(-1)
	if prev != math.MaxInt64 {
		return func() {}
	}
	// What the plan holds, without the file it was read from. (Not
	// runtime/metrics: its package initialisation would run in every
	// command.)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := int64(ms.HeapAlloc)
	debug.SetMemoryLimit(live + max(writeHeadroom, live))
	return func() { debug.SetMemoryLimit(prev) }
}

// decodeGCPercent is the collector's pace (GOGC) while apply decodes a
// YAML file and plans: the heap may grow by half of what is live, not by
// all of it, before a collection. What decoding YAML allocates is mostly
// garbage (the parser's node trees), and on a virtual machine, where each
// page the heap first touches costs a fault of several microseconds, the
// extra collections cost less than the pages they save: 100,000 users
// peaked at 134-142 MiB instead of 173-184 in the same CPU time. A JSON
// file's decode allocates mostly the document itself, which more
// collections would only mark again (1,000,000 users, measured once: 18.7 s
// against 16.5 s, and no lower peak, which is the write's): it keeps the
// default pace. Plain YAML users now skip the node trees (the seed
// package's fast path) and go into the user table batch by batch: for
// them this pace and the default measured alike (100,000 users, 5
// interleaved rounds: the same wall time, CPU and peak within the rounds'
// spread); the pace stays for the files that go through the node trees.
const decodeGCPercent = 50

// decodePhase is the collector's pace for apply's decode and plan; end
// restores it, once. The zero value is a phase that changed nothing.
type decodePhase struct {
	prev int
	set  bool
}

// collectSooner sets the collector's pace to decodeGCPercent until end is
// called (runApply calls it once the plan is made: hashing and the write
// have their own bounds). A pace set by the user (GOGC), or already set by
// this phase, is kept.
func (d *decodePhase) collectSooner() {
	if d.set {
		return
	}
	if _, ok := os.LookupEnv("GOGC"); ok {
		return
	}
	d.prev, d.set = debug.SetGCPercent(decodeGCPercent), true
}

// end restores the pace collectSooner found; a nil phase does nothing.
func (d *decodePhase) end() {
	if d == nil || !d.set {
		return
	}
	debug.SetGCPercent(d.prev)
	d.set = false
}
