package hasher

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"authctl/internal/auth/hasher/argon2"
	"authctl/internal/hugepage"
)

// The memory of argon2 (100 MiB at Django's defaults) and of scrypt (V,
// 16 MiB) is the hasher's own, not the Go heap's: x/crypto allocates it on
// the heap for every hash, which in a fresh process starts a garbage
// collection for it and gets its pages fresh from the kernel one fault at
// a time. The hasher's copies of the two functions (the argon2 and scrypt
// packages) take the memory from their caller instead. newHashMemory maps
// it (on Linux, outside the heap: hash_memory_linux.go) and has the kernel
// populate it at once, on huge pages where the page plan allows
// (package hugepage); a finished hash gives it back to hashPool for the
// next one, so a process that hashes many passwords (apply, import with
// plain passwords) populates one buffer per concurrent hash, once. Both
// functions write each word of the memory before they read it, so a buffer
// may hold an earlier hash's work.
//
// The pool keeps what it is given until ReleaseHashMemory: at most as many
// buffers as hashes ran at once, which apply bounds by its worker count. A
// buffer above keepHashBytes (a costly stored hash being verified, up to
// hash_limits.argon2_memory_kib) is released as soon as its hash is done.
var hashPool struct {
	sync.Mutex
	free []*hashMemory
	plan hugepage.Plan // the last new buffer's, for tests
}

// keepHashBytes is the largest buffer the pool keeps: twice Django's
// default argon2 cost.
const keepHashBytes = 200 << 20

// hashMemory is one buffer of hash memory, 8-byte aligned; mapped is the
// whole mapping behind it where it is not on the Go heap.
type hashMemory struct {
	b      []byte
	mapped []byte
}

// argon2Blocks is the first n blocks of m, as the argon2 package takes them.
func (m *hashMemory) argon2Blocks(n int) []argon2.Block {
	return unsafe.Slice((*argon2.Block)(unsafe.Pointer(unsafe.SliceData(m.b))), len(m.b)/argon2.BlockSize)[:n]
}

// words is the first n 32-bit words of m, as the scrypt package takes them.
func (m *hashMemory) words(n int) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(m.b))), len(m.b)/4)[:n]
}

// heapHashMemory is a buffer of n bytes (rounded up to 8) on the Go heap,
// where memory cannot be mapped.
func heapHashMemory(n int) *hashMemory {
	w := make([]uint64, (n+7)/8)
	return &hashMemory{b: unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), n)}
}

// getHashMemory returns a buffer of at least n bytes: the smallest free
// one that is large enough, or a new one.
func getHashMemory(n int) *hashMemory {
	hashPool.Lock()
	best := -1
	for i, m := range hashPool.free {
		if len(m.b) >= n && (best < 0 || len(m.b) < len(hashPool.free[best].b)) {
			best = i
		}
	}
	if best >= 0 {
		m := hashPool.free[best]
		hashPool.free = append(hashPool.free[:best], hashPool.free[best+1:]...)
		hashPool.Unlock()
		return m
	}
	hashPool.Unlock()
	m, plan := newHashMemory(n)
	hashPool.Lock()
	hashPool.plan = plan
	hashPool.Unlock()
	return m
}

// putHashMemory gives a buffer back after its hash.
func putHashMemory(m *hashMemory) {
	if len(m.b) > keepHashBytes {
		m.release()
		return
	}
	hashPool.Lock()
	hashPool.free = append(hashPool.free, m)
	hashPool.Unlock()
}

// ReleaseHashMemory gives the memory of finished argon2 and scrypt hashes
// back to the system; the buffers of hashes still running are not
// touched. A caller whose hashing is done for now calls it, so that the
// memory is not held through what follows (the database write after the
// hashes of an apply, the wait for the write lock after a password check).
func ReleaseHashMemory() {
	hashPool.Lock()
	free := hashPool.free
	hashPool.free = nil
	hashPool.Unlock()
	for _, m := range free {
		m.release()
	}
}

// argon2Hashed counts the bytes of argon2 memory hashes have worked
// through in this process (Argon2BytesHashed).
var argon2Hashed atomic.Uint64

// Argon2BytesHashed returns how many bytes of argon2 memory the hashes of
// this process have worked through so far: one hash adds its memory cost
// (m KiB, rounded as Argon2 rounds it). Tests read it to tell which hashes
// ran, since argon2's memory is not the Go heap's and allocation figures
// do not show it.
func Argon2BytesHashed() uint64 { return argon2Hashed.Load() }
