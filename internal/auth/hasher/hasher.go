package hasher

import (
	"errors"
	"fmt"
)

var (
	// ErrUnknownAlgorithm is returned (wrapped) when an encoded password names
	// an algorithm this package does not know, or has no recognisable shape.
	ErrUnknownAlgorithm = errors.New("unknown password hashing algorithm")
	// ErrMalformed is returned (wrapped) when an encoded password names a
	// known algorithm but is not a valid hash of it.
	ErrMalformed = errors.New("malformed password hash")
	// ErrVerifyOnly is returned (wrapped) when asked to hash a password with a
	// legacy algorithm that is only kept for verifying old hashes.
	ErrVerifyOnly = errors.New("algorithm is verify-only: new hashes are never made with it")
	// ErrUnsupported is returned (wrapped, together with ErrUnknownAlgorithm
	// or ErrMalformed) for hashes this package never verifies: Unix crypt
	// (which Django 5.0 removed), and Argon2 version numbers other than 16
	// and 19 (which no Argon2 implementation makes).
	ErrUnsupported = errors.New("not supported by this implementation")
)

// Params holds every cost parameter; zero fields take Django's defaults
// (DefaultParams). The same values decide what MustUpdate reports.
type Params struct {
	PBKDF2Iterations int    // default 1_200_000 (Django 6.0)
	Argon2Time       uint32 // default 2
	Argon2MemoryKiB  uint32 // default 102400 (100 MiB)
	Argon2Threads    uint8  // default 8
	BcryptCost       int    // default 12
	ScryptN          int    // default 16384 (2^14)
	ScryptR          int    // default 8
	ScryptP          int    // default 5 (Django 5.1+)
	// Limits are the cost ceilings for stored hashes; the parameters above
	// must be within them too.
	Limits Limits
}

// DefaultParams returns Django 6.0's defaults.
func DefaultParams() Params {
	return Params{
		PBKDF2Iterations: 1_200_000,
		Argon2Time:       2,
		Argon2MemoryKiB:  102400,
		Argon2Threads:    8,
		BcryptCost:       12,
		ScryptN:          1 << 14,
		ScryptR:          8,
		ScryptP:          5,
	}
}

// withDefaults replaces zero fields by Django's defaults.
func (p Params) withDefaults() Params {
	d := DefaultParams()
	if p.PBKDF2Iterations == 0 {
		p.PBKDF2Iterations = d.PBKDF2Iterations
	}
	if p.Argon2Time == 0 {
		p.Argon2Time = d.Argon2Time
	}
	if p.Argon2MemoryKiB == 0 {
		p.Argon2MemoryKiB = d.Argon2MemoryKiB
	}
	if p.Argon2Threads == 0 {
		p.Argon2Threads = d.Argon2Threads
	}
	if p.BcryptCost == 0 {
		p.BcryptCost = d.BcryptCost
	}
	if p.ScryptN == 0 {
		p.ScryptN = d.ScryptN
	}
	if p.ScryptR == 0 {
		p.ScryptR = d.ScryptR
	}
	if p.ScryptP == 0 {
		p.ScryptP = d.ScryptP
	}
	p.Limits = p.Limits.withDefaults()
	return p
}

