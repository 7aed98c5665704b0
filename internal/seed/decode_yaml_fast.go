package seed

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// yamlFastPath says whether decodeYAMLBatch tries fastYAMLUsers before
// building a node tree (a variable so that the benchmark can measure the
// node path alone).
var yamlFastPath = true

// fastYAMLUsers decodes one batch of a split users section (splitYAMLUsers:
// len(users) items at the column indent, the first on line firstLine of the
// file) into users and lines, as the node path would, without building a
// node tree. It reads only the plain shape seeding files are made of —
// what export writes and what generated files look like: block mappings,
// one item after another at indent, keys spelled exactly as the format
// names them, each once; lists as flow sequences on one line or block
// sequences of scalars; empty lines between lines:
//
//	users:
//	  - username: alice
//	    groups: [a, b]
//	    user_permissions:
//	      - blog.add_post
//
// Strings are plain scalars that YAML resolves to a string (not null, a
// bool, a number or a time; nothing that starts with an indicator; no
// ": " or " #"), or quoted on one line without escapes; bools are the
// plain words yaml.v3 decodes into a bool; times are plain timestamps, as
// yaml.v3 resolves them. It returns false for anything else — comments,
// anchors, aliases, tags, merge keys, multi-line or block scalars,
// escapes, tabs, unknown or repeated keys, a value of another type, a
// missing value — and the batch then goes through the node path, which
// decides; users may then hold part of what was read, and are to be
// cleared. What it accepts the node path decodes to the same users and
// lines, with no problem (FuzzFastYAMLUsers).
func fastYAMLUsers(batch []byte, indent, firstLine int, users []User, lines []pos) bool {
	if !yamlPlainText(batch) {
		return false
	}
	r := yamlLines{s: batch, line: firstLine - 1}
	r.advance()
	n := 0
	for r.has {
		if r.col != indent || n == len(users) || !r.dashAt(indent) {
			return false
		}
		k := indent + 1
		for k < len(r.text) && r.text[k] == ' ' {
			k++
		}
		if k == indent+1 || k == len(r.text) {
			return false
		}
		u := &users[n]
		lines[n] = pos{line: r.line}
		var (
			seen uint32
			box  *yamlUserBox
		)
		for {
			if !r.field(k, u, &seen, &box) {
				return false
			}
			if r.bad {
				return false
			}
			if !r.has || r.col != k {
				break
			}
		}
		n++
	}
	return !r.bad && n == len(users)
}

// yamlUserBox holds what a user's pointer fields point to, so that a user
// costs one allocation for them rather than one for each.
type yamlUserBox struct {
	email, first, last   string
	active, staff, super bool
	groups, perms        []string
	joined, login        time.Time
}

// yamlLines walks a batch line by line; the current line is text, at
// column col, line number line in the file.
type yamlLines struct {
	s    []byte
	off  int // where the next line starts
	line int
	text []byte // the current line without its line break
	col  int
	has  bool // text is a line; false at the end
	bad  bool // a line of spaces alone: refused
	// kept holds the strings read so far, one after another: a user's
	// strings are parts of it rather than one allocation each, and
	// nothing else of the batch (keys, indentation) is kept with them.
	kept strings.Builder
}

// keep returns b as a string, in r.kept; a full builder is left to the
// strings made from it, and another one started.
func (r *yamlLines) keep(b []byte) string {
	if r.kept.Cap()-r.kept.Len() < len(b) {
		r.kept = strings.Builder{}
		r.kept.Grow(max(len(b), yamlKeptBlock))
	}
	start := r.kept.Len()
	r.kept.Write(b)
	return r.kept.String()[start:]
}

// yamlKeptBlock is the size of yamlLines.kept's buffers.
const yamlKeptBlock = 16 << 10

// advance moves to the next line that is not empty.
func (r *yamlLines) advance() {
	for r.off < len(r.s) {
		end := bytes.IndexByte(r.s[r.off:], '\n')
		next := len(r.s)
		if end >= 0 {
			end += r.off
			next = end + 1
		} else {
			end = len(r.s)
		}
		t := r.s[r.off:end]
		if len(t) > 0 && t[len(t)-1] == '\r' {
			t = t[:len(t)-1]
		}
		r.off = next
		r.line++
		if len(t) == 0 {
			continue
		}
		col := 0
		for col < len(t) && t[col] == ' ' {
			col++
		}
		if col == len(t) {
			r.bad, r.has = true, false
			return
		}
		r.text, r.col, r.has = t, col, true
		return
	}
	r.has = false
}

// dashAt says whether the current line has "- " at column col.
func (r *yamlLines) dashAt(col int) bool {
	return col+1 < len(r.text) && r.text[col] == '-' && r.text[col+1] == ' '
}

