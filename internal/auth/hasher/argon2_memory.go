package hasher

import (
	"sync"
	"sync/atomic"

	"authctl/internal/auth/hasher/argon2"
)

// argon2's memory (100 MiB at Django's defaults) is the hasher's own, not
// the Go heap's: a fresh process would otherwise take it from the heap,
// which starts a garbage collection for it and gets its pages fresh from
// the kernel one fault at a time. newArgon2Memory maps it (on Linux,
// outside the heap: argon2_memory_linux.go) and has the kernel populate it
// at once, on huge pages where the page plan allows (prefault_plan.go);
// a finished hash gives it back to argon2Pool for the next one, so a
// process that hashes many passwords (apply, import with plain passwords)
// populates one buffer per concurrent hash, once.
//
// The pool keeps what it is given until ReleaseArgon2Memory: at most as
// many buffers as hashes ran at once, which apply bounds by its worker
// count. A buffer above keepArgon2Bytes (a costly stored hash being
// verified, up to hash_limits.argon2_memory_kib) is released as soon as
// its hash is done.
var argon2Pool struct {
	sync.Mutex
	free []*argon2Memory
	plan pagePlan // the last new buffer's, for tests
}

// keepArgon2Bytes is the largest buffer the pool keeps: twice Django's
// default cost.
const keepArgon2Bytes = 200 << 20

// argon2Memory is one buffer of argon2 blocks; mapped is the whole mapping
// behind it where it is not on the Go heap.
type argon2Memory struct {
	blocks []argon2.Block
	mapped []byte
}

// getArgon2Memory returns a buffer of at least n blocks: the smallest free
// one that is large enough, or a new one.
func getArgon2Memory(n int) *argon2Memory {
	argon2Pool.Lock()
	best := -1
	for i, m := range argon2Pool.free {
		if len(m.blocks) >= n && (best < 0 || len(m.blocks) < len(argon2Pool.free[best].blocks)) {
			best = i
		}
	}
	if best >= 0 {
		m := argon2Pool.free[best]
		argon2Pool.free = append(argon2Pool.free[:best], argon2Pool.free[best+1:]...)
		argon2Pool.Unlock()
		return m
	}
	argon2Pool.Unlock()
	m, plan := newArgon2Memory(n)
	argon2Pool.Lock()
	argon2Pool.plan = plan
	argon2Pool.Unlock()
	return m
}

// putArgon2Memory gives a buffer back after its hash.
func putArgon2Memory(m *argon2Memory) {
	if len(m.blocks)*argon2.BlockSize > keepArgon2Bytes {
		m.release()
		return
	}
	argon2Pool.Lock()
	argon2Pool.free = append(argon2Pool.free, m)
	argon2Pool.Unlock()
}

// ReleaseArgon2Memory gives the memory of finished argon2 hashes back to
// the system; the buffers of hashes still running are not touched. A
// caller whose hashing is done for now calls it, so that the memory is not
// held through what follows (the database write after the hashes of an
// apply, the wait for the write lock after a password check).
func ReleaseArgon2Memory() {
	argon2Pool.Lock()
	free := argon2Pool.free
	argon2Pool.free = nil
	argon2Pool.Unlock()
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
