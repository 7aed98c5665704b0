package auth

import (
	"context"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
)

// updateClock is a store whose Update notes when it starts: a test times
// an attempt up to its write transaction, which leaves out the fsync (the
// noisiest part on a shared disk, and the same for every outcome).
type updateClock struct {
	store.Store
	mu sync.Mutex
	at time.Time
}

func (u *updateClock) Update(ctx context.Context, fn func(store.Writer) error) error {
	u.mu.Lock()
	u.at = time.Now()
	u.mu.Unlock()
	return u.Store.Update(ctx, fn)
}

func (u *updateClock) since(start time.Time) time.Duration {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.at.Sub(start)
}

func mustSet(t *testing.T, alg string, p hasher.Params) *hasher.Set {
	t.Helper()
	hs, err := hasher.NewSet(alg, p)
	noErr(t, err)
	return hs
}

// timingHashes makes goodPassword's hash with every algorithm authctl
// verifies, each with cheap parameters (cheaper than the preferred argon2
// of the test), legacy ones by hand as Django writes them.
func timingHashes(t *testing.T) map[string]string {
	t.Helper()
	make := func(hs *hasher.Set, alg string) string {
		h, err := hs.MakeWith(alg, goodPassword)
		noErr(t, err)
		return h
	}
	cheapPBKDF2 := mustSet(t, "pbkdf2_sha256", hasher.Params{PBKDF2Iterations: 1000})
	dk, err := pbkdf2.Key(sha1.New, goodPassword, []byte("salt"), 1000, sha1.Size)
	noErr(t, err)
	sha := sha1.Sum([]byte("salt" + goodPassword))
	md := md5.Sum([]byte("salt" + goodPassword))
	usha := sha1.Sum([]byte(goodPassword))
	umd := md5.Sum([]byte(goodPassword))
	return map[string]string{
		"argon2 (weak)":         make(mustSet(t, "argon2", hasher.Params{Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1}), "argon2"),
		"pbkdf2_sha256":         make(cheapPBKDF2, "pbkdf2_sha256"),
		"pbkdf2_sha1":           "pbkdf2_sha1$1000$salt$" + base64.StdEncoding.EncodeToString(dk),
		"bcrypt_sha256":         make(mustSet(t, "bcrypt_sha256", hasher.Params{BcryptCost: 4}), "bcrypt_sha256"),
		"scrypt":                make(mustSet(t, "scrypt", hasher.Params{ScryptN: 1024, ScryptR: 8, ScryptP: 1}), "scrypt"),
		"sha1":                  "sha1$salt$" + hex.EncodeToString(sha[:]),
		"md5":                   "md5$salt$" + hex.EncodeToString(md[:]),
		"unsalted_sha1":         "sha1$$" + hex.EncodeToString(usha[:]),
		"unsalted_md5":          hex.EncodeToString(umd[:]),
		"argon2 (as preferred)": "", // made by the service itself
	}
}

// TestFailedAttemptsTakeTheSameTime: a failed attempt lasts as long for an
// unknown user as for an existing one, whatever hasher made the existing
// user's hash, and for an inactive, a locked and an unusable-password
// user too: within 10%, comparing medians of attempts taken in turns (so
// that a load on the machine hits every case alike), up to the write
// transaction. The preferred argon2 costs some 10-30 ms here; every other
// hash is cheaper, as a weak argon2 user (Django: 5.9 ms against 269 ms)
// was the leak.
func TestFailedAttemptsTakeTheSameTime(t *testing.T) {
	if testing.Short() {
		t.Skip("times attempts")
	}
	ctx := context.Background()
	preferred := mustSet(t, "argon2", hasher.Params{Argon2Time: 2, Argon2MemoryKiB: 8 * 1024, Argon2Threads: 1})
	clock := &updateClock{}
	e := newEnv(t, func(o *Options) {
		o.Hashers = preferred
		o.Lockout = LockoutPolicy{Attempts: 1000, Window: time.Hour, Duration: time.Hour}
	})
	clock.Store = e.hook
	e.svc = e.newService(e.opts)
	svc, err := New(clock, e.opts)
	noErr(t, err)

	cases := []string{"unknown user"}
	for name, h := range timingHashes(t) {
		p := HashedPassword(h)
		if h == "" {
			p = RawPassword(goodPassword)
		}
		_, err := e.svc.CreateUser(ctx, NewUser{Username: slug(name), Password: p, SkipValidation: true})
		noErr(t, err)
		cases = append(cases, name)
	}
	for _, c := range []struct {
		name string
		nu   NewUser
	}{
		{"inactive", NewUser{Username: "inactive", Password: RawPassword(goodPassword), Inactive: true}},
		{"locked", NewUser{Username: "locked", Password: RawPassword(goodPassword)}},
		{"unusable password", NewUser{Username: slug("unusable password"), Password: NoPassword()}},
	} {
		_, err := e.svc.CreateUser(ctx, c.nu)
		noErr(t, err)
		cases = append(cases, c.name)
	}
	e.rawUpdate(func(w store.Writer) error {
		return w.PutFailure(store.Failure{Username: "locked", Count: 1000, First: e.clock.Now(), Last: e.clock.Now(), LockedUntil: e.clock.Now().Add(time.Hour)})
	})
	slices.Sort(cases[1:])

	attempt := func(user string) time.Duration {
		// Collect the previous hashes' memory now, not during this
		// attempt, for each attempt alike.
		runtime.GC()
		start := time.Now()
		if _, err := svc.Authenticate(ctx, user, "wrong password"); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("%s: %v", user, err)
		}
		return clock.since(start)
	}
	// Each case is timed right after an unknown user, and compared with
	// it: the median of those ratios shrugs off the load of a shared
	// machine, which comes and goes over seconds.
	unknown := 0
	measure := func(names []string, rounds int) map[string]float64 {
		ratios := map[string][]float64{}
		order := slices.Clone(names)
		for r := 0; r < rounds+1; r++ {
			// A new order each round: where a case falls in the round
			// must not matter.
			rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, name := range order {
				unknown++
				tu := attempt(fmt.Sprintf("nobody-%d", unknown))
				tc := attempt(slug(name))
				if r > 0 { // the first round warms up
					ratios[name] = append(ratios[name], float64(tc)/float64(tu))
				}
			}
		}
		med := map[string]float64{}
		for name, rs := range ratios {
			slices.Sort(rs)
			med[name] = rs[len(rs)/2]
		}
		return med
	}
	// A machine under load can throw any one try of a case off; a real
	// leak (a weak hash answering in a fraction of the time) is off in
	// every try. So each case passes once it is within 10% in one try;
	// the next try measures only the cases still out.
	pending := slices.Clone(cases[1:])
	var report string
	for try := 0; try < 8 && len(pending) > 0; try++ {
		med := measure(pending, 7)
		report = ""
		var still []string
		for _, name := range pending {
			report += fmt.Sprintf("%s %.2f; ", name, med[name])
			if med[name] < 0.9 || med[name] > 1.1 {
				still = append(still, name)
			}
		}
		t.Logf("try %d, time of a failure / an unknown user's: %s", try+1, report)
		pending = still
	}
	if len(pending) > 0 {
		t.Errorf("failed attempts of %v differ by more than 10%% from an unknown user's in every try: %s", pending, report)
	}
}

