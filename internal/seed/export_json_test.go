package seed

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"authctl/internal/store"
)

// appendExportUser writes what encoding/json writes for userOf, over users
// with awkward text, nil and empty lists, no password, with and without a
// last login, in another zone.
func TestAppendExportUser(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	alphabet := []byte("aZ0 $=\"\\<>&\t\n\x00\x1f\x7f\xc3\xa9\xe2\x80\xa8\xff")
	str := func() string {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
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
		return []string{str(), str()}
	}
	zone := time.FixedZone("x", -(3*3600 + 30*60))
	for range 5000 {
		u := store.User{Username: str(), Email: str(), FirstName: str(), LastName: str(), Password: str(),
			IsActive: r.IntN(2) == 0, IsStaff: r.IntN(2) == 0, IsSuperuser: r.IntN(2) == 0, Managed: r.IntN(2) == 0,
			DateJoined: time.Unix(r.Int64N(4e9), r.Int64N(1e9)).In(zone), Groups: list(), Permissions: list()}
		if r.IntN(2) == 0 {
			l := time.Unix(r.Int64N(4e9), r.Int64N(1e9)).UTC()
			u.LastLogin = &l
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(userOf(u)); err != nil {
			t.Fatal(err)
		}
		got, err := appendExportUser(nil, &u)
		if err != nil {
			t.Fatal(err)
		}
		if string(got)+"\n" != want.String() {
			t.Fatalf("appendExportUser\n%s\nencoding/json\n%s", got, want.String())
		}
	}
	bad := store.User{Username: "a", DateJoined: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := appendExportUser(nil, &bad); err == nil {
		t.Fatal("a date joined in year -1 was written")
	}
}

// BenchmarkExportUserJSON compares export's hand-written encoding of one
// user with the encoding/json one it replaced.
func BenchmarkExportUserJSON(b *testing.B) {
	u := store.User{Username: "user0001234", Email: "user0001234@example.com", FirstName: "First1234", LastName: "Last1234",
		Password: "pbkdf2_sha256$1000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=",
		IsActive: true, DateJoined: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Groups: []string{"group01234", "group03703"}, Permissions: []string{"app0.perm_000", "app1.perm_037", "app3.perm_074"}}
	b.Run("append", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = appendExportUser(buf[:0], &u)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(userOf(u)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
