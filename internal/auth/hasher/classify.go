package hasher

import "errors"

// Class sorts a stored password value by what Check can do with it.
type Class int

const (
	// ClassVerifiable is a well-formed hash of an algorithm this package knows,
	// within the Set's Limits: Check verifies it.
	ClassVerifiable Class = iota
	// ClassUnusable is Django's unusable password ("!" and anything): it never
	// verifies, and is stored that way on purpose.
	ClassUnusable
	// ClassUnknownFormat is a value of no algorithm this package verifies: a
	// hasher it does not know (a site's custom "myhasher$...", Unix
	// "crypt$$..."), or no recognisable shape at all (including ""). It can
	// be kept, as Django keeps it, but never verifies until the password is
	// reset.
	ClassUnknownFormat
	// Malformed names a known algorithm but is not a valid hash of it (bad
	// base64, wrong field count, non-canonical number, ...). Django raises
	// on such a value at login; here it never verifies.
	ClassMalformed
	// ClassOverCeiling is a well-formed hash of a known algorithm whose cost
	// parameters are above the Set's Limits. It is never verified, since
	// verifying it is the denial of service the ceiling exists to prevent.
	ClassOverCeiling
)

// String names the class as reports and JSON output show it.
func (c Class) String() string {
	switch c {
	case ClassVerifiable:
		return "verifiable"
	case ClassUnusable:
		return "unusable"
	case ClassUnknownFormat:
		return "unknown-format"
	case ClassMalformed:
		return "malformed"
	case ClassOverCeiling:
		return "over-ceiling"
	}
	return "invalid-class"
}

// Classify reports what kind of stored value encoded is, and for every class
// but Verifiable and Unusable an error that says why (wrapping
// ErrUnknownAlgorithm, ErrMalformed or ErrTooCostly, as Validate's would,
// and never repeating the value). It only parses: it never hashes, never
// allocates in proportion to a cost parameter, and is cheap on any input.
//
// Validate accepts exactly ClassVerifiable and ClassUnusable. An importer that keeps
// other values (Django databases can hold all of them) stores them as they
// are: Check answers false for each, in the time of one preferred hash.
func (s *Set) Classify(encoded string) (Class, error) {
	err := s.Validate(encoded)
	switch {
	case err == nil && !IsUsable(encoded):
		return ClassUnusable, nil
	case err == nil:
		return ClassVerifiable, nil
	case errors.Is(err, ErrTooCostly):
		return ClassOverCeiling, err
	case errors.Is(err, ErrUnknownAlgorithm):
		return ClassUnknownFormat, err
	default:
		return ClassMalformed, err
	}
}
