package seed

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"authctl/internal/auth"
)

// prehashedUsersFile is a seeding file of n users given as password_hash,
// shaped like bench's generated file (bench/seedfile_test.go): 50
// permissions, 20 groups, then the users, one a line in JSON, one key a
// line in YAML.
func prehashedUsersFile(n int, yaml bool) []byte {
	var b strings.Builder
	b.Grow(n * 260)
	hash := func(u int) string {
		// Canonical base64: the last digit before "=" carries no stray bits.
		return fmt.Sprintf("pbkdf2_sha256$870000$%022d$%042d0=", u*7919, u*104729)
	}
	if yaml {
		b.WriteString("permissions:\n")
		for p := range 50 {
			fmt.Fprintf(&b, "  - permission: app%d.perm_%02d\n    name: Can do thing %d\n", p/5, p, p)
		}
		b.WriteString("groups:\n")
		for g := range 20 {
			fmt.Fprintf(&b, "  - name: group%02d\n    permissions: [app%d.perm_%02d]\n", g, g/5, g)
		}
		b.WriteString("users:\n")
		for u := range n {
			fmt.Fprintf(&b, "  - username: user%06d\n    email: user%06d@example.com\n    first_name: First%d\n    last_name: Last%d\n    groups: [group%02d]\n    password_hash: %s\n",
				u, u, u, u, u%20, hash(u))
		}
		return []byte(b.String())
	}
	b.WriteString(`{"permissions": [` + "\n")
	for p := range 50 {
		if p > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `  {"permission": "app%d.perm_%02d", "name": "Can do thing %d"}`, p/5, p, p)
	}
	b.WriteString("\n], \"groups\": [\n")
	for g := range 20 {
		if g > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `  {"name": "group%02d", "permissions": ["app%d.perm_%02d"]}`, g, g/5, g)
	}
	b.WriteString("\n], \"users\": [\n")
	for u := range n {
		if u > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `  {"username": "user%06d", "email": "user%06d@example.com", "first_name": "First%d", "last_name": "Last%d", "groups": ["group%02d"], "password_hash": %q}`,
			u, u, u, u, u%20, hash(u))
	}
	b.WriteString("\n]}\n")
	return []byte(b.String())
}

// decodeUsersDoc decodes data, JSON or YAML, held whole, on workers
// goroutines into a Document, its users in a table, as Decode does.
func decodeUsersDoc(data []byte, json bool, workers int) (*auth.Document, error) {
	opts := decodeDefaults(DecodeOptions{Name: "seed"})
	if json {
		f, lines, _, err := decodeJSON(data, workers)
		if err != nil {
			return nil, err
		}
		return toDocument(f, lines, opts), nil
	}
	doc, _, err := decodeYAML(data, workers, opts)
	return doc, err
}

// BenchmarkDecodeUsers decodes a seeding file of 100,000 pre-hashed users
// held whole (decodeJSON, decodeYAML) into a Document, its users in a
// table with their passwords and positions, on one goroutine and on
// GOMAXPROCS:
//
//	go test -run '^$' -bench DecodeUsers -benchtime 5x ./internal/seed/
func BenchmarkDecodeUsers(b *testing.B) {
	const n = 100_000
	for _, format := range []string{"json", "yaml"} {
		data := prehashedUsersFile(n, format == "yaml")
		for _, mode := range []string{"sequential", "parallel"} {
			workers := 1
			if mode == "parallel" {
				workers = decodeWorkers()
			}
			b.Run(format+"/"+mode, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					doc, err := decodeUsersDoc(data, format == "json", workers)
					if err != nil || doc.UserTable.Len() != n {
						b.Fatalf("decode: %v", err)
					}
				}
			})
		}
	}
}

// BenchmarkDecodeFileUsers decodes the same 100,000 pre-hashed users from
// a YAML file and from a JSON file as apply -f does (DecodeFile: the JSON
// file streamed, the YAML file read whole and its users split), into a
// Document whose users are in a table (compare the two ns/op of one run):
//
//	go test -run '^$' -bench DecodeFileUsers -benchtime 5x ./internal/seed/
func BenchmarkDecodeFileUsers(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	for _, format := range []string{"json", "yaml"} {
		path := filepath.Join(dir, "seed."+format)
		data := prehashedUsersFile(n, format == "yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		b.Run(format, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				doc, _, err := DecodeFile(f, DecodeOptions{Name: path})
				f.Close()
				if err != nil || doc.UserTable.Len() != n || len(doc.Users) != 0 {
					b.Fatalf("decode: %v", err)
				}
			}
		})
	}
}

// BenchmarkDecodeYAMLFast decodes 20,000 pre-hashed users on one
// goroutine into a Document: YAML with the fast path for plain items
// (fastYAMLUsers), YAML through node trees alone, and the same users in
// JSON:
//
//	go test -run '^$' -bench DecodeYAMLFast -benchtime 10x ./internal/seed/
func BenchmarkDecodeYAMLFast(b *testing.B) {
	const n = 20_000
	yamlData, jsonData := prehashedUsersFile(n, true), prehashedUsersFile(n, false)
	for _, c := range []struct {
		name string
		data []byte
		fast bool
	}{{"yaml/fast", yamlData, true}, {"yaml/nodes", yamlData, false}, {"json", jsonData, true}} {
		b.Run(c.name, func(b *testing.B) {
			defer func(was bool) { yamlFastPath = was }(yamlFastPath)
			yamlFastPath = c.fast
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				doc, err := decodeUsersDoc(c.data, c.name == "json", 1)
				if err != nil || doc.UserTable.Len() != n {
					b.Fatalf("decode: %v", err)
				}
			}
		})
	}
}
