package jsonenc

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// String appends s as a JSON string, escaped as encoding/json does with
// SetEscapeHTML(false): quotes, backslashes and control characters are
// escaped, invalid UTF-8 becomes U+FFFD, and U+2028 and U+2029 are escaped
// (JavaScript would read them as line ends).
func String(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Strings appends a list of strings: null for a nil slice, as
// encoding/json writes it.
func Strings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, s)
	}
	return append(b, ']')
}

// Bool appends true or false.
func Bool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// Time appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, quoted). A time that MarshalJSON refuses (a year outside
// 0–9999, a zone offset of 24 hours or more) returns MarshalJSON's error,
// as encoding/json would, and leaves b as it was.
func Time(b []byte, t time.Time) ([]byte, error) {
	n0 := len(b)
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	// The same checks as MarshalJSON's (time.appendStrictRFC3339).
	bad := b[n0+1+len("9999")] != '-'
	if !bad && b[len(b)-1] != 'Z' {
		c := b[len(b)-len("Z07:00")]
		hh := 10*int(b[len(b)-5]-'0') + int(b[len(b)-4]-'0')
		bad = ('0' <= c && c <= '9') || hh >= 24
	}
	if bad {
		return b[:n0], timeError(t)
	}
	return append(b, '"'), nil
}

// TimePtr appends *t, or null for nil.
func TimePtr(b []byte, t *time.Time) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	return Time(b, *t)
}

// timeError is the error encoding/json returns for t.
func timeError(t time.Time) error {
	_, err := json.Marshal(t)
	if err == nil {
		// Unreachable while the checks above match MarshalJSON's; kept
		// so that a mismatch is an error, never a different output.
		return &json.UnsupportedValueError{Str: t.String()}
	}
	return err
}
