package ident

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"authctl/internal/auth/pycase"
)

// EmailMaxLength is the max_length of Django's User.email (EmailField).
const EmailMaxLength = 254

const msgInvalidEmail = "Enter a valid email address."

// NormalizeEmail is Django's BaseUserManager.normalize_email: strip the value
// (Python strip()), split it at the last "@" and lower-case the domain part
// (Python lower()). Without an "@" the original, unstripped value is returned.
func NormalizeEmail(s string) string {
	stripped := strings.TrimFunc(s, isPySpace)
	at := strings.LastIndexByte(stripped, '@')
	if at < 0 {
		return s
	}
	domain := stripped[at+1:]
	lower := pycase.Lower(domain) // an ASCII domain without capitals comes back as it is
	if lower == domain {
		return stripped // the common case: nothing to lower, nothing to allocate
	}
	return stripped[:at+1] + lower
}

// ValidateEmail is the clean() of Django 3.2's User.email model field:
// the empty string is valid (the field may be blank); otherwise
// EmailValidator runs, then the 254-character limit. As in Django the value
// is checked as given (no trimming, no normalisation). When both rules fail,
// the EmailValidator error is returned (Django reports both, in that order).
func ValidateEmail(s string) error {
	if s == "" {
		return nil
	}
	if !validEmail(s) {
		return &Error{Field: FieldEmail, Code: CodeInvalid, Message: msgInvalidEmail}
	}
	return maxLength(FieldEmail, s, EmailMaxLength)
}

// validEmail is django.core.validators.EmailValidator.__call__ (3.2.25).
func validEmail(value string) bool {
	if value == "" || utf8.RuneCountInString(value) > 320 {
		return false
	}
	at := strings.LastIndexByte(value, '@')
	if at < 0 {
		return false
	}
	user, domain := value[:at], value[at+1:]
	if !validEmailUser(user) {
		return false
	}
	if domain == "localhost" || validDomainPart(domain) { // domain_allowlist
		return true
	}
	if isASCII(domain) {
		return false // punycode() would not change it
	}
	ace, err := idnaEncode(domain)
	return err == nil && validDomainPart(ace)
}

// reFoldsToASCIILetter reports the four non-ASCII code points that Python's
// re module, with IGNORECASE, matches against [A-Z] / [a-z]:
// İ (U+0130), ı (U+0131), ſ (U+017F) and the Kelvin sign (U+212A).
// Django's regexes therefore accept them wherever they accept a letter.
func reFoldsToASCIILetter(r rune) bool {
	return r == 0x130 || r == 0x131 || r == 0x17f || r == 0x212a
}

func isAlnumRe(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || reFoldsToASCIILetter(r)
}

// isAtext matches [-!#$%&'*+/=?^_`{}|~0-9A-Z] with re.IGNORECASE.
func isAtext(r rune) bool {
	return isAlnumRe(r) || strings.ContainsRune("-!#$%&'*+/=?^_`{}|~", r)
}

// isQtext matches [\001-\010\013\014\016-\037!#-\[\]-\177] with IGNORECASE.
func isQtext(r rune) bool {
	switch {
	case r == 0 || r == '\t' || r == '\n' || r == '\r' || r == ' ' || r == '"' || r == '\\':
		return false
	case r < 0x80:
		return true
	}
	return reFoldsToASCIILetter(r)
}

// isQuotedPairChar matches [\001-\011\013\014\016-\177] with IGNORECASE.
func isQuotedPairChar(r rune) bool {
	if r < 0x80 {
		return r != 0 && r != '\n' && r != '\r'
	}
	return reFoldsToASCIILetter(r)
}

// validEmailUser is EmailValidator.user_regex: a dot-atom or a quoted string.
func validEmailUser(u string) bool {
	if len(u) >= 2 && u[0] == '"' && u[len(u)-1] == '"' {
		inner := []rune(u[1 : len(u)-1])
		ok := true
		for i := 0; i < len(inner) && ok; i++ {
			if inner[i] == '\\' {
				i++
				ok = i < len(inner) && isQuotedPairChar(inner[i])
			} else {
				ok = isQtext(inner[i])
			}
		}
		if ok {
			return true
		}
	}
	for _, atom := range strings.Split(u, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !isAtext(r) {
				return false
			}
		}
	}
	return true
}

// validDomainPart is EmailValidator.validate_domain_part: domain_regex, or a
// bracketed IPv4/IPv6 literal.
func validDomainPart(d string) bool {
	if validDomainName(d) {
		return true
	}
	if len(d) < 3 || d[0] != '[' || d[len(d)-1] != ']' {
		return false
	}
	return validIPLiteral(d[1 : len(d)-1])
}

// validDomainName is
// ((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))\Z
// with re.IGNORECASE: one or more labels, then a final part of 2-63
// letters, digits or hyphens that does not end with a hyphen (it may start
// with one, and may be all digits).
func validDomainName(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for i, l := range labels {
		rs := []rune(l)
		n := len(rs)
		last := i == len(labels)-1
		if last && (n < 2 || n > 63 || rs[n-1] == '-') || !last && (n < 1 || n > 63) {
			return false
		}
		for j, r := range rs {
			if !isAlnumRe(r) && (r != '-' || !last && (j == 0 || j == n-1)) {
				return false
			}
		}
	}
	return true
}

// validIPLiteral is validate_ipv46_address on the text between brackets.
// Python's ipaddress accepts no zone ("%") here and no leading zeros in an
// IPv4 octet; Django limits IPv6 text to 39 characters.
func validIPLiteral(s string) bool {
	if strings.ContainsRune(s, '%') {
		return false
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	return addr.Is4() || len(s) <= 39
}
