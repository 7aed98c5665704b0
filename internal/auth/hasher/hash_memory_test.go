package hasher

import (
	"sync"
	"testing"
	"unsafe"
)

// uintptrOf is p's address.
func uintptrOf(p *byte) uintptr { return uintptr(unsafe.Pointer(p)) }

// drainHashPool releases every pooled buffer, so that a test starts from
// an empty pool and leaves one behind.
func drainHashPool(t *testing.T) {
	t.Helper()
	ReleaseHashMemory()
	t.Cleanup(ReleaseHashMemory)
}

// pooled is how many buffers the pool holds.
func pooled() int {
	hashPool.Lock()
	defer hashPool.Unlock()
	return len(hashPool.free)
}

// TestHashPoolReuse: a finished hash's buffer serves the next one; a
// buffer still in use is never handed out twice; the smallest free buffer
// that is large enough is taken.
func TestHashPoolReuse(t *testing.T) {
	drainHashPool(t)
	a := getHashMemory(64 << 10)
	if len(a.b) != 64<<10 {
		t.Fatalf("got %d bytes, want %d", len(a.b), 64<<10)
	}
	b := getHashMemory(64 << 10)
	if &a.b[0] == &b.b[0] {
		t.Fatal("one buffer handed out twice")
	}
	big := getHashMemory(256 << 10)
	putHashMemory(big)
	putHashMemory(a)
	putHashMemory(b)
	c := getHashMemory(32 << 10)
	defer putHashMemory(c)
	if c != a && c != b {
		t.Errorf("a 32 KiB request got a %d-byte buffer, want one of the 64 KiB ones", len(c.b))
	}
	d := getHashMemory(100 << 10)
	defer putHashMemory(d)
	if d != big {
		t.Errorf("a 100 KiB request got a %d-byte buffer, want the 256 KiB one", len(d.b))
	}
}

// TestReleaseHashMemory: the pool is empty afterwards, and a buffer in use
// when it ran is kept by its hash and pooled again after it.
func TestReleaseHashMemory(t *testing.T) {
	drainHashPool(t)
	inUse := getHashMemory(64 << 10)
	putHashMemory(getHashMemory(64 << 10))
	ReleaseHashMemory()
	if n := pooled(); n != 0 {
		t.Fatalf("%d buffers pooled after the release", n)
	}
	inUse.b[len(inUse.b)-1] = 1 // still usable
	putHashMemory(inUse)
	if again := getHashMemory(64 << 10); again != inUse {
		t.Error("the buffer in use was not pooled after its hash")
	}
}

// TestHashMemoryViews: the argon2 and scrypt views of a buffer start at
// its first byte, and a heap buffer is 8-byte aligned.
func TestHashMemoryViews(t *testing.T) {
	drainHashPool(t)
	fromPool := getHashMemory(4096)
	defer putHashMemory(fromPool)
	for _, m := range []*hashMemory{heapHashMemory(4096 + 3), fromPool} {
		blocks, words := m.argon2Blocks(4), m.words(1024)
		blocks[0][0] = 0x0102030405060708
		if words[0] != 0x05060708 && words[0] != 0x01020304 {
			t.Errorf("the views do not share their first bytes: %#x", words[0])
		}
		if p := &m.b[0]; uintptrOf(p)%8 != 0 {
			t.Errorf("buffer at %#x is not 8-byte aligned", uintptrOf(p))
		}
	}
}

// TestHashMemoryViewsAreBounded: a view longer than its buffer panics
// rather than reach past it.
func TestHashMemoryViewsAreBounded(t *testing.T) {
	m := heapHashMemory(4096)
	for name, view := range map[string]func(){
		"argon2Blocks": func() { m.argon2Blocks(5) },
		"words":        func() { m.words(1025) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s past the buffer did not panic", name)
				}
			}()
			view()
		}()
	}
}

// TestHashesShareThePool: argon2 and scrypt hashes running at once, each
// in its own pooled buffer, and one after another in buffers the other
// function left dirty, give what each gives alone in fresh memory.
func TestHashesShareThePool(t *testing.T) {
	drainHashPool(t)
	hashers := []Hasher{
		&argon2Hasher{time: 2, memory: 256, threads: 2, lim: DefaultLimits()},
		&scryptHasher{n: 1 << 8, r: 8, p: 2, lim: DefaultLimits()},
	}
	salt := "abcdefghijklmnopqrstuv"
	type job struct {
		h  Hasher
		pw string
	}
	var jobs []job
	for i := range 8 {
		jobs = append(jobs, job{hashers[i%2], string(rune('a' + i))})
	}
	want := make([]string, len(jobs))
	for i, j := range jobs {
		ReleaseHashMemory() // fresh memory for each
		var err error
		if want[i], err = j.h.Encode(j.pw, salt); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		got := make([]string, len(jobs))
		var wg sync.WaitGroup
		for i, j := range jobs {
			wg.Go(func() { got[i], _ = j.h.Encode(j.pw, salt) })
		}
		wg.Wait()
		for i, j := range jobs { // sequentially, in what the others left
			again, _ := j.h.Encode(j.pw, salt)
			if got[i] != want[i] || again != want[i] {
				t.Fatalf("%s %q: at once %s, after the others %s, alone %s", j.h.Algorithm(), j.pw, got[i], again, want[i])
			}
		}
	}
}
