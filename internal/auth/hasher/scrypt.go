package hasher

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"authctl/internal/auth/hasher/scrypt"
)

// scryptHasher is Django's ScryptPasswordHasher (Django 4.0+):
//
//	scrypt$<N>$<salt>$<r>$<p>$<base64 std, padded, of a 64-byte key>
type scryptHasher struct {
	n, r, p int
	lim     Limits
}

const (
	scryptKeyLen = 64
	// Django calls hashlib.scrypt with maxmem=0, which leaves OpenSSL's
	// default limit of 32 MiB in force: parameters needing more raise in
	// Django, so no Django installation can make or verify such a hash.
	scryptMaxMem = 32 << 20
	// scryptPRMax is OpenSSL's SCRYPT_PR_MAX: p*r must stay below it.
	scryptPRMax = 1<<30 - 1
)

// checkScryptCost applies what scrypt itself requires and the ceilings of
// lim (memory 128·N·r bytes, parallelism p; an error wrapping ErrTooCostly),
// then OpenSSL's checks as Python calls it from Django, so that every
// accepted hash is one Django could make and verify (an error wrapping
// ErrMalformed). It runs before anything is allocated.
func checkScryptCost(n, r, p uint64, lim Limits) error {
	switch {
	case n < 2 || n&(n-1) != 0:
		return malformed("scrypt", "N=%d is not a power of 2 greater than 1", n)
	case r < 1 || p < 1:
		return malformed("scrypt", "r and p must be at least 1")
	case n > scryptMaxMem || r > scryptMaxMem || p > scryptMaxMem:
		return malformed("scrypt", "N=%d, r=%d, p=%d need more than the 32 MiB Django's scrypt hasher may use (hashlib.scrypt maxmem=0)", n, r, p)
	case n*r/8 > uint64(lim.ScryptMemoryKiB): // 128·N·r bytes in KiB
		return tooCostly("scrypt", "memory %d KiB (128·N·r bytes) is above hash_limits.scrypt_memory_kib (%d)", n*r/8, lim.ScryptMemoryKiB)
	case p > uint64(lim.ScryptP):
		return tooCostly("scrypt", "parallelism p=%d is above hash_limits.scrypt_p (%d)", p, lim.ScryptP)
	case p > scryptPRMax/r:
		return malformed("scrypt", "p*r must be below 2^30")
	case 16*r <= 63 && n >= 1<<(16*r):
		return malformed("scrypt", "N=%d must be below 2^(16*r)", n)
	case 128*r*p+128*r*(n+2) > scryptMaxMem:
		return malformed("scrypt", "N=%d, r=%d, p=%d need more than the 32 MiB Django's scrypt hasher may use (hashlib.scrypt maxmem=0)", n, r, p)
	}
	return nil
}

func (h *scryptHasher) Algorithm() string { return "scrypt" }

func (h *scryptHasher) Encode(password, salt string) (string, error) {
	if salt == "" {
		salt = GenerateSalt()
	}
	if err := checkSalt("scrypt", salt); err != nil {
		return "", err
	}
	return h.encode(password, salt, h.n, h.r, h.p)
}

func (h *scryptHasher) encode(password, salt string, n, r, p int) (string, error) {
	words := scrypt.Words(n, r)
	mem := getHashMemory(4 * words)
	key, err := scrypt.Key(mem.words(words), []byte(password), []byte(salt), n, r, p, scryptKeyLen)
	putHashMemory(mem)
	if err != nil {
		return "", fmt.Errorf("scrypt: %w", err)
	}
	return "scrypt$" + strconv.Itoa(n) + "$" + salt + "$" + strconv.Itoa(r) + "$" + strconv.Itoa(p) + "$" +
		base64.StdEncoding.EncodeToString(key), nil
}

type scryptDecoded struct {
	n, r, p    int
	salt, hash string
}

// decode splits like Django (at most 6 fields) and checks every field.
func (h *scryptHasher) decode(encoded string) (scryptDecoded, error) {
	var d scryptDecoded
	if len(encoded) > maxEncodedLen {
		return d, malformed("scrypt", "longer than %d bytes", maxEncodedLen)
	}
	parts := strings.SplitN(encoded, "$", 7)
	if len(parts) != 6 {
		return d, malformed("scrypt", "want 6 fields separated by %q, got %s", "$", fieldCount(parts, 7))
	}
	if parts[0] != "scrypt" {
		return d, malformed("scrypt", "algorithm field is %s", short(parts[0]))
	}
	var nums [3]uint64
	for i, idx := range []int{1, 3, 4} {
		v, ok := parseDecimal(parts[idx], scryptMaxMem)
		if !ok {
			return d, malformed("scrypt", "%s %s is not a positive decimal number", [3]string{"N", "r", "p"}[i], short(parts[idx]))
		}
		nums[i] = v
	}
	if err := checkScryptCost(nums[0], nums[1], nums[2], h.lim); err != nil {
		return d, err
	}
	if parts[2] == "" {
		return d, malformed("scrypt", "empty salt")
	}
	key, ok := decodeCanonical(base64.StdEncoding, parts[5])
	if !ok || len(key) != scryptKeyLen {
		return d, malformed("scrypt", "hash is not canonical padded base64 of %d bytes", scryptKeyLen)
	}
	return scryptDecoded{n: int(nums[0]), r: int(nums[1]), p: int(nums[2]), salt: parts[2], hash: parts[5]}, nil
}

// fieldCount describes how many fields SplitN found, with "more than" when
// it stopped at its limit.
func fieldCount(parts []string, limit int) string {
	if len(parts) == limit {
		return "more than " + strconv.Itoa(limit-1)
	}
	return strconv.Itoa(len(parts))
}

func (h *scryptHasher) WellFormed(encoded string) error {
	_, err := h.decode(encoded)
	return err
}

func (h *scryptHasher) Verify(password, encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil {
		return false
	}
	again, err := h.encode(password, d.salt, d.n, d.r, d.p)
	return err == nil && sameString(encoded, again)
}

// MustUpdate is true when N, r or p differ (no salt check, as in Django).
func (h *scryptHasher) MustUpdate(encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil {
		return true
	}
	return d.n != h.n || d.r != h.r || d.p != h.p
}

// HardenRuntime does nothing, as in Django.
func (h *scryptHasher) HardenRuntime(password, encoded string) {}

func (h *scryptHasher) Summary(encoded string) []Field {
	d, err := h.decode(encoded)
	if err != nil {
		return invalidSummary()
	}
	return []Field{
		{"algorithm", "scrypt"},
		{"work factor", strconv.Itoa(d.n)},
		{"block size", strconv.Itoa(d.r)},
		{"parallelism", strconv.Itoa(d.p)},
		{"salt", maskHash(d.salt, 6)},
		{"hash", maskHash(d.hash, 6)},
	}
}
