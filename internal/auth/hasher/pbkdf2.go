package hasher

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// pbkdf2Hasher is Django's PBKDF2PasswordHasher (SHA-256, generating) and
// PBKDF2SHA1PasswordHasher (SHA-1, verify-only here):
//
//	<algorithm>$<iterations>$<salt>$<base64 std, padded, of the derived key>
//
// The key length is the digest size (32 or 20 bytes).
type pbkdf2Hasher struct {
	algorithm  string
	digest     func() hash.Hash
	keyLen     int
	iterations int
	verifyOnly bool
	lim        Limits
}

func newPBKDF2SHA256(iterations int, lim Limits) *pbkdf2Hasher {
	return &pbkdf2Hasher{algorithm: "pbkdf2_sha256", digest: sha256.New, keyLen: sha256.Size, iterations: iterations, lim: lim}
}

func newPBKDF2SHA1(iterations int, lim Limits) *pbkdf2Hasher {
	return &pbkdf2Hasher{algorithm: "pbkdf2_sha1", digest: sha1.New, keyLen: sha1.Size, iterations: iterations, verifyOnly: true, lim: lim}
}

func (h *pbkdf2Hasher) Algorithm() string { return h.algorithm }

func (h *pbkdf2Hasher) Encode(password, salt string) (string, error) {
	if h.verifyOnly {
		return "", fmt.Errorf("%s: %w", h.algorithm, ErrVerifyOnly)
	}
	if salt == "" {
		salt = GenerateSalt()
	}
	if err := checkSalt(h.algorithm, salt); err != nil {
		return "", err
	}
	return h.encode(password, salt, h.iterations)
}

// encode is Django's encode(password, salt, iterations).
func (h *pbkdf2Hasher) encode(password, salt string, iterations int) (string, error) {
	key, err := pbkdf2.Key(h.digest, password, []byte(salt), iterations, h.keyLen)
	if err != nil { // only in FIPS 140-only mode
		return "", err
	}
	return h.algorithm + "$" + strconv.Itoa(iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(key), nil
}

type pbkdf2Decoded struct {
	iterations int
	salt, hash string
}

// decode splits like Django (at the first three "$") and checks every field.
func (h *pbkdf2Hasher) decode(encoded string) (pbkdf2Decoded, error) {
	if len(encoded) > maxEncodedLen {
		return pbkdf2Decoded{}, malformed(h.algorithm, "longer than %d bytes", maxEncodedLen)
	}
	parts := strings.SplitN(encoded, "$", 4)
	if len(parts) != 4 {
		return pbkdf2Decoded{}, malformed(h.algorithm, "want 4 fields separated by %q, got %d", "$", len(parts))
	}
	if parts[0] != h.algorithm {
		return pbkdf2Decoded{}, malformed(h.algorithm, "algorithm field is %s", short(parts[0]))
	}
	iter, ok := parseDecimal(parts[1], 1<<63-1)
	if !ok {
		return pbkdf2Decoded{}, malformed(h.algorithm, "iterations %s is not a positive decimal number", short(parts[1]))
	}
	if iter > uint64(h.lim.PBKDF2Iterations) {
		return pbkdf2Decoded{}, tooCostly(h.algorithm, "%d iterations is above hash_limits.pbkdf2_iterations (%d)", iter, h.lim.PBKDF2Iterations)
	}
	if parts[2] == "" {
		return pbkdf2Decoded{}, malformed(h.algorithm, "empty salt")
	}
	key, ok := decodeCanonical(base64.StdEncoding, parts[3])
	if !ok {
		return pbkdf2Decoded{}, malformed(h.algorithm, "hash is not canonical padded base64")
	}
	if len(key) != h.keyLen {
		return pbkdf2Decoded{}, malformed(h.algorithm, "hash is %d bytes, want %d", len(key), h.keyLen)
	}
	return pbkdf2Decoded{iterations: int(iter), salt: parts[2], hash: parts[3]}, nil
}

func (h *pbkdf2Hasher) WellFormed(encoded string) error {
	_, err := h.decode(encoded)
	return err
}

func (h *pbkdf2Hasher) Verify(password, encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil {
		return false
	}
	again, err := h.encode(password, d.salt, d.iterations)
	return err == nil && sameString(encoded, again)
}

func (h *pbkdf2Hasher) MustUpdate(encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil {
		return true
	}
	return d.iterations != h.iterations || weakSalt(d.salt)
}

func (h *pbkdf2Hasher) HardenRuntime(password, encoded string) {
	d, err := h.decode(encoded)
	if err != nil {
		return
	}
	if extra := h.iterations - d.iterations; extra > 0 {
		_, _ = h.encode(password, d.salt, extra)
	}
}

func (h *pbkdf2Hasher) Summary(encoded string) []Field {
	d, err := h.decode(encoded)
	if err != nil {
		return invalidSummary()
	}
	return []Field{
		{"algorithm", h.algorithm},
		{"iterations", strconv.Itoa(d.iterations)},
		{"salt", maskHash(d.salt, 6)},
		{"hash", maskHash(d.hash, 6)},
	}
}
