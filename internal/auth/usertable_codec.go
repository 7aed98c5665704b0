package auth

import (
	"encoding/binary"
	"time"
)

// A user's encoding in an arena: its username first (uvarint length and
// bytes, so that sorting by username reads nothing else), then a uvarint
// of flags saying which fields follow, then those fields in the order of
// the flags: strings as uvarint length and bytes, lists as a uvarint count
// of strings, times as zig-zag seconds and nanoseconds, the position as
// uvarints. A field added here must be read by load and skipped by
// encodedLen (usertable_gather.go), which walks an encoding without
// decoding it; TestEncodedLen holds it to the encoder.
const (
	hasEmail = 1 << iota
	hasFirstName
	hasLastName
	hasActive
	isActive
	hasStaff
	isStaff
	hasSuperuser
	isSuperuser
	hasGroups
	hasPermissions
	hasPassword
	hasMissing
	hasJoined
	hasLogin
	hasWhere
	hasPath
	hasPos
	posJSON
	hasGiven
)

// userView is where load puts a user: the DocUser and what its pointers
// point to, reused from one load to the next.
type userView struct {
	d                    DocUser
	email, first, last   string
	active, staff, super bool
	groups, perms        []string
	pw                   Password
	joined, login        time.Time
	given                *string
	givenName            string
}

// givenUsername is the username of the user last loaded into v as the
// document gave it, before normalisation.
func (v *userView) givenUsername() string {
	if v.given != nil {
		return *v.given
	}
	return v.d.Username
}

func (t *UserTable) encode(d *DocUser) userEntry {
	return t.encodeGiven(d, nil)
}

// encodeGiven encodes d, with given (when not nil) as the username the
// document gave before normalisation.
func (t *UserTable) encodeGiven(d *DocUser, given *string) userEntry {
	var flags uint64
	set := func(ok bool, f uint64) {
		if ok {
			flags |= f
		}
	}
	set(d.Email != nil, hasEmail)
	set(d.FirstName != nil, hasFirstName)
	set(d.LastName != nil, hasLastName)
	set(d.IsActive != nil, hasActive)
	set(d.IsActive != nil && *d.IsActive, isActive)
	set(d.IsStaff != nil, hasStaff)
	set(d.IsStaff != nil && *d.IsStaff, isStaff)
	set(d.IsSuperuser != nil, hasSuperuser)
	set(d.IsSuperuser != nil && *d.IsSuperuser, isSuperuser)
	set(d.Groups != nil, hasGroups)
	set(d.Permissions != nil, hasPermissions)
	set(d.Password != nil, hasPassword)
	set(d.PasswordMissing != "", hasMissing)
	set(d.DateJoined != nil, hasJoined)
	set(d.LastLogin != nil, hasLogin)
	set(d.Where != "", hasWhere)
	set(d.Path != "", hasPath)
	set(d.Pos != DocPos{}, hasPos)
	set(d.Pos.JSON, posJSON)
	set(given != nil, hasGiven)

	b := t.scratch[:0]
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	list := func(l []string) {
		b = binary.AppendUvarint(b, uint64(len(l)))
		for _, s := range l {
			str(s)
		}
	}
	tm := func(v time.Time) {
		b = binary.AppendVarint(b, v.Unix())
		b = binary.AppendUvarint(b, uint64(v.Nanosecond()))
	}
	str(d.Username)
	b = binary.AppendUvarint(b, flags)
	if d.Email != nil {
		str(*d.Email)
	}
	if d.FirstName != nil {
		str(*d.FirstName)
	}
	if d.LastName != nil {
		str(*d.LastName)
	}
	if d.Groups != nil {
		list(*d.Groups)
	}
	if d.Permissions != nil {
		list(*d.Permissions)
	}
	if d.Password != nil {
		b = append(b, byte(d.Password.kind))
		str(d.Password.value)
	}
	if d.PasswordMissing != "" {
		str(d.PasswordMissing)
	}
	if d.DateJoined != nil {
		tm(*d.DateJoined)
	}
	if d.LastLogin != nil {
		tm(*d.LastLogin)
	}
	if d.Where != "" {
		str(d.Where)
	}
	if d.Path != "" {
		str(d.Path)
	}
	if d.Pos != (DocPos{}) {
		b = binary.AppendUvarint(b, uint64(t.fileIndex(d.Pos.File)))
		b = binary.AppendUvarint(b, uint64(d.Pos.Line))
		b = binary.AppendUvarint(b, uint64(d.Pos.Col))
		b = binary.AppendUvarint(b, uint64(d.Pos.Item))
	}
	if given != nil {
		str(*given)
	}
	t.scratch = b
	arena, off := t.reserve(len(b))
	t.arenas[arena] = append(t.arenas[arena], b...)
	return userEntry{arena: arena, off: off}
}

// load decodes user i into v and returns v's DocUser, valid until the
// next load into v. Its strings share the arena's memory.
func (t *UserTable) load(i int, v *userView) *DocUser {
	b := t.bytes(i)
	p := 0
	uv := func() uint64 {
		n, k := binary.Uvarint(b[p:])
		p += k
		return n
	}
	str := func() string {
		n := int(uv())
		s := t.str(b[p : p+n])
		p += n
		return s
	}
	list := func(l []string) []string {
		l = l[:0]
		for n := uv(); n > 0; n-- {
			l = append(l, str())
		}
		return l
	}
	tm := func() time.Time {
		sec, k := binary.Varint(b[p:])
		p += k
		return time.Unix(sec, int64(uv())).UTC()
	}
	v.d = DocUser{Username: str()}
	d := &v.d
	flags := uv()
	text := func(has uint64, dst *string, field **string) {
		if flags&has != 0 {
			*dst, *field = str(), dst
		}
	}
	flag := func(has, set uint64, dst *bool, field **bool) {
		if flags&has != 0 {
			*dst, *field = flags&set != 0, dst
		}
	}
	names := func(has uint64, dst *[]string, field **[]string) {
		if flags&has != 0 {
			*dst, *field = list(*dst), dst
		}
	}
	text(hasEmail, &v.email, &d.Email)
	text(hasFirstName, &v.first, &d.FirstName)
	text(hasLastName, &v.last, &d.LastName)
	flag(hasActive, isActive, &v.active, &d.IsActive)
	flag(hasStaff, isStaff, &v.staff, &d.IsStaff)
	flag(hasSuperuser, isSuperuser, &v.super, &d.IsSuperuser)
	names(hasGroups, &v.groups, &d.Groups)
	names(hasPermissions, &v.perms, &d.Permissions)
	if flags&hasPassword != 0 {
		kind := passwordKind(b[p])
		p++
		v.pw = Password{kind: kind, value: str()}
		d.Password = &v.pw
	}
	if flags&hasMissing != 0 {
		d.PasswordMissing = str()
	}
	when := func(has uint64, dst *time.Time, field **time.Time) {
		if flags&has != 0 {
			*dst, *field = tm(), dst
		}
	}
	when(hasJoined, &v.joined, &d.DateJoined)
	when(hasLogin, &v.login, &d.LastLogin)
	if flags&hasWhere != 0 {
		d.Where = str()
	}
	if flags&hasPath != 0 {
		d.Path = str()
	}
	if flags&hasPos != 0 {
		d.Pos.File = t.files[uv()]
		d.Pos.Line, d.Pos.Col, d.Pos.Item = uint32(uv()), uint32(uv()), uint32(uv())
		d.Pos.JSON = flags&posJSON != 0
	}
	v.given = nil
	if flags&hasGiven != 0 {
		v.givenName = str()
		v.given = &v.givenName
	}
	return d
}
