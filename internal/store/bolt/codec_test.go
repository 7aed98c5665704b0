package bolt

import (
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"authctl/internal/store"
)

// randomUser is a user with every field varied: empty, nil and non-empty
// lists, with and without a last login.
func randomUser(r *rand.Rand) store.User {
	str := func() string {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	list := func() []string {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		l := make([]string, 1+r.IntN(200))
		for i := range l {
			l[i] = str()
		}
		return l
	}
	u := store.User{
		Username: str(), Email: str(), FirstName: str(), LastName: str(), Password: str(),
		IsActive: r.IntN(2) == 0, IsStaff: r.IntN(2) == 0, IsSuperuser: r.IntN(2) == 0, Managed: r.IntN(2) == 0,
		DateJoined: time.Unix(r.Int64N(1<<40)-(1<<39), r.Int64N(1e9)).UTC(),
		Groups:     list(), Permissions: list(),
	}
	if r.IntN(2) == 0 {
		t := time.Unix(r.Int64N(1<<34), r.Int64N(1e9)).UTC()
		u.LastLogin = &t
	}
	return u
}

func TestUserCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		u := randomUser(r)
		var got store.User
		if err := decodeRecord(appendUser(nil, &u), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, u) {
			t.Fatalf("decoded %+v\nencoded %+v", got, u)
		}
	}
}

// The decoded lists share one array: growing one must not write into the
// other.
func TestDecodedListsDoNotAlias(t *testing.T) {
	u := store.User{Username: "a", Groups: []string{"g1", "g2"}, Permissions: []string{"a.b", "c.d"}}
	var got store.User
	if err := decodeRecord(appendUser(nil, &u), &got); err != nil {
		t.Fatal(err)
	}
	got.Groups = append(got.Groups, "g3")
	if !reflect.DeepEqual(got.Permissions, u.Permissions) {
		t.Fatalf("appending a group changed the permissions to %q", got.Permissions)
	}
	got.Permissions = append(got.Permissions, "e.f")
	if !reflect.DeepEqual(got.Groups, []string{"g1", "g2", "g3"}) {
		t.Fatalf("appending a permission changed the groups to %q", got.Groups)
	}
}

// The decoder's varints read what encoding/binary reads, and refuse what
// it refuses.
func TestReaderVarints(t *testing.T) {
	cases := [][]byte{{}, {0}, {1}, {0x7f}, {0x80}, {0x80, 0}, {0xff, 0x01}, {0x80, 0x80, 0x80},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0},
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0},
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 1000 {
		v := r.Uint64() >> r.IntN(64)
		cases = append(cases, binary.AppendUvarint(nil, v), binary.AppendVarint(nil, int64(v)))
	}
	for _, c := range cases {
		want, n := binary.Uvarint(c)
		rd := &reader{s: string(c)}
		got := rd.uvarint()
		if (n <= 0) != (rd.err != nil) || (n > 0 && (got != want || len(rd.s) != len(c)-n)) {
			t.Errorf("uvarint(% x) = %d, rest %d, err %v; binary.Uvarint: %d, %d", c, got, len(rd.s), rd.err, want, n)
		}
		wantS, n := binary.Varint(c)
		rd = &reader{s: string(c)}
		gotS := rd.varint()
		if (n <= 0) != (rd.err != nil) || (n > 0 && gotS != wantS) {
			t.Errorf("varint(% x) = %d, err %v; binary.Varint: %d, %d", c, gotS, rd.err, wantS, n)
		}
	}
}

// Decoding a user allocates its text once and its lists once (plus the
// last login, when there is one), not once per field: listing a million
// users decodes a million of them.
func TestDecodeUserAllocations(t *testing.T) {
	u := store.User{Username: "user0001234", Email: "user0001234@example.com", FirstName: "First", LastName: "Last",
		Password: "pbkdf2_sha256$1000$salt$hash", IsActive: true, DateJoined: time.Unix(1700000000, 0).UTC(),
		Groups: []string{"g1", "g2"}, Permissions: []string{"a.b", "c.d", "e.f"}}
	v := appendUser(nil, &u)
	var got store.User
	if n := testing.AllocsPerRun(100, func() { _ = decodeRecord(v, &got) }); n > 2 {
		t.Fatalf("decoding a user makes %v allocations, want 2", n)
	}
}

// userSize is never less than the encoding: encodeRecord allocates once.
func TestUserSizeCoversEncoding(t *testing.T) {
	now := time.Now()
	for _, u := range []store.User{
		{},
		{Username: "alice", Email: "a@example.com", Password: strings.Repeat("x", 300), LastLogin: &now, DateJoined: now,
			Groups: []string{"g1", strings.Repeat("g", 200)}, Permissions: []string{"app.p"}, IsActive: true},
	} {
		if n, size := len(appendUser(nil, &u)), userSize(&u); n > size {
			t.Errorf("encoding %d bytes, userSize %d", n, size)
		}
		if n := testing.AllocsPerRun(10, func() { _, _ = encodeRecord(&u) }); n != 1 {
			t.Errorf("encodeRecord: %v allocations, want 1", n)
		}
	}
}
