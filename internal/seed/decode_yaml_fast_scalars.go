package seed

import (
	"bytes"
	"time"
	"unicode/utf8"
)

// The scalars fastYAMLUsers reads, each exactly as yaml.v3 would decode
// it into its field, or not at all.

// yamlString reads v, the rest of a line, as one scalar that yaml.v3
// decodes into a string as it is written: plain, or quoted without
// escapes.
func yamlString(v []byte) ([]byte, bool) {
	if len(v) > 0 && (v[0] == '\'' || v[0] == '"') {
		s, rest, ok := yamlQuoted(v)
		return s, ok && len(bytes.TrimLeft(rest, " ")) == 0
	}
	s := bytes.TrimRight(v, " ")
	return s, yamlPlainString(s, false)
}

// yamlQuoted reads a single- or double-quoted scalar at the start of v
// that has no escape (no doubled single quote, no backslash) and returns its contents and
// what follows it.
func yamlQuoted(v []byte) (s, rest []byte, ok bool) {
	q := v[0]
	end := bytes.IndexByte(v[1:], q)
	if end < 0 {
		return nil, nil, false
	}
	s, rest = v[1:1+end], v[2+end:]
	if q == '"' && bytes.IndexByte(s, '\\') >= 0 || q == '\'' && len(rest) > 0 && rest[0] == '\'' {
		return nil, nil, false
	}
	return s, rest, true
}

// yamlPlainString says whether s, a plain scalar without its surrounding
// blanks, is one that yaml.v3 reads as written and resolves to a string:
// it starts with no indicator, sign, digit or dot, is not a word YAML
// resolves (null, true, ...), and holds no ": ", " #" or final ":" (in a
// flow list, no flow indicator, '?', ':' or '#' at all).
func yamlPlainString(s []byte, flow bool) bool {
	if len(s) == 0 || !yamlPlainFirst(s[0]) {
		return false
	}
	switch string(s) {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return false
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			if flow || i+1 == len(s) || s[i+1] == ' ' {
				return false
			}
		case '#':
			if flow || s[i-1] == ' ' {
				return false
			}
		case ',', '?', '[', ']', '{', '}', '\'', '"':
			// yaml.v3 ends a plain scalar in a flow list at each of these
			// ('?' too: "[a?b]" is not valid YAML to it).
			if flow {
				return false
			}
		}
	}
	return true
}

// yamlPlainFirst says whether a plain string scalar may start with c here:
// none of YAML's indicators, nor what starts a number, a time or "<<".
func yamlPlainFirst(c byte) bool {
	switch c {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '+', '.', '<', '=', '~':
		return false
	}
	return c > ' ' && (c < '0' || c > '9')
}

// yamlBool reads the plain words yaml.v3 decodes into a bool.
func yamlBool(v []byte) (bool, bool) {
	switch string(bytes.TrimRight(v, " ")) {
	case "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
		return true, true
	case "false", "False", "FALSE", "n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return false, true
	}
	return false, false
}

// yamlTime reads a plain timestamp as yaml.v3 resolves it (its
// parseTimestamp: a year of four digits and "-", then the first of its
// layouts that parses).
func yamlTime(v []byte) (time.Time, bool) {
	s := string(bytes.TrimRight(v, " "))
	if len(s) < 5 || s[4] != '-' {
		return time.Time{}, false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ':' && (i+1 == len(s) || s[i+1] == ' '), s[i] == '#' && s[i-1] == ' ':
			return time.Time{}, false
		}
	}
	for _, layout := range yamlTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// yamlTimeLayouts are yaml.v3's timestamp layouts, in its order.
var yamlTimeLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// yamlPlainText says whether b holds only what fastYAMLUsers reads:
// printable ASCII, line breaks ("\n", or "\r\n"), and UTF-8 characters
// that YAML reads as text (no tab, no control character, no break but
// "\n", no byte order mark).
func yamlPlainText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c >= 0x20 && c < 0x7f || c == '\n':
			i++
			continue
		case c == '\r':
			if i+1 == len(b) || b[i+1] != '\n' {
				return false
			}
			i++
			continue
		case c < 0x80:
			return false
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff ||
			r > 0xd7ff && r < 0xe000 || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}
