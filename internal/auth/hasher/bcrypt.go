package hasher

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcryptHasher is Django's BCryptSHA256PasswordHasher (sha256 true,
// generating) and BCryptPasswordHasher (verify-only here):
//
//	bcrypt_sha256$$2b$12$<22-character salt><31-character checksum>
//	bcrypt$$2b$12$...
//
// bcrypt_sha256 feeds bcrypt the lowercase hex SHA-256 of the password (64
// bytes, so bcrypt's 72-byte limit never truncates it). Plain bcrypt feeds
// the raw UTF-8 bytes, of which bcrypt uses only the first 72; a password
// containing NUL is rejected by Python's bcrypt, so it never verifies here.
//
// x/crypto/bcrypt cannot hash with a chosen salt, so Encode always makes a
// fresh salt (Django's bcrypt salt is the "$2b$12$..." prefix anyway) and
// Verify uses bcrypt.CompareHashAndPassword, which recomputes the checksum
// with the stored salt and cost and compares it in constant time. Because
// the stored string is first checked to be canonical (exactly what Python's
// bcrypt would output for that salt), this equals Django's whole-string
// comparison.
//
// Known gap: "$2a$" hashes of plain-bcrypt passwords of 255 bytes or more,
// for which OpenBSD's original $2a$ code wraps the key length around (the
// bug $2b$ fixed), do not verify as they do in Python.
type bcryptHasher struct {
	sha256 bool
	cost   int
	lim    Limits
}

// bcrypt's own base64 alphabet; salt and checksum use it without padding.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

const (
	bcryptLen         = 60 // "$2b$12$" + 22 + 31
	bcryptSaltEnd     = 29 // the "$2b$12$<salt>" prefix Django reuses as the salt
	bcryptMaxKeyBytes = 72
)

func (h *bcryptHasher) Algorithm() string {
	if h.sha256 {
		return "bcrypt_sha256"
	}
	return "bcrypt"
}

// input is the byte string handed to bcrypt, or false when Python's bcrypt
// would refuse the password.
func (h *bcryptHasher) input(password string) ([]byte, bool) {
	if h.sha256 {
		sum := sha256.Sum256([]byte(password))
		return []byte(hex.EncodeToString(sum[:])), true
	}
	if strings.IndexByte(password, 0) >= 0 {
		return nil, false
	}
	b := []byte(password)
	if len(b) > bcryptMaxKeyBytes {
		b = b[:bcryptMaxKeyBytes]
	}
	return b, true
}

// Encode ignores salt: see the type comment.
//
// x/crypto writes the "$2a$" prefix. Django (via pyca/bcrypt gensalt) writes
// "$2b$". The two differ only in how OpenBSD's implementation handled keys
// of 255 bytes or more (a length wrap-around in $2a$); for the 64-byte hex
// digest hashed here they produce the same checksum, so replacing the prefix
// gives exactly the string Django would have made with the same salt.
func (h *bcryptHasher) Encode(password, salt string) (string, error) {
	if !h.sha256 {
		return "", fmt.Errorf("bcrypt: %w", ErrVerifyOnly)
	}
	in, _ := h.input(password)
	out, err := bcrypt.GenerateFromPassword(in, h.cost)
	if err != nil {
		return "", fmt.Errorf("bcrypt_sha256: %w", err)
	}
	s, ok := strings.CutPrefix(string(out), "$2a$")
	if !ok {
		return "", fmt.Errorf("bcrypt_sha256: unexpected bcrypt prefix from x/crypto")
	}
	return "bcrypt_sha256$$2b$" + s, nil
}

type bcryptDecoded struct {
	algostr string // "2a", "2b" or "2y"
	cost    int
	salt    string // 22 characters
	sum     string // 31 characters
	mcf     string // the "$2b$12$..." part
}

