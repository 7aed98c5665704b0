package bolt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"authctl/internal/store"
)

const (
	hex64   = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	genesis = "0000000000000000000000000000000000000000000000000000000000000000"
)

// randomDigest is a Prev or Hash: mostly the forms the auth package
// writes, sometimes near misses that must stay text.
func randomDigest(r *rand.Rand, str func() string) string {
	h := []byte(hex64)
	for i := range h {
		h[i] = "0123456789abcdef"[r.IntN(16)]
	}
	switch r.IntN(8) {
	case 0:
		return keyedPrefix + string(h)
	case 1:
		return string(h)
	case 2:
		return genesis
	case 3:
		return strings.ToUpper(string(h))
	case 4:
		return keyedPrefix + string(h[:63])
	case 5:
		return "HMAC-SHA256:" + string(h)
	case 6:
		return string(h) + "0"
	}
	return str()
}

func randomAudit(r *rand.Rand, validText bool) store.AuditRecord {
	str := func() string {
		b := make([]byte, r.IntN(100))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		if validText {
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		return string(b)
	}
	sec := r.Int64N(1<<40) - (1 << 39)
	if validText { // JSON times have four-digit years
		sec = r.Int64N(1 << 34)
	}
	return store.AuditRecord{
		Seq:    r.Uint64() >> r.IntN(64),
		Time:   time.Unix(sec, r.Int64N(1e9)).UTC(),
		Action: str(), Target: str(), Result: str(), OSUser: str(), SessionUser: str(), Detail: str(),
		Prev: randomDigest(r, str), Hash: randomDigest(r, str),
	}
}

func TestAuditCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for range 5000 {
		rec := randomAudit(r, false)
		v, err := encodeRecord(&rec)
		if err != nil {
			t.Fatal(err)
		}
		if v[0] != auditCodecVersion || len(v) != cap(v) {
			t.Fatalf("encoded %d bytes, first %#x, in a buffer of %d", len(v), v[0], cap(v))
		}
		var got store.AuditRecord
		if err := decodeRecord(v, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, rec) {
			t.Fatalf("decoded %+v\nencoded %+v", got, rec)
		}
	}
}

// A binary record reads exactly as its JSON did: the same strings and the
// same time, in UTC, for every record the auth package writes (valid
// UTF-8, UTC times).
func TestAuditCodecReadsAsJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 2000 {
		rec := randomAudit(r, true)
		js, err := json.Marshal(&rec)
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON, fromBinary store.AuditRecord
		if err := decodeRecord(js, &fromJSON); err != nil {
			t.Fatal(err)
		}
		if err := decodeRecord(encodeAuditRecord(&rec), &fromBinary); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromBinary, fromJSON) {
			t.Fatalf("binary reads %+v\nJSON reads   %+v", fromBinary, fromJSON)
		}
		if fromBinary.Time.Location() != time.UTC {
			t.Fatalf("time in %v", fromBinary.Time.Location())
		}
	}
}

// Hex digests are stored as their 32 bytes; anything else as text.
func TestAuditCodecDigests(t *testing.T) {
	for _, c := range []struct {
		s    string
		size int
	}{
		{keyedPrefix + hex64, 1 + 32},
		{hex64, 1 + 32},
		{genesis, 1 + 32},
		{"", 1 + 1},
		{strings.ToUpper(hex64), 1 + 1 + 64},
		{keyedPrefix + strings.ToUpper(hex64), 1 + 1 + 76},
		{keyedPrefix + hex64[:62], 1 + 1 + 74},
		{hex64 + "\xff", 1 + 1 + 65},
		{keyedPrefix, 1 + 1 + 12},
	} {
		d := parseDigest(c.s)
		if got := len(d.append(nil)); got != c.size || d.size() != c.size {
			t.Errorf("%q takes %d bytes, want %d", c.s, got, c.size)
		}
	}
	rec := store.AuditRecord{Time: time.Unix(1767323045, 678901000).UTC(), Action: "user.create", Target: "user0001234",
		Result: "ok", OSUser: "root", Prev: keyedPrefix + hex64, Hash: keyedPrefix + hex64}
	js, _ := json.Marshal(&rec)
	bin, _ := encodeRecord(&rec)
	t.Logf("a typical record: %d bytes binary, %d as JSON", len(bin), len(js))
	if len(bin) > 120 {
		t.Errorf("a typical record takes %d bytes", len(bin))
	}
}

// Decoding an audit record allocates its text once: verify and list decode
// every record of the log.
func TestDecodeAuditAllocations(t *testing.T) {
	rec := store.AuditRecord{Seq: 123456, Time: time.Unix(1767323045, 678901000).UTC(), Action: "user.create",
		Target: "user0001234", Result: "ok", OSUser: "root", SessionUser: "admin", Detail: "groups: g1, g2",
		Prev: keyedPrefix + hex64, Hash: keyedPrefix + hex64}
	v, _ := encodeRecord(&rec)
	var got store.AuditRecord
	if n := testing.AllocsPerRun(100, func() { _ = decodeRecord(v, &got) }); n > 1 {
		t.Fatalf("decoding an audit record makes %v allocations, want 1", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = encodeRecord(&rec) }); n > 1 {
		t.Fatalf("encoding an audit record makes %v allocations, want 1", n)
	}
}

// Damaged records are errors: every truncation, bytes after the end, an
// unknown digest tag, nanoseconds out of range.
func TestDecodeAuditDamage(t *testing.T) {
	rec := store.AuditRecord{Seq: 7, Time: time.Unix(1767323045, 678901000).UTC(), Action: "a", Target: "b",
		Prev: hex64, Hash: "text"}
	v := encodeAuditRecord(&rec)
	for i := 1; i < len(v); i++ {
		var got store.AuditRecord
		if err := decodeRecord(v[:i], &got); err == nil {
			t.Errorf("the first %d of %d bytes decode as %+v", i, len(v), got)
		}
	}
	bad := map[string][]byte{
		"trailing byte": append(encodeAuditRecord(&rec), 0),
		"digest tag 3":  {auditCodecVersion, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0},
		"1e9 ns":        {auditCodecVersion, 0, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	}
	for name, v := range bad {
		var got store.AuditRecord
		err := decodeRecord(v, &got)
		if err == nil || err == errAuditShort {
			t.Errorf("%s: decodes as %+v, %v", name, got, err)
		}
	}
}

// DecodeAuditValue reads both encodings; EncodeAuditValue writes what
// AppendAudit stores.
func TestAuditValueHelpers(t *testing.T) {
	rec := store.AuditRecord{Seq: 3, Time: time.Unix(1767323045, 678901000).UTC(), Action: "a", Prev: genesis, Hash: hex64}
	js, _ := json.Marshal(&rec)
	for _, v := range [][]byte{EncodeAuditValue(rec), js} {
		got, err := DecodeAuditValue(v)
		if err != nil || !reflect.DeepEqual(got, rec) {
			t.Errorf("DecodeAuditValue(%q) = %+v, %v", v, got, err)
		}
	}
	if v := EncodeAuditValue(rec); v[0] != auditCodecVersion {
		t.Errorf("EncodeAuditValue starts with %#x", v[0])
	}
}

// BenchmarkParseDigest: the two digests of every audit record.
func BenchmarkParseDigest(b *testing.B) {
	sums := make([]string, 64)
	for i := range sums {
		h := sha256.Sum256([]byte{byte(i)})
		sums[i] = keyedPrefix + hex.EncodeToString(h[:])
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if d := parseDigest(sums[i%len(sums)]); d.tag != digestKeyed {
			b.Fatal(d.tag)
		}
	}
}
