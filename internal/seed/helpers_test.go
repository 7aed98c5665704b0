package seed

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"authctl/internal/auth"
	"authctl/internal/auth/hasher"
	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

var (
	cheapOnce sync.Once
	cheapSet  *hasher.Set
)

// cheap is pbkdf2_sha256 at 1000 iterations: Django verifies any count.
func cheap(t testing.TB) *hasher.Set {
	t.Helper()
	cheapOnce.Do(func() {
		var err error
		if cheapSet, err = hasher.NewSet("pbkdf2_sha256", hasher.Params{PBKDF2Iterations: 1000}); err != nil {
			panic(err)
		}
	})
	return cheapSet
}

// testDB is a Service over a fresh bolt file.
type testDB struct {
	path string
	st   store.Store
	svc  *auth.Service
}

var testNow = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

func newDB(t *testing.T) *testDB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "auth.db")
	st, err := bolt.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := auth.New(st, auth.Options{Hashers: cheap(t), Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return &testDB{path: path, st: st, svc: svc}
}

func (db *testDB) apply(t *testing.T, doc *auth.Document, opts auth.ApplyOptions) auth.ApplyResult {
	t.Helper()
	res, err := db.svc.Apply(context.Background(), doc, opts)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

func (db *testDB) export(t *testing.T, opts ExportOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := Export(context.Background(), db.svc, &b, opts); err != nil {
		t.Fatalf("Export: %v", err)
	}
	return b.String()
}

func (db *testDB) exportDjango(t *testing.T, usersOnly bool) string {
	t.Helper()
	var b bytes.Buffer
	if err := ExportDjango(context.Background(), db.svc, &b, usersOnly); err != nil {
		t.Fatalf("ExportDjango: %v", err)
	}
	return b.String()
}

func (db *testDB) user(t *testing.T, name string) store.User {
	t.Helper()
	var u store.User
	if err := db.st.View(context.Background(), func(r store.Reader) error {
		var err error
		u, err = r.User(name)
		return err
	}); err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return u
}

// richSeed declares a bit of everything: a custom permission with a model,
// default-named ones, nested references, an inactive user, a superuser, a
// user with a last login and Unicode names, and one without a password.
const richSeed = `permissions:
  - permission: treats.eat_ice_cream
    name: Can eat ice cream
    model: treat
  - permission: blog.add_post
  - permission: blog.publish_post
    name: Can publish posts
groups:
  - name: editors
    permissions: [blog.add_post, blog.publish_post]
  - name: eaters
    permissions: [treats.eat_ice_cream]
  - name: nobody
users:
  - username: alice
    email: alice@example.com
    first_name: Alice
    last_name: Liddell
    groups: [editors, eaters]
    user_permissions: [treats.eat_ice_cream]
    password_env: ALICE_PW
    date_joined: 2020-01-02T03:04:05.678901Z
    last_login: 2024-03-04T05:06:07Z
  - username: zoë
    first_name: Zoë
    is_active: false
    groups: [editors]
    password_env: ZOE_PW
  - username: root
    is_staff: true
    is_superuser: true
    password_hash: ROOT_HASH
  - username: bot
`

func richDoc(t *testing.T) *auth.Document {
	t.Helper()
	rootHash, err := cheap(t).Make("root's long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(richSeed, "ROOT_HASH", rootHash, 1)
	doc, err := Decode([]byte(src), DecodeOptions{Name: "rich.yaml", LookupEnv: env(map[string]string{
		"ALICE_PW": "alice's long passphrase",
		"ZOE_PW":   "zoë's long passphrase",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Problems) > 0 {
		t.Fatal(doc.Problems)
	}
	return doc
}

// flat returns doc with all its users in Users (none in a table), for
// comparing documents and looking at their users.
func flat(doc *auth.Document) *auth.Document {
	if doc == nil {
		return nil
	}
	out := *doc
	out.Users, out.UserTable = doc.AllUsers(), nil
	return &out
}

// splitYAMLUsers is decodeYAML's split of data held whole, without the
// rest of the file decoded: the rest, and the section's users in a table;
// ok is false where decodeYAML would read the file whole for the section
// itself (planYAMLSplit, decodeYAMLBatches).
func splitYAMLUsers(data []byte, workers int, opts DecodeOptions) (rest []byte, users *splitUsers, ok bool) {
	rest, batches, indent, keyLine, ok := planYAMLSplit(data)
	if !ok {
		return nil, nil, false
	}
	read, ok := decodeYAMLBatches(batches, indent, workers, opts, heldBatch(data))
	if !ok {
		return nil, nil, false
	}
	return rest, &splitUsers{read, keyLine}, true
}

// splitUsers is a users section read apart, and the line of its key.
type splitUsers struct {
	*yamlUsers
	keyLine int
}
