package auth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"authctl/internal/store"
)

// VerifyGate bounds the memory that password verifications of one
// database use at once, across processes: an argon2 hash made with
// m=4 GiB holds 4 GiB while it is checked, and parallel wrong guesses
// would otherwise hold that many times over.
type VerifyGate interface {
	// Enter waits until a verification that holds mem bytes may run and
	// returns the function that ends it. It fails with an error wrapping
	// store.ErrBusy when none could start within its timeout.
	Enter(ctx context.Context, mem uint64) (leave func(), err error)
}

// VerifyBusyError says a password check could not start in time. It
// matches store.ErrBusy (exit 6).
type VerifyBusyError struct {
	Budget uint64
	Waited time.Duration
}

func (e *VerifyBusyError) Error() string {
	return fmt.Sprintf("too many password checks at once: others hold the verify_memory budget (%d MiB) of this database; waited %v (raise --lock-timeout or verify_memory)", e.Budget>>20, e.Waited)
}

func (e *VerifyBusyError) Is(target error) bool { return target == store.ErrBusy }

// minGated is the memory below which a verification is not gated: pbkdf2,
// bcrypt and the legacy hashes hold a few kilobytes.
const minGated = 1 << 20

// hashMemory is the memory a check of encoded holds: argon2's m (KiB),
// scrypt's 128·N·r bytes; 0 for the others (and anything unparsable,
// which the hasher answers with a run of the preferred hasher: the caller
// counts that separately).
func hashMemory(encoded string) uint64 {
	f := strings.Split(encoded, "$")
	switch {
	case len(f) == 6 && f[0] == "argon2":
		for _, kv := range strings.Split(f[3], ",") {
			if v, ok := strings.CutPrefix(kv, "m="); ok {
				if kib, err := strconv.ParseUint(v, 10, 32); err == nil {
					return kib << 10
				}
			}
		}
	case len(f) == 6 && f[0] == "scrypt":
		n, err1 := strconv.ParseUint(f[2], 10, 32)
		r, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 == nil && err2 == nil {
			return 128 * n * r
		}
	}
	return 0
}

// SlotFiles is a VerifyGate over lock files beside the database: the
// memory budget is cut into Slots equal shares, each a file
// (PREFIX0 … PREFIXn) that a verification locks with flock while it runs;
// one holding mem bytes needs ceil(mem / share) of them (all of them at
// most, so a hash costlier than the budget runs alone). The kernel drops a
// lock when its process ends, however it ends, so a crash never leaks a
// slot.
type SlotFiles struct {
	Prefix  string        // path prefix of the slot files, "<db>.verify-"
	Budget  uint64        // bytes that verifications may hold at once; 0: no bound
	Slots   int           // shares of the budget; 0 means 64
	Timeout time.Duration // how long to wait for slots; 0 means 5 s
}

func (g *SlotFiles) slots() int {
	if g.Slots <= 0 {
		return 64
	}
	return g.Slots
}

// Enter locks the slots a verification holding mem bytes needs, polling
// until they are free or the timeout passes.
func (g *SlotFiles) Enter(ctx context.Context, mem uint64) (func(), error) {
	if g == nil || g.Budget == 0 || mem < minGated {
		return func() {}, nil
	}
	n := g.slots()
	share := max(g.Budget/uint64(n), 1)
	need := int(min((mem+share-1)/share, uint64(n)))
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	deadline := time.Now().Add(timeout)
	// Start at a random slot so that waiting processes spread out.
	first := rand.IntN(n)
	for {
		held, err := g.tryLock(first, n, need)
		if err != nil {
			return nil, err
		}
		if len(held) == need {
			return func() { unlockAll(held) }, nil
		}
		unlockAll(held)
		if !time.Now().Before(deadline) {
			return nil, &VerifyBusyError{Budget: g.Budget, Waited: timeout}
		}
		wait := time.Duration(5+rand.IntN(20)) * time.Millisecond
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(wait, time.Until(deadline)+time.Millisecond)):
		}
	}
}

// tryLock locks up to need free slots, without waiting.
func (g *SlotFiles) tryLock(first, n, need int) ([]*os.File, error) {
	var held []*os.File
	for i := 0; i < n && len(held) < need; i++ {
		path := g.Prefix + strconv.Itoa((first+i)%n)
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|oNoFollow|oCloExec, 0o600)
		if err != nil {
			unlockAll(held)
			return nil, fmt.Errorf("verification slot %s: %w", path, unwrapPathError(err))
		}
		locked, err := tryLockFile(f)
		switch {
		case locked:
			held = append(held, f)
		case err == nil:
			f.Close()
		default:
			f.Close()
			unlockAll(held)
			return nil, fmt.Errorf("verification slot %s: %w", path, err)
		}
	}
	return held, nil
}

// unlockAll closes the files, which drops their locks.
func unlockAll(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// enterGate waits for the verification gate, for the memory a check of
// encoded holds (when checked) or one run of the preferred hasher.
func (s *Service) enterGate(ctx context.Context, checked bool, encoded string) (func(), error) {
	if s.gate == nil {
		return func() {}, nil
	}
	// The peak: the stored hash's check, or the preferred hasher's run (a
	// dummy, a pad, an upgrade), one after the other.
	mem := s.prefMem
	if checked {
		mem = max(mem, hashMemory(encoded))
	}
	leave, err := s.gate.Enter(ctx, mem)
	if err != nil {
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(leave) }, nil
}
