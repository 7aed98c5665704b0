package hasher

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"authctl/internal/auth/hasher/argon2"
)

// argon2Hasher is Django's Argon2PasswordHasher: "argon2" followed by the PHC
// string argon2-cffi produces,
//
//	argon2$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
//
// with both base64 fields in the standard alphabet without padding. The salt
// is the bytes of Django's 22-character text salt; the hash is 16 bytes.
//
// Verification accepts every form Django verifies through argon2-cffi:
// argon2id, argon2i and argon2d, at version 19 (v=19, Argon2 1.3) or 16
// (v=16, or no v= field at all: Argon2 1.0, Django's test vector
// "argon2$argon2i$m=8,t=1,p=1$..."), with any parameters within the Set's
// Limits, all computed by the argon2 package (x/crypto's Argon2 in memory
// the hasher keeps; hash_memory.go). All but argon2id v=19 at the
// current parameters must update. New hashes are always argon2id v=19.
type argon2Hasher struct {
	time, memory uint32
	threads      uint8
	lim          Limits
}

const (
	argon2HashLen     = 16 // argon2-cffi DEFAULT_HASH_LENGTH
	argon2MinSaltLen  = 8  // ARGON2_MIN_SALT_LENGTH
	argon2MinHashLen  = 4  // ARGON2_MIN_OUTLEN
	legacyArgon2Label = 18 // what argon2-cffi reports for a hash without v=
)

func (h *argon2Hasher) Algorithm() string { return "argon2" }

func (h *argon2Hasher) Encode(password, salt string) (string, error) {
	if salt == "" {
		salt = GenerateSalt()
	}
	if err := checkSalt("argon2", salt); err != nil {
		return "", err
	}
	if len(salt) < argon2MinSaltLen {
		return "", malformed("argon2", "salt is shorter than %d bytes", argon2MinSaltLen)
	}
	d := argon2Decoded{
		variant: "argon2id", version: argon2.Version13, hasVersion: true,
		time: h.time, memory: h.memory, threads: h.threads,
		salt: []byte(salt), hashLen: argon2HashLen,
	}
	return d.encode(password), nil
}

type argon2Decoded struct {
	variant    string
	version    uint64
	hasVersion bool
	time       uint32
	memory     uint32
	threads    uint8
	salt       []byte
	hash       string // base64 as stored
	hashLen    int
}

// encode recomputes the hash of password with d's parameters and salt and
// formats the whole encoded string. Every variant and version is computed
// by the argon2 package, in memory from hashPool.
func (d argon2Decoded) encode(password string) string {
	version := uint32(argon2.Version13)
	if !d.hasVersion || d.version == argon2.Version10 {
		version = argon2.Version10
	}
	typ := argon2.TypeID
	switch d.variant {
	case "argon2d":
		typ = argon2.TypeD
	case "argon2i":
		typ = argon2.TypeI
	}
	blocks := argon2.Blocks(d.memory, d.threads)
	mem := getHashMemory(blocks * argon2.BlockSize)
	key := argon2.Key(mem.argon2Blocks(blocks), typ, version, []byte(password), d.salt, d.time, d.memory, d.threads, uint32(d.hashLen))
	putHashMemory(mem)
	argon2Hashed.Add(uint64(blocks) * argon2.BlockSize)
	v := ""
	if d.hasVersion {
		v = fmt.Sprintf("v=%d$", d.version)
	}
	return fmt.Sprintf("argon2$%s$%sm=%d,t=%d,p=%d$%s$%s", d.variant, v,
		d.memory, d.time, d.threads,
		base64.RawStdEncoding.EncodeToString(d.salt), base64.RawStdEncoding.EncodeToString(key))
}

// checkArgon2Cost checks time, memory (KiB) and lanes: what Argon2 itself
// requires (an error wrapping ErrMalformed), then the ceilings of lim (an
// error wrapping ErrTooCostly). It runs before anything is allocated.
func checkArgon2Cost(t, m, p uint64, lim Limits) error {
	switch {
	case t < 1:
		return malformed("argon2", "time cost must be at least 1")
	case p < 1:
		return malformed("argon2", "parallelism must be at least 1")
	case m < 8*p:
		return malformed("argon2", "memory %d KiB: must be at least 8 KiB per lane (%d)", m, 8*p)
	case m > uint64(lim.Argon2MemoryKiB):
		return tooCostly("argon2", "memory %d KiB is above hash_limits.argon2_memory_kib (%d)", m, lim.Argon2MemoryKiB)
	case t > uint64(lim.Argon2Time):
		return tooCostly("argon2", "time cost %d is above hash_limits.argon2_time (%d)", t, lim.Argon2Time)
	case p > uint64(lim.Argon2Parallelism):
		return tooCostly("argon2", "parallelism %d is above hash_limits.argon2_parallelism (%d)", p, lim.Argon2Parallelism)
	case m*t > lim.Argon2WorkKiB:
		return tooCostly("argon2", "memory times time cost is %d KiB, above hash_limits.argon2_work_kib (%d)", m*t, lim.Argon2WorkKiB)
	}
	return nil
}

