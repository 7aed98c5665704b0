package seed

import (
	"bytes"
	"strings"
	"time"
)

// yamlFastPath says whether decodeYAMLBatch tries fastYAMLUsers before
// building a node tree (a variable so that a benchmark and a test can
// decode through the node path alone).
var yamlFastPath = true

// fastYAMLUsers decodes one batch of a split users section (planYAMLSplit:
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
//
// What a user's pointer fields point to is put in boxes[i] for users[i]
// (boxes may be nil: then they are made), which the caller may use again
// once the users are converted (addUsers copies what they point to).
func fastYAMLUsers(batch []byte, indent, firstLine int, users []User, lines []pos, boxes []yamlUserBox) bool {
	if !yamlPlainText(batch) {
		return false
	}
	if len(boxes) < len(users) {
		boxes = make([]yamlUserBox, len(users))
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
		u, box := &users[n], &boxes[n]
		lines[n], *box = pos{line: r.line}, yamlUserBox{}
		var seen uint32
		for {
			if !r.field(k, u, &seen, box) {
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
// costs no allocation for them (its worker's boxes are used again for
// each batch), rather than one for each.
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
func (r *yamlLines) field(k int, u *User, seen *uint32, b *yamlUserBox) bool {
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
