package hasher

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Set is the configured, ordered list of hashers; the first is preferred
// (Django's PASSWORD_HASHERS). Every algorithm this package knows is always
// available for verifying. A Set is immutable and safe for concurrent use.
type Set struct {
	preferred Hasher
	order     []string
	byName    map[string]Hasher
	// describe has the same hashers with the absolute bounds as limits, for
	// Summary only: it never verifies.
	describe map[string]Hasher
}

// NewSet returns a Set that makes new hashes with preferred ("argon2",
// "pbkdf2_sha256", "bcrypt_sha256" or "scrypt") at the parameters p (zero
// fields take Django's defaults). It fails for any other algorithm name and
// for parameters outside the limits documented in the package comment.
func NewSet(preferred string, p Params) (*Set, error) {
	if !slices.Contains(generating, preferred) {
		if slices.Contains(allAlgorithms, preferred) {
			return nil, fmt.Errorf("hasher %q cannot be the preferred hasher: %w", preferred, ErrVerifyOnly)
		}
		return nil, fmt.Errorf("%w %s (preferred hasher must be one of %s)", ErrUnknownAlgorithm, quoteName(preferred), strings.Join(generating, ", "))
	}
	p = p.withDefaults()
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("hasher parameters: %w", err)
	}
	wide := p
	wide.Limits = widest()
	s := &Set{byName: newHashers(p), describe: newHashers(wide)}
	s.preferred = s.byName[preferred]
	s.order = append(s.order, preferred)
	for _, a := range allAlgorithms {
		if a != preferred {
			s.order = append(s.order, a)
		}
	}
	return s, nil
}

// Preferred returns the hasher used for new hashes.
func (s *Set) Preferred() Hasher { return s.preferred }

// Lanes is how many cores one preferred hash already keeps busy: argon2's
// parallelism (its threads), 1 for the others. Bulk hashing sizes its
// worker pool by it, since each concurrent argon2 hash also holds its
// memory.
func (s *Set) Lanes() int {
	if a, ok := s.preferred.(*argon2Hasher); ok && a.threads > 1 {
		return int(a.threads)
	}
	return 1
}

// Algorithms returns every algorithm the Set verifies, preferred first.
func (s *Set) Algorithms() []string { return slices.Clone(s.order) }

// Make hashes password with the preferred hasher and a fresh salt.
func (s *Set) Make(password string) (string, error) {
	return s.preferred.Encode(password, "")
}

// MakeWith hashes password with the named algorithm and a fresh salt. Legacy
// algorithms return an error wrapping ErrVerifyOnly.
func (s *Set) MakeWith(algorithm, password string) (string, error) {
	h, ok := s.byName[algorithm]
	if !ok {
		return "", fmt.Errorf("%w %s", ErrUnknownAlgorithm, quoteName(algorithm))
	}
	return h.Encode(password, "")
}

// Identify returns the hasher for encoded following Django's identify_hasher:
// a bare 32-character value or "md5$$" plus 32 characters is unsalted_md5,
// "sha1$$" plus 40 characters is unsalted_sha1, anything else is named by the
// text before the first "$". The error wraps ErrUnknownAlgorithm and never
// repeats the whole encoded value.
func (s *Set) Identify(encoded string) (Hasher, error) {
	n := utf8.RuneCountInString(encoded) // Python's len(): code points
	var algorithm string
	switch {
	case (n == 32 && !strings.Contains(encoded, "$")) || (n == 37 && strings.HasPrefix(encoded, "md5$$")):
		algorithm = "unsalted_md5"
	case n == 46 && strings.HasPrefix(encoded, "sha1$$"):
		algorithm = "unsalted_sha1"
	default:
		var found bool
		algorithm, _, found = strings.Cut(encoded, "$")
		switch {
		case encoded == "":
			return nil, fmt.Errorf("%w: the encoded password is empty", ErrUnknownAlgorithm)
		case !IsUsable(encoded):
			return nil, fmt.Errorf("%w: the value is an unusable password (it starts with %q)", ErrUnknownAlgorithm, "!")
		case !found:
			return nil, fmt.Errorf("%w: the value has no %q separator and is not a 32-character unsalted MD5 digest", ErrUnknownAlgorithm, "$")
		case algorithm == "crypt":
			return nil, fmt.Errorf("%w %q: Unix crypt hashes are %w (Django removed them in 5.0)", ErrUnknownAlgorithm, algorithm, ErrUnsupported)
		}
	}
	h, ok := s.byName[algorithm]
	if !ok {
		return nil, fmt.Errorf("%w %s", ErrUnknownAlgorithm, quoteName(algorithm))
	}
	return h, nil
}

