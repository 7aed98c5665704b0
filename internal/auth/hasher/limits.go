package hasher

import (
	"errors"
	"fmt"
)

// ErrTooCostly is returned (wrapped) for a hash of a known algorithm whose
// cost parameters are above the Set's Limits: it is refused when storing and
// never verified (verifying it would cost more time or memory than the
// ceiling allows, which is the point of the ceiling).
var ErrTooCostly = errors.New("hash cost is above the configured ceiling")

// Limits are the cost ceilings: the most work one hash may ask for before
// this package refuses to store or verify it. A stored hash comes from a
// database, an import or a --password-hash flag, and its parameters decide
// what a single login attempt costs, so without a ceiling one hostile value
// (argon2 with m=4194304,t=4: about a minute and 4 GiB per wrong attempt)
// is a denial of service. Zero fields take DefaultLimits.
type Limits struct {
	Argon2MemoryKiB   uint32 // default 1048576 (1 GiB)
	Argon2Time        uint32 // passes; default 16
	Argon2Parallelism uint32 // lanes; default 16
	// Argon2WorkKiB bounds memory times passes, the CPU cost: default
	// 4194304 (4 GiB·passes, e.g. 1 GiB with t=4 or 256 MiB with t=16).
	Argon2WorkKiB    uint64
	PBKDF2Iterations int // default 10,000,000 (pbkdf2_sha256 and pbkdf2_sha1)
	BcryptCost       int // log2 rounds; default 16 (bcrypt and bcrypt_sha256)
	// ScryptMemoryKiB bounds scrypt's 128·N·r bytes; default 1048576
	// (1 GiB). Django's own envelope (32 MiB, see scrypt.go) is stricter and
	// always applies as well.
	ScryptMemoryKiB int
	ScryptP         int // default 16
}

// Absolute bounds for Limits themselves (and so for every accepted hash).
const (
	absArgon2Memory  = 4 << 20 // KiB: 4 GiB
	absArgon2Time    = 1 << 10
	absArgon2Threads = 255     // x/crypto takes a uint8
	absArgon2Work    = 1 << 26 // KiB·passes: 64 GiB·passes
	absPBKDF2        = 100_000_000
	absBcryptCost    = 31 // bcrypt's own maximum
	absScryptMemory  = 1 << 22
	absScryptP       = 1 << 20
	maxEncodedLen    = 1024
	minBcryptCost    = 4
)

// DefaultLimits are far above Django's defaults (argon2 100 MiB, t=2, p=8;
// pbkdf2 1,200,000; bcrypt 12; scrypt 16 MiB, p=5) and OWASP's current
// figures, and far below a denial of service: each ceiling alone is a few
// seconds of CPU on current hardware.
func DefaultLimits() Limits {
	return Limits{
		Argon2MemoryKiB:   1 << 20,
		Argon2Time:        16,
		Argon2Parallelism: 16,
		Argon2WorkKiB:     4 << 20,
		PBKDF2Iterations:  10_000_000,
		BcryptCost:        16,
		ScryptMemoryKiB:   1 << 20,
		ScryptP:           16,
	}
}

// widest are the absolute bounds as Limits: what Summary decodes with, so
// that a hash above the configured ceilings can still be described.
func widest() Limits {
	return Limits{
		Argon2MemoryKiB: absArgon2Memory, Argon2Time: absArgon2Time, Argon2Parallelism: absArgon2Threads,
		Argon2WorkKiB: absArgon2Work, PBKDF2Iterations: absPBKDF2, BcryptCost: absBcryptCost,
		ScryptMemoryKiB: absScryptMemory, ScryptP: absScryptP,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Argon2MemoryKiB == 0 {
		l.Argon2MemoryKiB = d.Argon2MemoryKiB
	}
	if l.Argon2Time == 0 {
		l.Argon2Time = d.Argon2Time
	}
	if l.Argon2Parallelism == 0 {
		l.Argon2Parallelism = d.Argon2Parallelism
	}
	if l.Argon2WorkKiB == 0 {
		l.Argon2WorkKiB = d.Argon2WorkKiB
	}
	if l.PBKDF2Iterations == 0 {
		l.PBKDF2Iterations = d.PBKDF2Iterations
	}
	if l.BcryptCost == 0 {
		l.BcryptCost = d.BcryptCost
	}
	if l.ScryptMemoryKiB == 0 {
		l.ScryptMemoryKiB = d.ScryptMemoryKiB
	}
	if l.ScryptP == 0 {
		l.ScryptP = d.ScryptP
	}
	return l
}

// validate checks filled-in limits against the absolute bounds. Field names
// are the configuration keys, since that is where a bad value comes from.
func (l Limits) validate() error {
	type bound struct {
		key    string
		v      int64
		lo, hi int64
	}
	for _, b := range []bound{
		{"argon2_memory_kib", int64(l.Argon2MemoryKiB), 8, absArgon2Memory},
		{"argon2_time", int64(l.Argon2Time), 1, absArgon2Time},
		{"argon2_parallelism", int64(l.Argon2Parallelism), 1, absArgon2Threads},
		{"argon2_work_kib", int64(min(l.Argon2WorkKiB, 1<<62)), 8, absArgon2Work},
		{"pbkdf2_iterations", int64(l.PBKDF2Iterations), 1, absPBKDF2},
		{"bcrypt_cost", int64(l.BcryptCost), minBcryptCost, absBcryptCost},
		{"scrypt_memory_kib", int64(l.ScryptMemoryKiB), 1, absScryptMemory},
		{"scrypt_p", int64(l.ScryptP), 1, absScryptP},
	} {
		if b.v < b.lo || b.v > b.hi {
			return fmt.Errorf("hash_limits.%s: %d is outside %d..%d", b.key, b.v, b.lo, b.hi)
		}
	}
	return nil
}

// tooCostly returns an error wrapping ErrTooCostly for algorithm.
func tooCostly(algorithm, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrTooCostly, algorithm, fmt.Sprintf(format, args...))
}
