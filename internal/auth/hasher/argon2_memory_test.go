package hasher

import (
	"sync"
	"testing"
)

// drainArgon2Pool releases every pooled buffer, so that a test starts from
// an empty pool and leaves one behind.
func drainArgon2Pool(t *testing.T) {
	t.Helper()
	ReleaseArgon2Memory()
	t.Cleanup(ReleaseArgon2Memory)
}

// TestArgon2PoolReuse: a finished hash's buffer serves the next one; a
// buffer still in use is never handed out twice; the smallest free buffer
// that is large enough is taken.
func TestArgon2PoolReuse(t *testing.T) {
	drainArgon2Pool(t)
	a := getArgon2Memory(64)
	if len(a.blocks) != 64 {
		t.Fatalf("got %d blocks, want 64", len(a.blocks))
	}
	b := getArgon2Memory(64)
	if &a.blocks[0] == &b.blocks[0] {
		t.Fatal("one buffer handed out twice")
	}
	big := getArgon2Memory(256)
	putArgon2Memory(big)
	putArgon2Memory(a)
	putArgon2Memory(b)
	c := getArgon2Memory(32)
	defer putArgon2Memory(c)
	if c != a && c != b {
		t.Errorf("a 32-block request got a %d-block buffer, want one of the 64-block ones", len(c.blocks))
	}
	d := getArgon2Memory(100)
	defer putArgon2Memory(d)
	if d != big {
		t.Errorf("a 100-block request got a %d-block buffer, want the 256-block one", len(d.blocks))
	}
}

// TestArgon2ConcurrentHashesAgree: hashes running at once, each in its own
// pooled buffer, give what the same hashes give one after another.
// TestReleaseArgon2Memory: the pool is empty afterwards, and a buffer in
// use when it ran is kept by its hash and pooled again after it.
func TestReleaseArgon2Memory(t *testing.T) {
	drainArgon2Pool(t)
	inUse := getArgon2Memory(64)
	putArgon2Memory(getArgon2Memory(64))
	ReleaseArgon2Memory()
	argon2Pool.Lock()
	n := len(argon2Pool.free)
	argon2Pool.Unlock()
	if n != 0 {
		t.Fatalf("%d buffers pooled after the release", n)
	}
	inUse.blocks[63][0] = 1 // still usable
	putArgon2Memory(inUse)
	if again := getArgon2Memory(64); again != inUse {
		t.Error("the buffer in use was not pooled after its hash")
	}
}

func TestArgon2ConcurrentHashesAgree(t *testing.T) {
	drainArgon2Pool(t)
	h := &argon2Hasher{time: 2, memory: 256, threads: 2, lim: DefaultLimits()}
	salt := "abcdefghijklmnopqrstuv"
	want := make([]string, 8)
	for i := range want {
		var err error
		if want[i], err = h.Encode(string(rune('a'+i)), salt); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		var wg sync.WaitGroup
		got := make([]string, len(want))
		for i := range got {
			wg.Go(func() { got[i], _ = h.Encode(string(rune('a'+i)), salt) })
		}
		wg.Wait()
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("hash %d at once: %s, alone: %s", i, got[i], want[i])
			}
		}
	}
}
