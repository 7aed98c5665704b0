package ident

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Error is a validation failure. Code is Django's ValidationError code where
// Django has the rule ("blank", "invalid", "max_length").
type Error struct {
	Field   string // FieldUsername, FieldEmail, ... (see the constants)
	Code    string
	Message string
}

// Error returns Message.
func (e *Error) Error() string { return e.Message }

// Error.Field values.
const (
	FieldUsername       = "username"
	FieldEmail          = "email"
	FieldGroupName      = "group_name"
	FieldPermission     = "permission"
	FieldPermissionName = "permission_name"
	// ValidatePersonName uses the field name it is given ("first_name", ...).
)

// Error.Code values.
const (
	CodeBlank     = "blank"
	CodeInvalid   = "invalid"
	CodeMaxLength = "max_length"
)

// Maximum lengths, in code points, of Django's auth model fields.
const (
	UsernameMaxLength       = 150
	PersonNameMaxLength     = 150
	GroupNameMaxLength      = 150
	PermissionNameMaxLength = 255
)

const (
	msgBlank           = "This field cannot be blank."
	msgInvalidUsername = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
	msgNotUTF8         = "Enter valid UTF-8 text."
	msgGroupControl    = "Group names cannot contain control characters."
	msgControl         = "Names cannot contain control characters."
)

// isPySpace is Python's str.isspace(): Unicode White_Space plus U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// maxLength is Django's MaxLengthValidator on code points.
func maxLength(field, s string, limit int) error {
	n := utf8.RuneCountInString(s)
	if n <= limit {
		return nil
	}
	unit := "characters"
	if limit == 1 {
		unit = "character"
	}
	return &Error{Field: field, Code: CodeMaxLength,
		Message: fmt.Sprintf("Ensure this value has at most %d %s (it has %d).", limit, unit, n)}
}

// NormalizeUsername is Django's AbstractBaseUser.normalize_username: Unicode
// NFKC ("ｆｕｌｌ" → "full", "ﬁ" → "fi", "Ⅸ" → "IX", "x²" → "x2").
func NormalizeUsername(s string) string {
	return norm.NFKC.String(s)
}

// ValidateUsername validates NormalizeUsername(s), the value Django's
// create_user would store (see the package documentation for how this
// differs from validating the raw value): not blank, only Python \w
// characters (letters, digits, other numerics, underscore) and ".@+-", at
// most 150 code points. A trailing newline is invalid. When the value is both
// invalid and too long, the "invalid" error is returned (Django reports both,
// in that order).
func ValidateUsername(s string) error {
	n := NormalizeUsername(s)
	if n == "" {
		return &Error{Field: FieldUsername, Code: CodeBlank, Message: msgBlank}
	}
	for _, r := range n {
		if !isUsernameChar(r) {
			return &Error{Field: FieldUsername, Code: CodeInvalid, Message: msgInvalidUsername}
		}
	}
	return maxLength(FieldUsername, n, UsernameMaxLength)
}

// isUsernameChar matches [\w.@+-] for a str pattern: \w is underscore or
// Python isalnum(), i.e. general categories L* and N*.
func isUsernameChar(r rune) bool {
	return r == '_' || r == '.' || r == '@' || r == '+' || r == '-' ||
		unicode.IsLetter(r) || unicode.IsNumber(r)
}

// ValidateGroupName checks a group name: not blank, valid UTF-8, no control
// characters (category Cc), at most 150 code points (Django's Group.name).
func ValidateGroupName(s string) error {
	if s == "" {
		return &Error{Field: FieldGroupName, Code: CodeBlank, Message: msgBlank}
	}
	if !utf8.ValidString(s) {
		return &Error{Field: FieldGroupName, Code: CodeInvalid, Message: msgNotUTF8}
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return &Error{Field: FieldGroupName, Code: CodeInvalid, Message: msgGroupControl}
	}
	return maxLength(FieldGroupName, s, GroupNameMaxLength)
}

// ValidatePersonName checks a first or last name: blank is allowed, valid
// UTF-8, at most 150 code points. field ("first_name" or "last_name") is
// copied into the error.
func ValidatePersonName(field, s string) error {
	if !utf8.ValidString(s) {
		return &Error{Field: field, Code: CodeInvalid, Message: msgNotUTF8}
	}
	// Not Django's rule (its forms strip but keep them); control
	// characters in a name only ever serve to rewrite a terminal.
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return &Error{Field: field, Code: CodeInvalid, Message: msgControl}
	}
	return maxLength(field, s, PersonNameMaxLength)
}

// ParsePerm splits a permission string "app_label.codename". The app label
// is a lower-case ASCII letter followed by [a-z0-9_]*, the codename is
// [a-z0-9_]+, and there is exactly one dot.
func ParsePerm(s string) (app, codename string, err error) {
	app, codename, ok := strings.Cut(s, ".")
	if !ok || !isPermWord(app) || !isPermWord(codename) || !(app[0] >= 'a' && app[0] <= 'z') {
		return "", "", &Error{Field: FieldPermission, Code: CodeInvalid, Message: fmt.Sprintf(
			"invalid permission %q: expected app_label.codename (lower-case letters, digits and _; the app label starts with a letter)", s)}
	}
	return app, codename, nil
}

// isPermWord matches [a-z0-9_]+ (which also rules out a second dot).
func isPermWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// ValidatePermName checks a permission's human-readable name: not blank,
// valid UTF-8, at most 255 code points (Django's Permission.name).
func ValidatePermName(s string) error {
	if s == "" {
		return &Error{Field: FieldPermissionName, Code: CodeBlank, Message: msgBlank}
	}
	if !utf8.ValidString(s) {
		return &Error{Field: FieldPermissionName, Code: CodeInvalid, Message: msgNotUTF8}
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return &Error{Field: FieldPermissionName, Code: CodeInvalid, Message: msgControl}
	}
	return maxLength(FieldPermissionName, s, PermissionNameMaxLength)
}

// DefaultPermName is a readable default name for a new permission:
// "eat_ice_cream" → "Can eat ice cream" (underscores become spaces).
func DefaultPermName(codename string) string {
	return "Can " + strings.ReplaceAll(codename, "_", " ")
}