// decode checks the whole string: "<algorithm>$$2[aby]$<2-digit cost>$",
// then a canonical 22-character salt and a canonical 31-character checksum.
func (h *bcryptHasher) decode(encoded string) (bcryptDecoded, error) {
	var d bcryptDecoded
	alg := h.Algorithm()
	mcf, ok := strings.CutPrefix(encoded, alg+"$")
	if !ok {
		return d, malformed(alg, "does not start with %q", alg+"$")
	}
	if len(mcf) != bcryptLen {
		return d, malformed(alg, "bcrypt part is %d characters, want %d", len(mcf), bcryptLen)
	}
	if mcf[0] != '$' || mcf[1] != '2' || mcf[3] != '$' || mcf[6] != '$' {
		return d, malformed(alg, "bcrypt part does not look like $2b$<cost>$<salt><checksum>")
	}
	switch mcf[2] {
	case 'a', 'b', 'y':
	default:
		return d, malformed(alg, "unsupported bcrypt version $2%c$ (want $2a$, $2b$ or $2y$)", mcf[2])
	}
	cost, err := strconv.Atoi(mcf[4:6])
	if err != nil || mcf[4] < '0' || mcf[4] > '9' {
		return d, malformed(alg, "cost %s is not two digits", short(mcf[4:6]))
	}
	if cost < minBcryptCost || cost > absBcryptCost {
		return d, malformed(alg, "cost %d is outside %d..%d", cost, minBcryptCost, absBcryptCost)
	}
	if cost > h.lim.BcryptCost {
		return d, tooCostly(alg, "cost %d is above hash_limits.bcrypt_cost (%d)", cost, h.lim.BcryptCost)
	}
	salt, sum := mcf[7:bcryptSaltEnd], mcf[bcryptSaltEnd:]
	// 22 characters carry 132 bits for a 128-bit salt and 31 carry 186 for a
	// 184-bit checksum: the unused low bits of the last character must be 0.
	if !bcryptCanonical(salt, 16) {
		return d, malformed(alg, "salt is not canonical bcrypt base64")
	}
	if !bcryptCanonical(sum, 4) {
		return d, malformed(alg, "checksum is not canonical bcrypt base64")
	}
	return bcryptDecoded{algostr: mcf[1:3], cost: cost, salt: salt, sum: sum, mcf: mcf}, nil
}

func bcryptCanonical(s string, lastMod int) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(bcryptAlphabet, s[i]) < 0 {
			return false
		}
	}
	return strings.IndexByte(bcryptAlphabet, s[len(s)-1])%lastMod == 0
}

func (h *bcryptHasher) WellFormed(encoded string) error {
	_, err := h.decode(encoded)
	return err
}

func (h *bcryptHasher) Verify(password, encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil {
		return false
	}
	in, ok := h.input(password)
	if !ok {
		return false
	}
	// x/crypto keeps the stored version letter and salt; since d.mcf is
	// canonical, a nil error means the recomputed string equals the stored one.
	return bcrypt.CompareHashAndPassword([]byte(d.mcf), in) == nil
}

// MustUpdate is true when the cost differs from the current one (no salt
// check, as in Django).
func (h *bcryptHasher) MustUpdate(encoded string) bool {
	d, err := h.decode(encoded)
	if err != nil {
		return true
	}
	return d.cost != h.cost
}

// HardenRuntime runs 2^(current-stored) - 1 extra hashes at the stored cost
// and salt when the stored cost is lower (Django's harden_runtime). Each
// CompareHashAndPassword call is exactly one such hash.
func (h *bcryptHasher) HardenRuntime(password, encoded string) {
	d, err := h.decode(encoded)
	if err != nil || d.cost >= h.cost {
		return
	}
	in, ok := h.input(password)
	if !ok {
		return
	}
	for n := (1 << (h.cost - d.cost)) - 1; n > 0; n-- {
		_ = bcrypt.CompareHashAndPassword([]byte(d.mcf), in)
	}
}

func (h *bcryptHasher) Summary(encoded string) []Field {
	d, err := h.decode(encoded)
	if err != nil {
		return invalidSummary()
	}
	return []Field{
		{"algorithm", h.Algorithm()},
		{"work factor", strconv.Itoa(d.cost)},
		{"salt", maskHash(d.salt, 6)},
		{"checksum", maskHash(d.sum, 6)},
	}
}
