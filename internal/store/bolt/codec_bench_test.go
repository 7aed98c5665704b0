package bolt

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"authctl/internal/store"
)

// BenchmarkDecodeUser compares the binary user encoding with the JSON one
// it replaced: decode time and bytes per record.
func BenchmarkDecodeUser(b *testing.B) {
	last := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	u := store.User{
		Username: "user00001234", Email: "user00001234@example.org", FirstName: "First", LastName: "Last",
		Password:    "pbkdf2_sha256$1200000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=",
		IsActive:    true,
		DateJoined:  last.Add(-time.Hour),
		LastLogin:   &last,
		Groups:      []string{"team01234", "everyone-0"},
		Permissions: []string{"app.perm34"},
	}
	bin := appendUser(nil, &u)
	js, err := json.Marshal(&u)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("binary-%dB", len(bin)), func(b *testing.B) {
		var got store.User
		for b.Loop() {
			if err := decodeRecord(bin, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("json-%dB", len(js)), func(b *testing.B) {
		var got store.User
		for b.Loop() {
			got = store.User{}
			if err := decodeRecord(js, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
}
