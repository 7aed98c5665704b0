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

// BenchmarkAuditCodec compares the binary audit encoding with the JSON one
// it replaced: encode and decode time and bytes per record, for a keyed
// record as an apply writes one per user.
func BenchmarkAuditCodec(b *testing.B) {
	rec := store.AuditRecord{Seq: 123456, Time: time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC),
		Action: "user.create", Target: "user00001234", Result: "ok", OSUser: "root",
		Prev: "hmac-sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Hash: "hmac-sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"}
	bin, err := encodeRecord(&rec)
	if err != nil {
		b.Fatal(err)
	}
	js, err := json.Marshal(&rec)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("encode/binary-%dB", len(bin)), func(b *testing.B) {
		for b.Loop() {
			if _, err := encodeRecord(&rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("encode/json-%dB", len(js)), func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(&rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("decode/binary-%dB", len(bin)), func(b *testing.B) {
		var got store.AuditRecord
		for b.Loop() {
			if err := decodeRecord(bin, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("decode/json-%dB", len(js)), func(b *testing.B) {
		var got store.AuditRecord
		for b.Loop() {
			got = store.AuditRecord{}
			if err := decodeRecord(js, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
}