// slug makes a case name a username.
func slug(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, name)
}

// TestFailurePadFromStoredCost: a process that has not run the preferred
// hasher (authctl authenticates once per process) pads a failure to the
// time another process measured and stored, without running the hasher;
// a measurement for other parameters is not used; with none, it runs the
// hasher once, which measures and pads.
func TestFailurePadFromStoredCost(t *testing.T) {
	ctx := context.Background()
	const memKiB = 8 * 1024
	pref := hasher.Params{Argon2Time: 2, Argon2MemoryKiB: memKiB, Argon2Threads: 1}
	e := newEnv(t, func(o *Options) { o.Hashers = mustSet(t, "argon2", pref); o.Lockout = LockoutPolicy{} })
	weak, err := mustSet(t, "argon2", hasher.Params{Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1}).Make(goodPassword)
	noErr(t, err)
	_, err = e.svc.CreateUser(ctx, NewUser{Username: "weak", Password: HashedPassword(weak)})
	noErr(t, err)
	const floor = memKiB * 1024

	// No measurement anywhere: the preferred hasher runs.
	fresh := e.newService(e.opts)
	if n := argon2Bytes(func() { _, _ = fresh.Authenticate(ctx, "weak", "wrong") }); n < floor {
		t.Errorf("with nothing measured, a weak hash's failure hashed %d bytes of argon2 memory: the preferred hasher did not run", n)
	}
	var stored string
	e.rawUpdate(func(w store.Writer) error {
		v, err := w.Meta(verifyCostMeta)
		stored = string(v)
		return err
	})
	sig, ns, _ := strings.Cut(stored, " ")
	if sig != fresh.costSignature() || !strings.HasPrefix(sig, "argon2") {
		t.Fatalf("stored %q", stored)
	}
	// Pretend the measurement said 300 ms: a new process pads to it
	// without hashing.
	_ = ns
	e.rawUpdate(func(w store.Writer) error {
		return w.PutMeta(verifyCostMeta, []byte(sig+" "+strconv.FormatInt(int64(300*time.Millisecond), 10)))
	})
	next := e.newService(e.opts)
	var took time.Duration
	n := argon2Bytes(func() {
		start := time.Now()
		_, _ = next.Authenticate(ctx, "weak", "wrong")
		took = time.Since(start)
	})
	if n >= floor {
		t.Errorf("with a stored measurement, the failure hashed %d bytes of argon2 memory: the preferred hasher ran", n)
	}
	if took < 300*time.Millisecond {
		t.Errorf("the failure took %v, less than the stored 300ms", took)
	}
	// Other parameters: the stored value is not theirs.
	other := e.opts
	other.Hashers = mustSet(t, "argon2", hasher.Params{Argon2Time: 3, Argon2MemoryKiB: memKiB, Argon2Threads: 1})
	third := e.newService(other)
	if n := argon2Bytes(func() { _, _ = third.Authenticate(ctx, "weak", "wrong") }); n < floor {
		t.Errorf("a measurement for other parameters was used (%d bytes of argon2 memory hashed)", n)
	}
}
