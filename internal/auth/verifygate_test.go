package auth

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
)

func TestHashMemory(t *testing.T) {
	for enc, want := range map[string]uint64{
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$aGFzaA":  102400 << 10,
		"argon2$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaA": 4 << 30,
		"scrypt$salt$16384$8$5$aGFzaA==":                            128 * 16384 * 8,
		"pbkdf2_sha256$1000$salt$aGFzaA==":                          0,
		"!unusable":                                                 0,
		"argon2$argon2id$v=19$m=x,t=2,p=8$c2FsdHNhbHQ$aGFzaA":       0,
	} {
		if got := hashMemory(enc); got != want {
			t.Errorf("hashMemory(%q) = %d, want %d", enc, got, want)
		}
	}
}

// TestSlotFilesBoundMemory: two gates on the same slot files (as two
// processes would have: flock locks belong to each open file) share one
// budget; a verification that needs it all waits for the other to end,
// and fails busy when that takes longer than the timeout; small ones run
// side by side up to the budget.
func TestSlotFilesBoundMemory(t *testing.T) {
	ctx := context.Background()
	prefix := filepath.Join(t.TempDir(), "auth.db.verify-")
	a := &SlotFiles{Prefix: prefix, Budget: 64 << 20, Slots: 8, Timeout: 100 * time.Millisecond}
	b := &SlotFiles{Prefix: prefix, Budget: 64 << 20, Slots: 8, Timeout: 100 * time.Millisecond}

	leave, err := a.Enter(ctx, 64<<20)
	noErr(t, err)
	if _, err := b.Enter(ctx, 8<<20); !errors.Is(err, store.ErrBusy) {
		t.Fatalf("second check while the first holds the whole budget: %v, want ErrBusy", err)
	}
	// Cheap checks are not gated.
	free, err := b.Enter(ctx, 64<<10)
	noErr(t, err)
	free()
	// Released: the other gets in, waiting if need be.
	go func() { time.Sleep(30 * time.Millisecond); leave() }()
	b.Timeout = 5 * time.Second
	leave2, err := b.Enter(ctx, 64<<20)
	noErr(t, err)
	leave2()

	// Eight 8 MiB checks at once fit, a ninth does not.
	var leaves []func()
	for i := 0; i < 8; i++ {
		g := &SlotFiles{Prefix: prefix, Budget: 64 << 20, Slots: 8, Timeout: 100 * time.Millisecond}
		l, err := g.Enter(ctx, 8<<20)
		noErr(t, err)
		leaves = append(leaves, l)
	}
	if _, err := a.Enter(ctx, 1<<20+1); !errors.Is(err, store.ErrBusy) {
		t.Errorf("ninth check: %v, want ErrBusy", err)
	}
	for _, l := range leaves {
		l()
	}
	// A hash costlier than the whole budget runs alone rather than never.
	l, err := a.Enter(ctx, 1<<40)
	noErr(t, err)
	l()
}

// TestAuthenticateWaitsForTheGate: concurrent attempts never hold more
// than the budget (here, room for one argon2 check at a time), and one
// that cannot start within the timeout fails busy, not as a wrong
// password.
func TestAuthenticateWaitsForTheGate(t *testing.T) {
	ctx := context.Background()
	const memKiB = 8 * 1024
	var gate *countingGate
	e := newEnv(t, func(o *Options) {
		o.Hashers = mustSet(t, "argon2", hasher.Params{Argon2Time: 1, Argon2MemoryKiB: memKiB, Argon2Threads: 1})
		o.Lockout = LockoutPolicy{}
		o.PreferredMemory = memKiB << 10
	})
	e.mkUser("alice")
	prefix := e.path + ".verify-"
	gate = &countingGate{inner: &SlotFiles{Prefix: prefix, Budget: memKiB << 10, Timeout: 10 * time.Second}}
	e.opts.VerifyGate = gate
	svc := e.newService(e.opts)

	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			user := "alice"
			if i%2 == 1 {
				user = "nobody"
			}
			if _, err := svc.Authenticate(ctx, user, "wrong"); !errors.Is(err, ErrAuthFailed) {
				t.Errorf("attempt %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	if gate.peak.Load() != 1 || gate.entered.Load() != 6 {
		t.Errorf("%d entered, at most %d at once; want 6, one at a time", gate.entered.Load(), gate.peak.Load())
	}

	// Another process holds the budget: busy after the timeout.
	hold, err := (&SlotFiles{Prefix: prefix, Budget: memKiB << 10}).Enter(ctx, memKiB<<10)
	noErr(t, err)
	defer hold()
	e.opts.VerifyGate = &SlotFiles{Prefix: prefix, Budget: memKiB << 10, Timeout: 50 * time.Millisecond}
	svc = e.newService(e.opts)
	if _, err := svc.Authenticate(ctx, "alice", goodPassword); !errors.Is(err, store.ErrBusy) || errors.Is(err, ErrAuthFailed) {
		t.Errorf("with the budget held elsewhere: %v, want ErrBusy", err)
	}
}

// countingGate records how many verifications were inside at once.
type countingGate struct {
	inner        VerifyGate
	inside, peak atomic.Int32
	entered      atomic.Int32
}

func (g *countingGate) Enter(ctx context.Context, mem uint64) (func(), error) {
	leave, err := g.inner.Enter(ctx, mem)
	if err != nil {
		return nil, err
	}
	g.entered.Add(1)
	n := g.inside.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond) // widen the window for overlap
	return func() { g.inside.Add(-1); leave() }, nil
}