// Check is Django's check_password with a setter. ok reports a correct
// password; mustUpdate reports that the caller should re-hash the password
// with Make and store the result (it is never true when ok is false).
//
// An unusable, unknown, malformed or unsupported encoded value costs one run
// of the preferred hasher on a random string and returns false, false. For a
// wrong password against a hash of the preferred algorithm made with weaker
// parameters, the stored hasher's HardenRuntime pads the time.
func (s *Set) Check(password, encoded string) (ok, mustUpdate bool) {
	if !IsUsable(encoded) {
		s.fakeRun()
		return false, false
	}
	stored, err := s.Identify(encoded)
	if err == nil {
		err = stored.WellFormed(encoded)
	}
	if err != nil {
		// Django raises on a malformed hash of a known algorithm; we answer
		// false, with the same timing as an unknown one.
		s.fakeRun()
		return false, false
	}
	hasherChanged := stored.Algorithm() != s.preferred.Algorithm()
	mustUpdate = hasherChanged || s.preferred.MustUpdate(encoded)
	ok = stored.Verify(password, encoded)
	if !ok && !hasherChanged && mustUpdate {
		stored.HardenRuntime(password, encoded)
	}
	return ok, ok && mustUpdate
}

// fakeRun is check_password's timing equalisation for values that cannot be
// verified (CVE-2024-39329): hash a random 40-character string once.
func (s *Set) fakeRun() {
	_, _ = s.preferred.Encode(randomString(unusableSuffixLength), "")
}

// Dummy runs the preferred hasher once with a fresh salt and discards the
// result: the cost of a wrong password for an unknown user (Django's
// ModelBackend sets a password on a throwaway user).
func (s *Set) Dummy(password string) {
	_, _ = s.preferred.Encode(password, "")
}

// Validate checks that encoded can be stored: an unusable password, or a
// well-formed hash of one of the ten known algorithms. The error wraps
// ErrUnknownAlgorithm or ErrMalformed (and ErrUnsupported where relevant).
func (s *Set) Validate(encoded string) error {
	if len(encoded) > maxEncodedLen {
		return fmt.Errorf("%w: %d bytes is longer than the %d accepted", ErrMalformed, len(encoded), maxEncodedLen)
	}
	if !IsUsable(encoded) {
		return nil
	}
	h, err := s.Identify(encoded)
	if err != nil {
		return err
	}
	return h.WellFormed(encoded)
}

// Summary describes encoded for display like Django's password widget: the
// hasher's safe summary, or a single "password" field for an empty or
// unusable value and for an unknown or malformed one.
func (s *Set) Summary(encoded string) []Field {
	switch {
	case encoded == "":
		return []Field{{"password", "no password set (empty)"}}
	case !IsUsable(encoded):
		return []Field{{"password", "no password set (unusable)"}}
	}
	h, err := s.Identify(encoded)
	if err != nil {
		return invalidSummary()
	}
	if err := h.WellFormed(encoded); errors.Is(err, ErrTooCostly) {
		// Described, and marked: Check never verifies it.
		f := s.describe[h.Algorithm()].Summary(encoded)
		if len(f) > 1 {
			f = append(f, Field{"cost", "above hash_limits: never verified, reset the password"})
		}
		return f
	}
	return h.Summary(encoded)
}

// quoteName quotes an algorithm name for an error message when it looks like
// one; anything else is described, not echoed, since it may be a whole hash.
func quoteName(name string) string {
	if name == "" {
		return `""`
	}
	if len(name) > 32 {
		return "(an over-long name)"
	}
	for _, r := range name {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "(a name with unexpected characters)"
		}
	}
	return fmt.Sprintf("%q", name)
}
