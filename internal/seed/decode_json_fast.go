package seed

import (
	"time"
	"unicode/utf8"
)

// fastJSONUser decodes the JSON object elem into u, as a json.Decoder with
// unknown fields disallowed would, for the plain objects seeding files
// are made of: keys spelled exactly as the format names them, each once;
// strings without escapes, control characters or invalid UTF-8; values of
// the key's own type, never null. It returns false for anything else, and
// u is then to be decoded by encoding/json, which also reports what is
// wrong. Reflection made encoding/json most of a large apply's decode.
func fastJSONUser(elem []byte, u *User) bool {
	p := jsonScanner{b: elem}
	if !p.byte('{') {
		return false
	}
	var seen uint32
	p.space()
	if p.peek() == '}' {
		p.i++
		return p.end()
	}
	for {
		p.space()
		key, ok := p.str()
		if !ok || !p.byte(':') {
			return false
		}
		f, known := userKey(key)
		if !known || seen&(1<<f) != 0 {
			return false
		}
		seen |= 1 << f
		p.space()
		if !p.userField(f, u) {
			return false
		}
		p.space()
		switch p.next() {
		case ',':
			continue
		case '}':
			return p.end()
		}
		return false
	}
}

// The keys of a user, as fastJSONUser knows them.
const (
	keyUsername = iota
	keyEmail
	keyFirstName
	keyLastName
	keyIsActive
	keyIsStaff
	keyIsSuperuser
	keyGroups
	keyUserPermissions
	keyPasswordEnv
	keyPasswordFile
	keyPasswordHash
	keyDateJoined
	keyLastLogin
)

// userKey is the field named by key, spelled exactly as the format does.
func userKey(key []byte) (int, bool) {
	switch string(key) {
	case "username":
		return keyUsername, true
	case "email":
		return keyEmail, true
	case "first_name":
		return keyFirstName, true
	case "last_name":
		return keyLastName, true
	case "is_active":
		return keyIsActive, true
	case "is_staff":
		return keyIsStaff, true
	case "is_superuser":
		return keyIsSuperuser, true
	case "groups":
		return keyGroups, true
	case "user_permissions":
		return keyUserPermissions, true
	case "password_env":
		return keyPasswordEnv, true
	case "password_file":
		return keyPasswordFile, true
	case "password_hash":
		return keyPasswordHash, true
	case "date_joined":
		return keyDateJoined, true
	case "last_login":
		return keyLastLogin, true
	}
	return 0, false
}

func (p *jsonScanner) userField(f int, u *User) bool {
	text := func(dst *string) bool {
		s, ok := p.str()
		*dst = string(s)
		return ok
	}
	ptr := func(dst **string) bool {
		var s string
		if !text(&s) {
			return false
		}
		*dst = &s
		return true
	}
	flag := func(dst **bool) bool {
		var v bool
		switch {
		case p.word("true"):
			v = true
		case p.word("false"):
		default:
			return false
		}
		*dst = &v
		return true
	}
	list := func(dst **[]string) bool {
		if !p.byte('[') {
			return false
		}
		l := []string{}
		p.space()
		if p.peek() == ']' {
			p.i++
			*dst = &l
			return true
		}
		for {
			p.space()
			s, ok := p.str()
			if !ok {
				return false
			}
			l = append(l, string(s))
			p.space()
			switch p.next() {
			case ',':
				continue
			case ']':
				*dst = &l
				return true
			}
			return false
		}
	}
	when := func(dst **time.Time) bool {
		start := p.i
		if _, ok := p.str(); !ok {
			return false
		}
		var t time.Time
		if t.UnmarshalJSON(p.b[start:p.i]) != nil {
			return false
		}
		*dst = &t
		return true
	}
	switch f {
	case keyUsername:
		return text(&u.Username)
	case keyEmail:
		return ptr(&u.Email)
	case keyFirstName:
		return ptr(&u.FirstName)
	case keyLastName:
		return ptr(&u.LastName)
	case keyIsActive:
		return flag(&u.IsActive)
	case keyIsStaff:
		return flag(&u.IsStaff)
	case keyIsSuperuser:
		return flag(&u.IsSuperuser)
	case keyGroups:
		return list(&u.Groups)
	case keyUserPermissions:
		return list(&u.UserPermissions)
	case keyPasswordEnv:
		return text(&u.PasswordEnv)
	case keyPasswordFile:
		return text(&u.PasswordFile)
	case keyPasswordHash:
		return text(&u.PasswordHash)
	case keyDateJoined:
		return when(&u.DateJoined)
	case keyLastLogin:
		return when(&u.LastLogin)
	}
	return false
}

// jsonScanner reads the plain JSON fastJSONUser accepts.
type jsonScanner struct {
	b []byte
	i int
}

func (p *jsonScanner) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonScanner) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *jsonScanner) next() byte {
	c := p.peek()
	p.i++
	return c
}

// byte reads c after any blanks.
func (p *jsonScanner) byte(c byte) bool {
	p.space()
	if p.peek() != c {
		return false
	}
	p.i++
	return true
}

func (p *jsonScanner) word(w string) bool {
	if len(p.b)-p.i < len(w) || string(p.b[p.i:p.i+len(w)]) != w {
		return false
	}
	p.i += len(w)
	return true
}

// str reads a string without escapes or control characters, in valid
// UTF-8, and returns its contents.
func (p *jsonScanner) str() ([]byte, bool) {
	if p.peek() != '"' {
		return nil, false
	}
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			s := p.b[start:j]
			p.i = j + 1
			return s, utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// end reports whether only blanks are left.
func (p *jsonScanner) end() bool {
	p.space()
	return p.i == len(p.b)
}
