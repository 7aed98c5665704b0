package bolt

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"authctl/internal/store"
)

// encodeRecord and decodeRecord are the one place that knows how a record
// is stored in its bucket's value. decodeRecord must return an error, never
// panic, whatever bytes a damaged file holds (FuzzDecodeRecords).
//
// Users and audit records, the records there are most of, use compact
// binary encodings (userCodecVersion, below, and auditCodecVersion in
// codec_audit.go); the other records are JSON. A user or an audit record
// written as JSON by an earlier release still decodes: JSON starts with
// '{', a binary encoding with its version byte.
func encodeRecord(rec any) ([]byte, error) {
	switch r := rec.(type) {
	case *store.User:
		return appendUser(make([]byte, 0, userSize(r)), r), nil
	case *store.AuditRecord:
		return encodeAuditRecord(r), nil
	}
	return json.Marshal(rec)
}

func decodeRecord[T any](v []byte, rec *T) error {
	if len(v) > 0 {
		switch r := any(rec).(type) {
		case *store.User:
			if v[0] == userCodecVersion {
				return decodeUser(v, r)
			}
		case *store.AuditRecord:
			if v[0] == auditCodecVersion {
				return decodeAuditRecord(v, r)
			}
		}
	}
	return json.Unmarshal(v, rec)
}

// userCodecVersion is the first byte of a binary user record:
//
//	version byte (0x02)
//	flags byte: 1 active, 2 staff, 4 superuser, 8 managed, 16 has last_login,
//	32 groups is a list (not nil), 64 permissions is a list
//	username, email, first_name, last_name, password: uvarint length ‖ bytes
//	date_joined: time; last_login: time, if flag 16
//	groups, permissions: uvarint count, then each as a string
//
// A time is a zigzag varint of Unix seconds and a uvarint of nanoseconds.
const userCodecVersion = 0x02

const (
	flagActive = 1 << iota
	flagStaff
	flagSuperuser
	flagManaged
	flagLastLogin
	// flagGroupsList and flagPermsList mark an empty but non-nil list,
	// which JSON kept apart from a nil one (and callers compare).
	flagGroupsList
	flagPermsList
)

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// userSize is at least the length of u's encoding, so that appendUser
// writes it into one allocation.
func userSize(u *store.User) int {
	n := 2 + 2*(2*binary.MaxVarintLen64) + 2*binary.MaxVarintLen64
	for _, s := range []string{u.Username, u.Email, u.FirstName, u.LastName, u.Password} {
		n += binary.MaxVarintLen64 + len(s)
	}
	for _, list := range [][]string{u.Groups, u.Permissions} {
		for _, s := range list {
			n += binary.MaxVarintLen64 + len(s)
		}
	}
	return n
}

func appendUser(b []byte, u *store.User) []byte {
	var flags byte
	for _, f := range []struct {
		on  bool
		bit byte
	}{{u.IsActive, flagActive}, {u.IsStaff, flagStaff}, {u.IsSuperuser, flagSuperuser}, {u.Managed, flagManaged}, {u.LastLogin != nil, flagLastLogin},
		{u.Groups != nil, flagGroupsList}, {u.Permissions != nil, flagPermsList}} {
		if f.on {
			flags |= f.bit
		}
	}
	b = append(b, userCodecVersion, flags)
	for _, s := range []string{u.Username, u.Email, u.FirstName, u.LastName, u.Password} {
		b = appendString(b, s)
	}
	b = appendTime(b, u.DateJoined)
	if u.LastLogin != nil {
		b = appendTime(b, *u.LastLogin)
	}
	for _, list := range [][]string{u.Groups, u.Permissions} {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, s := range list {
			b = appendString(b, s)
		}
	}
	return b
}

var errShort = errors.New("binary user record is truncated")

// reader decodes the binary encoding, remembering the first error. Its
// strings are substrings of s, one copy of the whole record made once:
// decoding a user costs one allocation for its text, not one per field
// (the listing paths decode a million users). A record is small, so a
// field kept alone keeps at most a few hundred bytes alive.
type reader struct {
	s   string
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		c := r.s[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // overflows 64 bits, as binary.Uvarint refuses
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.s = r.s[i+1:]
			return v
		}
	}
	r.err = errShort
	return 0
}

func (r *reader) varint() int64 {
	ux := r.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.s)) {
		r.err = errShort
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *reader) time() time.Time {
	sec, nsec := r.varint(), r.uvarint()
	if r.err == nil && nsec >= 1e9 {
		r.err = fmt.Errorf("binary user record: %d nanoseconds", nsec)
	}
	if r.err != nil {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// count reads a list's length. Each string takes at least one byte: a
// count beyond that is damage, not a reason to allocate.
func (r *reader) count() int {
	n := r.uvarint()
	if r.err == nil && (n > uint64(len(r.s)) || n > math.MaxInt32) {
		r.err = errShort
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}

// strings reads n strings into list, which has room for them.
func (r *reader) strings(list []string, n int) []string {
	for range n {
		list = append(list, r.string())
	}
	return list
}

func decodeUser(v []byte, u *store.User) error {
	if len(v) < 2 {
		return errShort
	}
	flags := v[1]
	r := &reader{s: string(v[2:])}
	*u = store.User{
		IsActive:    flags&flagActive != 0,
		IsStaff:     flags&flagStaff != 0,
		IsSuperuser: flags&flagSuperuser != 0,
		Managed:     flags&flagManaged != 0,
	}
	u.Username, u.Email, u.FirstName, u.LastName, u.Password = r.string(), r.string(), r.string(), r.string(), r.string()
	u.DateJoined = r.time()
	if flags&flagLastLogin != 0 {
		t := r.time()
		u.LastLogin = &t
	}
	// Groups and permissions share one backing array, counted ahead;
	// each list has its own capacity, so that appending to one cannot
	// overwrite the other.
	ng := r.count()
	ahead := *r
	for range ng {
		ahead.string()
	}
	np := ahead.count()
	lists := make([]string, 0, ng+np)
	if ng > 0 {
		u.Groups = r.strings(lists[:0:ng], ng)
	} else if flags&flagGroupsList != 0 {
		u.Groups = []string{}
	}
	if r.count(); np > 0 {
		u.Permissions = r.strings(lists[ng:ng:ng+np], np)
	} else if flags&flagPermsList != 0 {
		u.Permissions = []string{}
	}
	switch {
	case r.err != nil:
		return r.err
	case len(r.s) != 0:
		return fmt.Errorf("binary user record: %d bytes after the end", len(r.s))
	case flags >= flagPermsList<<1:
		return fmt.Errorf("binary user record: unknown flags %#x", flags)
	}
	return nil
}
