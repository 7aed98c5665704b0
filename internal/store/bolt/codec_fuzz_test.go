package bolt

import (
	"testing"
	"time"

	"authctl/internal/store"
)

// FuzzDecodeRecords feeds damaged bytes to the record decoder of every
// record kind: it must return a record or an error, never panic. The seed
// corpus (testdata/fuzz/FuzzDecodeRecords) holds encoded records and
// truncated and bit-flipped copies of them.
func FuzzDecodeRecords(f *testing.F) {
	when := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.UTC)
	for _, rec := range []any{
		&store.User{Username: "alice", Email: "a@example.org", Password: "pbkdf2_sha256$1$s$h", IsActive: true,
			LastLogin: &when, DateJoined: when, Groups: []string{"g1", "g2"}, Permissions: []string{"a.b"}, Managed: true},
		&store.Group{Name: "g", Permissions: []string{"a.b", "c.d"}},
		&store.Permission{Perm: "a.b", Name: "Can b", Model: "m"},
		&store.Session{ID: "s", Digest: []byte{0, 1, 0xff}, Username: "alice", Created: when, Expires: when},
		&store.Failure{Username: "x", Count: 3, First: when, Recent: []time.Time{when, when}},
		&store.AuditRecord{Seq: 7, Time: when, Action: "user.create", Target: "alice", Hash: "ff"},
	} {
		v, err := encodeRecord(rec)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		var (
			u  store.User
			g  store.Group
			p  store.Permission
			s  store.Session
			fl store.Failure
			a  store.AuditRecord
		)
		_ = decodeRecord(v, &u)
		_ = decodeRecord(v, &g)
		_ = decodeRecord(v, &p)
		_ = decodeRecord(v, &s)
		_ = decodeRecord(v, &fl)
		_ = decodeRecord(v, &a)
	})
}
