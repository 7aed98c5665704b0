package bench

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
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
	return writeSeedUsers(path, seedFile{n: n, iterations: iterations, order: order, name: seedUserName})
}

// seedFile describes a generated pre-hashed seeding file.
type seedFile struct {
	n, iterations int
	// order lists the users (a permutation of 0..n-1); nil: 0, 1, 2, ….
	order []int
	// name is user i's name.
	name func(int) string
	// yaml writes YAML (block style, one key a line) instead of JSON.
	yaml bool
}

// Seeding file orders for seed_scale.sh, of users named user0, user1, …
// (unpadded, so that the numeric order is not the byte order):
//   - sorted: in byte order of the names, the order apply writes them in;
//   - numeric: user0, user1, …, user10, …, as a generator loop writes them;
//   - random: shuffled with a fixed seed.
var seedOrders = []string{"sorted", "numeric", "random"}

func plainUserName(u int) string { return "user" + strconv.Itoa(u) }

// seedFileInOrder is the seeding file of n users in the named order.
func seedFileInOrder(n, iterations int, order string, yaml bool) (seedFile, error) {
	f := seedFile{n: n, iterations: iterations, name: plainUserName, yaml: yaml}
	switch order {
	case "numeric":
	case "sorted":
		f.order = make([]int, n)
		for i := range f.order {
			f.order[i] = i
		}
		slices.SortFunc(f.order, func(a, b int) int { return strings.Compare(plainUserName(a), plainUserName(b)) })
	case "random":
		f.order = mrand.New(mrand.NewPCG(1, 2)).Perm(n)
	default:
		return f, fmt.Errorf("order %q: want one of %v", order, seedOrders)
	}
	return f, nil
}

// writeSeedUsers writes the seeding file sf describes, one user per line in
// JSON (a line per key in YAML), the way a generator script would.
func writeSeedUsers(path string, sf seedFile) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	q := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	groupPerms := func(g int) []string {
		perms := make([]string, 0, seedGroupPerms)
		for k := range seedGroupPerms {
			perms = append(perms, seedPermName((g*3+k)%seedPerms))
		}
		return perms
	}
	sep := func(k, n int) string {
		if k == n-1 {
			return ""
		}
		return ","
	}
	if sf.yaml {
		fmt.Fprintln(w, "permissions:")
		for p := range seedPerms {
			fmt.Fprintf(w, "  - permission: %s\n    name: Can do thing %d\n", seedPermName(p), p)
		}
		fmt.Fprintln(w, "groups:")
		for g := range seedGroups {
			fmt.Fprintf(w, "  - name: %s\n    permissions: %s\n", seedGroupName(g), q(groupPerms(g)))
		}
		fmt.Fprintln(w, "users:")
	} else {
		fmt.Fprintln(w, `{"permissions": [`)
		for p := range seedPerms {
			fmt.Fprintf(w, "  {\"permission\": %q, \"name\": \"Can do thing %d\"}%s\n", seedPermName(p), p, sep(p, seedPerms))
		}
		fmt.Fprintln(w, `], "groups": [`)
		for g := range seedGroups {
			fmt.Fprintf(w, "  {\"name\": %q, \"permissions\": %s}%s\n", seedGroupName(g), q(groupPerms(g)), sep(g, seedGroups))
		}
		fmt.Fprintln(w, `], "users": [`)
	}
	for k := range sf.n {
		u := k
		if sf.order != nil {
			u = sf.order[k]
		}
		name := sf.name(u)
		hash := fakePBKDF2(sf.iterations)
		if sf.yaml {
			fmt.Fprintf(w, "  - username: %s\n    email: %s@example.com\n    first_name: First%d\n    last_name: Last%d\n    groups: [%s]\n    password_hash: %s\n",
				name, name, u, u, seedGroupName(u%seedGroups), hash)
			continue
		}
		fmt.Fprintf(w, "  {\"username\": %q, \"email\": \"%s@example.com\", \"first_name\": \"First%d\", \"last_name\": \"Last%d\", \"groups\": [%q], \"password_hash\": %q}%s\n",
			name, name, u, u, seedGroupName(u%seedGroups), hash, sep(k, sf.n))
	}
	if !sf.yaml {
		fmt.Fprintln(w, "]}")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