// decode parses encoded strictly (canonical numbers, m,t,p in that order,
// canonical unpadded base64). It accepts any version number so that a hash
// can be summarised; unsupported reports whether Verify can handle it.
func (h *argon2Hasher) decode(encoded string) (argon2Decoded, error) {
	var d argon2Decoded
	if len(encoded) > maxEncodedLen {
		return d, malformed("argon2", "longer than %d bytes", maxEncodedLen)
	}
	parts := strings.Split(encoded, "$")
	if parts[0] != "argon2" {
		return d, malformed("argon2", "algorithm field is %s", short(parts[0]))
	}
	switch len(parts) {
	case 6:
		v, ok := strings.CutPrefix(parts[2], "v=")
		if d.version, ok = parseDecimalIf(ok, v, 1<<32-1); !ok {
			return d, malformed("argon2", "version field %s is not v=<number>", short(parts[2]))
		}
		d.hasVersion = true
	case 5:
		d.version = legacyArgon2Label
	default:
		return d, malformed("argon2", "want 6 fields separated by %q, got %d", "$", len(parts))
	}
	d.variant = parts[1]
	if d.variant != "argon2id" && d.variant != "argon2i" && d.variant != "argon2d" {
		return d, malformed("argon2", "unknown variant %s", short(d.variant))
	}
	n := len(parts)
	m, t, p, ok := parseArgon2Params(parts[n-3])
	if !ok {
		return d, malformed("argon2", "parameters %s are not m=<KiB>,t=<passes>,p=<lanes>", short(parts[n-3]))
	}
	if err := checkArgon2Cost(t, m, p, h.lim); err != nil {
		return d, err
	}
	d.memory, d.time, d.threads = uint32(m), uint32(t), uint8(p)
	salt, ok := decodeCanonical(base64.RawStdEncoding, parts[n-2])
	if !ok || len(salt) < argon2MinSaltLen {
		return d, malformed("argon2", "salt is not canonical unpadded base64 of at least %d bytes", argon2MinSaltLen)
	}
	key, ok := decodeCanonical(base64.RawStdEncoding, parts[n-1])
	if !ok || len(key) < argon2MinHashLen {
		return d, malformed("argon2", "hash is not canonical unpadded base64 of at least %d bytes", argon2MinHashLen)
	}
	d.salt, d.hash, d.hashLen = salt, parts[n-1], len(key)
	return d, nil
}

func parseDecimalIf(ok bool, s string, limit uint64) (uint64, bool) {
	if !ok {
		return 0, false
	}
	return parseDecimal(s, limit)
}

// parseArgon2Params parses "m=<n>,t=<n>,p=<n>" in exactly that order.
func parseArgon2Params(s string) (m, t, p uint64, ok bool) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return 0, 0, 0, false
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, found := strings.CutPrefix(fields[i], name)
		if vals[i], ok = parseDecimalIf(found, v, 1<<32-1); !ok {
			return 0, 0, 0, false
		}
	}
	return vals[0], vals[1], vals[2], true
}

// unsupported explains why a decoded hash cannot be verified here, or
// returns nil: only versions 16 and 19 exist (libargon2 refuses others).
func (d argon2Decoded) unsupported() error {
	if d.hasVersion && d.version != argon2.Version13 && d.version != argon2.Version10 {
		return fmt.Errorf("%w: argon2: version v=%d is %w; only v=19 and v=16", ErrMalformed, d.version, ErrUnsupported)
	}
	return nil
}

func (h *argon2Hasher) WellFormed(encoded string) error {
	d, err := h.decode(encoded)
	if err != nil {
		return err
	}
	return d.unsupported()
}

func (h *argon2Hasher) Verify(password, encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil || d.unsupported() != nil {
		return false
	}
	return sameString(encoded, d.encode(password))
}

// MustUpdate is true when the variant, version, time, memory, parallelism or
// hash length differ from the current ones, or the salt is weak.
func (h *argon2Hasher) MustUpdate(encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil {
		return true
	}
	return d.variant != "argon2id" || !d.hasVersion || d.version != argon2.Version13 ||
		d.time != h.time || d.memory != h.memory || d.threads != h.threads ||
		d.hashLen != argon2HashLen || weakSaltLen(len(d.salt))
}

// HardenRuntime does nothing: Django finds Argon2's runtime too complicated
// to pad sensibly.
func (h *argon2Hasher) HardenRuntime(password, encoded string) {}

func (h *argon2Hasher) Summary(encoded string) []Field {
	d, err := h.decode(encoded)
	if err != nil {
		return invalidSummary()
	}
	// Django decodes the salt as Latin-1: one character per byte.
	salt := make([]rune, len(d.salt))
	for i, b := range d.salt {
		salt[i] = rune(b)
	}
	return []Field{
		{"algorithm", "argon2"},
		{"variety", d.variant},
		{"version", strconv.FormatUint(d.version, 10)},
		{"memory cost", strconv.FormatUint(uint64(d.memory), 10)},
		{"time cost", strconv.FormatUint(uint64(d.time), 10)},
		{"parallelism", strconv.FormatUint(uint64(d.threads), 10)},
		{"salt", maskHash(string(salt), 6)},
		{"hash", maskHash(d.hash, 6)},
	}
}
