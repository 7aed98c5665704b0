package hasher

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// malformed returns an error wrapping ErrMalformed for algorithm.
func malformed(algorithm, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, algorithm, fmt.Sprintf(format, args...))
}

// parseDecimal parses a canonical positive decimal: ASCII digits only, no
// sign, no leading zero, at most limit. Django re-encodes numbers with %d, so
// any other spelling can never verify.
func parseDecimal(s string, limit uint64) (uint64, bool) {
	if s == "" || len(s) > 20 || s[0] == '0' {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if d > limit || v > (limit-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// decodeCanonical decodes s with enc and checks that re-encoding gives s back
// (so non-zero padding bits or missing/extra padding are rejected).
func decodeCanonical(enc *base64.Encoding, s string) ([]byte, bool) {
	b, err := enc.Strict().DecodeString(s)
	if err != nil || enc.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// short renders a field for an error message without echoing long values.
func short(s string) string {
	if utf8.RuneCountInString(s) > 16 {
		return fmt.Sprintf("(%d characters)", utf8.RuneCountInString(s))
	}
	return fmt.Sprintf("%q", s)
}

// checkSalt enforces Django's encode() precondition on text salts.
func checkSalt(algorithm, salt string) error {
	if salt == "" {
		return malformed(algorithm, "empty salt")
	}
	if strings.Contains(salt, "$") {
		return malformed(algorithm, "salt contains %q", "$")
	}
	return nil
}

// sameString compares two encoded strings in constant time (for equal
// lengths), like Django's constant_time_compare.
func sameString(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// maskHash is Django's mask_hash: the first show characters, then one '*'
// per remaining character (characters are code points, as in Python).
func maskHash(s string, show int) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i < show {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
		i++
	}
	return b.String()
}

// invalidSummary is what Django's password widget shows for a value it
// cannot identify or decode.
func invalidSummary() []Field {
	return []Field{{"password", "invalid format or unknown hashing algorithm"}}
}