// validate checks filled-in parameters against the limits that Verify
// applies to stored hashes, so that every hash we make we can also verify.
func (p Params) validate() error {
	l := p.Limits
	if err := l.validate(); err != nil {
		return err
	}
	if p.PBKDF2Iterations < 1 {
		return fmt.Errorf("pbkdf2 iterations %d: must be at least 1", p.PBKDF2Iterations)
	}
	if p.PBKDF2Iterations > l.PBKDF2Iterations {
		return tooCostly("pbkdf2_sha256", "%d iterations is above hash_limits.pbkdf2_iterations (%d)", p.PBKDF2Iterations, l.PBKDF2Iterations)
	}
	if err := checkArgon2Cost(uint64(p.Argon2Time), uint64(p.Argon2MemoryKiB), uint64(p.Argon2Threads), l); err != nil {
		return err
	}
	if p.BcryptCost < minBcryptCost || p.BcryptCost > absBcryptCost {
		return fmt.Errorf("bcrypt cost %d: must be between %d and %d", p.BcryptCost, minBcryptCost, absBcryptCost)
	}
	if p.BcryptCost > l.BcryptCost {
		return tooCostly("bcrypt_sha256", "cost %d is above hash_limits.bcrypt_cost (%d)", p.BcryptCost, l.BcryptCost)
	}
	if p.ScryptN < 0 || p.ScryptR < 0 || p.ScryptP < 0 {
		return fmt.Errorf("scrypt parameters must be positive")
	}
	return checkScryptCost(uint64(p.ScryptN), uint64(p.ScryptR), uint64(p.ScryptP), l)
}

// Hasher is one algorithm. Implementations are immutable and safe for
// concurrent use.
type Hasher interface {
	// Algorithm returns Django's name for the algorithm ("pbkdf2_sha256", ...).
	Algorithm() string
	// Encode hashes password with salt ("" means a fresh 22-character salt;
	// the bcrypt family ignores salt and always makes its own). It returns an
	// error wrapping ErrVerifyOnly for legacy algorithms.
	Encode(password, salt string) (string, error)
	// Verify reports whether password matches encoded, comparing the whole
	// re-encoded string in constant time. It is false for any malformed or
	// unsupported input and never panics.
	Verify(password, encoded string) bool
	// MustUpdate reports whether encoded should be re-hashed because its
	// parameters (or salt strength) differ from this hasher's current ones,
	// as Django's must_update. It is true for an encoded value this hasher
	// cannot parse.
	MustUpdate(encoded string) bool
	// HardenRuntime spends the work a wrong password would have cost at the
	// current parameters (Django's harden_runtime): extra PBKDF2 iterations,
	// extra bcrypt rounds; a no-op for the other algorithms.
	HardenRuntime(password, encoded string)
	// Summary returns Django's safe_summary: ordered fields with salt and hash
	// masked (first characters shown, the rest '*').
	Summary(encoded string) []Field
	// WellFormed returns nil when encoded is a syntactically valid hash of
	// this algorithm within the package's cost limits, else an error wrapping
	// ErrMalformed that says what is wrong.
	WellFormed(encoded string) error
}

// Field is one labelled value of a hash summary.
type Field struct{ Key, Value string }

// generating lists the algorithms NewSet accepts as preferred.
var generating = []string{"argon2", "pbkdf2_sha256", "bcrypt_sha256", "scrypt"}

// allAlgorithms is Django's default PASSWORD_HASHERS order followed by the
// legacy hashers; Set.Algorithms moves the preferred one to the front.
var allAlgorithms = []string{
	"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "scrypt",
	"bcrypt", "sha1", "md5", "unsalted_sha1", "unsalted_md5",
}

func newHashers(p Params) map[string]Hasher {
	lim := p.Limits.withDefaults()
	hs := []Hasher{
		newPBKDF2SHA256(p.PBKDF2Iterations, lim),
		newPBKDF2SHA1(p.PBKDF2Iterations, lim),
		&argon2Hasher{time: p.Argon2Time, memory: p.Argon2MemoryKiB, threads: p.Argon2Threads, lim: lim},
		&bcryptHasher{sha256: true, cost: p.BcryptCost, lim: lim},
		&scryptHasher{n: p.ScryptN, r: p.ScryptR, p: p.ScryptP, lim: lim},
		&bcryptHasher{sha256: false, cost: p.BcryptCost, lim: lim},
		saltedSHA1, saltedMD5, unsaltedSHA1, unsaltedMD5,
	}
	m := make(map[string]Hasher, len(hs))
	for _, h := range hs {
		m[h.Algorithm()] = h
	}
	return m
}
