package hasher

import (
	"crypto/rand"
	"math"
	"strings"
	"unicode/utf8"
)

const (
	// randomChars is Django's RANDOM_STRING_CHARS.
	randomChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	// saltEntropy is Django's BasePasswordHasher.salt_entropy, in bits.
	saltEntropy = 128
	// saltLength = ceil(128 / log2(62)) = 22.
	saltLength = 22
	// unusablePrefix marks a password that can never be verified.
	unusablePrefix = "!"
	// unusableSuffixLength is Django's UNUSABLE_PASSWORD_SUFFIX_LENGTH.
	unusableSuffixLength = 40
)

// GenerateSalt returns a fresh Django salt: 22 characters drawn uniformly
// from [a-zA-Z0-9] with crypto/rand (128 bits of entropy).
func GenerateSalt() string { return randomString(saltLength) }

// Unusable returns a new unusable password value: "!" followed by 40 random
// characters from [a-zA-Z0-9]. The suffix only makes values distinct; no
// password ever verifies against it.
func Unusable() string { return unusablePrefix + randomString(unusableSuffixLength) }

// IsUsable reports whether encoded may verify some password: false exactly
// when it starts with "!" (Django's is_password_usable). The empty string
// and garbage count as usable although nothing verifies against them.
func IsUsable(encoded string) bool { return !strings.HasPrefix(encoded, unusablePrefix) }

// randomString is Django's get_random_string: n characters chosen uniformly
// from randomChars. Bytes at or above 248 (= 4*62) are rejected so that the
// modulo does not favour any character.
func randomString(n int) string {
	const limit = 256 - 256%len(randomChars)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never returns an error
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, randomChars[int(b)%len(randomChars)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// weakSalt is Django's must_update_salt: the salt, counted in characters (as
// Python's len), carries fewer than 128 bits if drawn from 62 symbols. That
// is 21 characters or fewer.
func weakSalt(salt string) bool {
	return weakSaltLen(utf8.RuneCountInString(salt))
}

func weakSaltLen(n int) bool {
	return float64(n)*math.Log2(float64(len(randomChars))) < saltEntropy
}
