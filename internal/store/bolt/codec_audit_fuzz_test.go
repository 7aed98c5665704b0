package bolt

import (
	"reflect"
	"testing"
	"time"

	"authctl/internal/store"
)

// FuzzAuditCodec: whatever the strings (invalid UTF-8, uppercase or
// truncated hex, prefixes alone), an audit record decodes to exactly what
// was encoded.
func FuzzAuditCodec(f *testing.F) {
	f.Add(uint64(1), int64(1767323045), uint32(678901000), "user.create", "alice", "ok", "root", "", "",
		genesis, keyedPrefix+hex64)
	f.Add(uint64(1<<63), int64(-1<<40), uint32(999999999), "", "", "", "", "", "", "", "")
	f.Add(uint64(0), int64(0), uint32(0), "\xff", "a\x00b", "\xc3", "é", "\u2028", "line\nline",
		"HMAC-SHA256:"+hex64, keyedPrefix+"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")
	f.Add(uint64(5), int64(5), uint32(5), "x", "y", "z", "w", "v", "u", hex64[:63], hex64+"0")
	f.Fuzz(func(t *testing.T, seq uint64, sec int64, nsec uint32, action, target, result, osUser, sessionUser, detail, prev, hash string) {
		rec := store.AuditRecord{
			Seq: seq, Time: time.Unix(sec, int64(nsec%1e9)).UTC(),
			Action: action, Target: target, Result: result, OSUser: osUser, SessionUser: sessionUser, Detail: detail,
			Prev: prev, Hash: hash,
		}
		v, err := encodeRecord(&rec)
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != cap(v) {
			t.Fatalf("encoded %d bytes in a buffer of %d", len(v), cap(v))
		}
		var got store.AuditRecord
		if err := decodeRecord(v, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, rec) {
			t.Fatalf("decoded %+v\nencoded %+v", got, rec)
		}
	})
}