// field reads "key: value" at column k of the current line (and, for a
// block list, the lines of its entries) into u, and moves to the line
// after it.
func (r *yamlLines) field(k int, u *User, seen *uint32, box **yamlUserBox) bool {
	t := r.text
	j := k
	for j < len(t) && (t[j] >= 'a' && t[j] <= 'z' || t[j] == '_') {
		j++
	}
	if j == len(t) || t[j] != ':' {
		return false
	}
	f, known := userKey(t[k:j])
	if !known || *seen&(1<<f) != 0 {
		return false
	}
	*seen |= 1 << f
	rest := t[j+1:]
	if *box == nil && f != keyUsername && f != keyPasswordEnv && f != keyPasswordFile && f != keyPasswordHash {
		*box = new(yamlUserBox)
	}
	b := *box
	if len(bytes.TrimRight(rest, " ")) == 0 {
		// Only a list may have its value on the lines below.
		switch f {
		case keyGroups:
			return r.blockList(k, &b.groups, &u.Groups)
		case keyUserPermissions:
			return r.blockList(k, &b.perms, &u.UserPermissions)
		}
		return false
	}
	if rest[0] != ' ' {
		return false
	}
	v := bytes.TrimLeft(rest, " ")
	ok := false
	text := func(dst *string) {
		var s []byte
		if s, ok = yamlString(v); ok {
			*dst = r.keep(s)
		}
	}
	switch f {
	case keyUsername:
		text(&u.Username)
	case keyPasswordEnv:
		text(&u.PasswordEnv)
	case keyPasswordFile:
		text(&u.PasswordFile)
	case keyPasswordHash:
		text(&u.PasswordHash)
	case keyEmail:
		text(&b.email)
		u.Email = &b.email
	case keyFirstName:
		text(&b.first)
		u.FirstName = &b.first
	case keyLastName:
		text(&b.last)
		u.LastName = &b.last
	case keyIsActive:
		b.active, ok = yamlBool(v)
		u.IsActive = &b.active
	case keyIsStaff:
		b.staff, ok = yamlBool(v)
		u.IsStaff = &b.staff
	case keyIsSuperuser:
		b.super, ok = yamlBool(v)
		u.IsSuperuser = &b.super
	case keyGroups:
		b.groups, ok = r.flowList(v)
		u.Groups = &b.groups
	case keyUserPermissions:
		b.perms, ok = r.flowList(v)
		u.UserPermissions = &b.perms
	case keyDateJoined:
		b.joined, ok = yamlTime(v)
		u.DateJoined = &b.joined
	case keyLastLogin:
		b.login, ok = yamlTime(v)
		u.LastLogin = &b.login
	}
	r.advance()
	return ok
}

// blockList reads the entries "- value" below a list's key at column k,
// all at one column, not left of the key's, and moves past them.
func (r *yamlLines) blockList(k int, l *[]string, dst **[]string) bool {
	r.advance()
	if !r.has || r.col < k || !r.dashAt(r.col) {
		return false
	}
	c := r.col
	list := []string{}
	for r.has && r.col == c && r.dashAt(c) {
		s, ok := yamlString(bytes.TrimLeft(r.text[c+2:], " "))
		if !ok {
			return false
		}
		list = append(list, r.keep(s))
		r.advance()
	}
	*l = list
	*dst = l
	return true
}

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
// flow list, no flow indicator, ':' or '#' at all).
func yamlPlainString(s []byte, flow bool) bool {
	if len(s) == 0 || !yamlPlainFirst[s[0]] {
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
		case ',', '[', ']', '{', '}', '\'', '"':
			if flow {
				return false
			}
		}
	}
	return true
}

// yamlPlainFirst marks the bytes a plain string scalar may start with here:
// none of YAML's indicators, nor what starts a number, a time or "<<".
var yamlPlainFirst = func() (t [256]bool) {
	for c := 0x21; c < 256; c++ {
		t[c] = true
	}
	for _, c := range []byte("-?:,[]{}#&*!|>'\"%@`+.0123456789<=~") {
		t[c] = false
	}
	return t
}()

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

// flowList reads "[a, b]", the rest of a line, of plain or quoted
// strings.
func (r *yamlLines) flowList(v []byte) ([]string, bool) {
	v = bytes.TrimRight(v, " ")
	if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' {
		return nil, false
	}
	v = bytes.TrimLeft(v[1:len(v)-1], " ")
	list := []string{}
	if len(v) == 0 {
		return list, true
	}
	for {
		var s []byte
		if v[0] == '\'' || v[0] == '"' {
			var ok bool
			if s, v, ok = yamlQuoted(v); !ok {
				return nil, false
			}
			v = bytes.TrimLeft(v, " ")
		} else {
			end := bytes.IndexAny(v, ",]")
			if end < 0 {
				end = len(v)
			}
			s, v = bytes.TrimRight(v[:end], " "), v[end:]
			if !yamlPlainString(s, true) {
				return nil, false
			}
		}
		list = append(list, r.keep(s))
		if len(v) == 0 {
			return list, true
		}
		if v[0] != ',' {
			return nil, false
		}
		v = bytes.TrimLeft(v[1:], " ")
		if len(v) == 0 {
			return nil, false // a trailing comma
		}
	}
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
