package bench

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// The pre-hashed seeding file (issue 4: "100,000 users given as
// password_hash"): seedPerms permissions, seedGroups groups of
// seedGroupPerms permissions each, and n users, each with an email, a
// first and last name, one group and a distinct pbkdf2_sha256 hash.
// seed.sh gives the same file to Django's bulk_create.
const (
	seedPerms      = 20
	seedGroups     = 10
	seedGroupPerms = 4
)

func seedPermName(p int) string  { return fmt.Sprintf("app%d.perm_%02d", p/5, p) }
func seedGroupName(g int) string { return fmt.Sprintf("group%02d", g) }
func seedUserName(u int) string  { return fmt.Sprintf("user%06d", u) }

// fakePBKDF2 returns a well-formed pbkdf2_sha256 hash at iterations with a
// random 22-character salt and a random 32-byte key: the size and shape of a
// real one, distinct per user, made without computing anything (100,000 real
// hashes at 1,200,000 iterations would take hours). It verifies no password,
// which seeding never needs: apply only checks that a given hash is well
// formed.
func fakePBKDF2(iterations int) string {
	var key [32]byte
	_, _ = rand.Read(key[:]) // never fails (crypto/rand)
	salt := rand.Text()[:22] // base32 letters and digits, like Django's salts
	return "pbkdf2_sha256$" + strconv.Itoa(iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(key[:])
}

// writeSeedFile writes the pre-hashed seeding file of n users as JSON, one
// user per line, the way a generator script would.
func writeSeedFile(path string, n, iterations int) error {
	return writeSeedFileOrder(path, n, iterations, nil)
}

// writeSeedFileOrder is writeSeedFile with the users listed in the order
// of order (a permutation of 0..n-1; nil: sorted by username).
func writeSeedFileOrder(path string, n, iterations int, order []int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	fmt.Fprintln(w, `{"permissions": [`)
	for p := range seedPerms {
		sep := ","
		if p == seedPerms-1 {
			sep = ""
		}
		fmt.Fprintf(w, "  {\"permission\": %q, \"name\": \"Can do thing %d\"}%s\n", seedPermName(p), p, sep)
	}
	fmt.Fprintln(w, `], "groups": [`)
	for g := range seedGroups {
		perms := make([]string, 0, seedGroupPerms)
		for k := range seedGroupPerms {
			perms = append(perms, seedPermName((g*3+k)%seedPerms))
		}
		sep := ","
		if g == seedGroups-1 {
			sep = ""
		}
		fmt.Fprintf(w, "  {\"name\": %q, \"permissions\": %s}%s\n", seedGroupName(g), enc(perms), sep)
	}
	fmt.Fprintln(w, `], "users": [`)
	for k := range n {
		sep := ","
		if k == n-1 {
			sep = ""
		}
		u := k
		if order != nil {
			u = order[k]
		}
		name := seedUserName(u)
		fmt.Fprintf(w, "  {\"username\": %q, \"email\": \"%s@example.com\", \"first_name\": \"First%d\", \"last_name\": \"Last%d\", \"groups\": [%q], \"password_hash\": %q}%s\n",
			name, name, u, u, seedGroupName(u%seedGroups), fakePBKDF2(iterations), sep)
	}
	fmt.Fprintln(w, "]}")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
