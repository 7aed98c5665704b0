package validate

import (
	"fmt"
	"unicode/utf8"
)

// Canonical validator names, as used in configuration files.
const (
	NameUserAttributeSimilarity = "user_attribute_similarity"
	NameMinimumLength           = "minimum_length"
	NameCommonPassword          = "common_password"
	NameNumericPassword         = "numeric_password"
)

// Failure codes, identical to Django's ValidationError codes.
const (
	CodeTooSimilar      = "password_too_similar"
	CodeTooShort        = "password_too_short"
	CodeTooCommon       = "password_too_common"
	CodeEntirelyNumeric = "password_entirely_numeric"
)

// Django's option defaults.
const (
	DefaultMinLength     = 8
	DefaultMaxSimilarity = 0.7
)

// DefaultUserAttributes is Django's UserAttributeSimilarityValidator default
// (New copies it).
var DefaultUserAttributes = []string{"username", "first_name", "last_name", "email"}

// userAttribute is an attribute the similarity check understands: the
// verbose name Django's User model gives the field, and its value.
type userAttribute struct {
	verbose string
	get     func(*User) string
}

// userAttributes lists the attributes the similarity check understands. A
// slice, not a map: a package-level map is built when every authctl process
// starts, a slice of constants is laid out by the linker.
var userAttributes = []struct {
	name string
	userAttribute
}{
	{"username", userAttribute{"username", func(u *User) string { return u.Username }}},
	{"first_name", userAttribute{"first name", func(u *User) string { return u.FirstName }}},
	{"last_name", userAttribute{"last name", func(u *User) string { return u.LastName }}},
	{"email", userAttribute{"email address", func(u *User) string { return u.Email }}},
}

// lookupUserAttribute is the attribute called name, if the similarity check
// understands it.
func lookupUserAttribute(name string) (userAttribute, bool) {
	for _, a := range userAttributes {
		if a.name == name {
			return a.userAttribute, true
		}
	}
	return userAttribute{}, false
}

// ---- MinimumLengthValidator ------------------------------------------------

type minimumLength struct{ min int }

func (v *minimumLength) Name() string { return NameMinimumLength }

func (v *minimumLength) Validate(password string, _ *User) *Failure {
	if utf8.RuneCountInString(password) >= v.min {
		return nil
	}
	return &Failure{
		Code: CodeTooShort,
		Message: fmt.Sprintf("This password is too short. It must contain at least %d %s.",
			v.min, plural(v.min, "character", "characters")),
	}
}

func (v *minimumLength) HelpText() string {
	return fmt.Sprintf("Your password must contain at least %d %s.",
		v.min, plural(v.min, "character", "characters"))
}

// plural is English ngettext: the singular form only for exactly 1.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ---- UserAttributeSimilarityValidator --------------------------------------

type userAttributeSimilarity struct {
	attributes    []string
	maxSimilarity float64
}

func (v *userAttributeSimilarity) Name() string { return NameUserAttributeSimilarity }

func (v *userAttributeSimilarity) Validate(password string, user *User) *Failure {
	if user == nil {
		return nil
	}
	pw := pyLower(password)
	pwLen := utf8.RuneCountInString(pw)
	var pwCounts *runeCounts // computed on first need
	for _, name := range v.attributes {
		attr, ok := lookupUserAttribute(name)
		if !ok {
			continue // New rejects these; kept for robustness
		}
		value := attr.get(user)
		if value == "" {
			continue
		}
		lower := pyLower(value)
		parts := append(splitNonWord(lower), lower)
		for _, part := range parts {
			if exceedsMaximumLengthRatio(pwLen, v.maxSimilarity, utf8.RuneCountInString(part)) {
				continue
			}
			if pwCounts == nil {
				pwCounts = countRunes(pw)
			}
			if quickRatio(pwCounts, part) >= v.maxSimilarity {
				return &Failure{
					Code:    CodeTooSimilar,
					Message: "The password is too similar to the " + attr.verbose + ".",
				}
			}
		}
	}
	return nil
}

func (v *userAttributeSimilarity) HelpText() string {
	return "Your password can\u2019t be too similar to your other personal information."
}

// exceedsMaximumLengthRatio is Django's shortcut (CVE-2021-45115): when it
// holds, quick_ratio is provably below max_similarity, so the part is skipped.
func exceedsMaximumLengthRatio(pwLen int, maxSimilarity float64, valueLen int) bool {
	lengthBoundSimilarity := maxSimilarity / 2 * float64(pwLen)
	return pwLen >= 10*valueLen && float64(valueLen) < lengthBoundSimilarity
}

// ---- CommonPasswordValidator -----------------------------------------------

type commonPassword struct {
	custom passwordSet // nil: the embedded Django list, loaded lazily
}

func (v *commonPassword) Name() string { return NameCommonPassword }

func (v *commonPassword) Validate(password string, _ *User) *Failure {
	set := v.custom
	if set == nil {
		set = defaultPasswords()
	}
	if _, ok := set[pyStrip(pyLower(password))]; ok {
		return &Failure{Code: CodeTooCommon, Message: "This password is too common."}
	}
	return nil
}

func (v *commonPassword) HelpText() string {
	return "Your password can\u2019t be a commonly used password."
}

// ---- NumericPasswordValidator ----------------------------------------------

type numericPassword struct{}

func (numericPassword) Name() string { return NameNumericPassword }

func (numericPassword) Validate(password string, _ *User) *Failure {
	if pyIsDigit(password) {
		return &Failure{Code: CodeEntirelyNumeric, Message: "This password is entirely numeric."}
	}
	return nil
}

func (numericPassword) HelpText() string {
	return "Your password can\u2019t be entirely numeric."
}
