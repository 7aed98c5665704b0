package seed

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"authctl/internal/auth"
)

// noEnv is a LookupEnv with nothing set but what is given.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func decodeOK(t *testing.T, name, src string, opts DecodeOptions) *auth.Document {
	t.Helper()
	if opts.Name == "" {
		opts.Name = name
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = env(nil)
	}
	doc, err := Decode([]byte(src), opts)
	if err != nil {
		t.Fatalf("Decode(%s): %v", name, err)
	}
	return flat(doc)
}

// decodeErr decodes src and returns its problems, one string each; it
// fails unless Decode failed with auth.ErrInvalid.
func decodeErr(t *testing.T, name, src string) []string {
	t.Helper()
	doc, err := Decode([]byte(src), DecodeOptions{Name: name, LookupEnv: env(nil)})
	if err == nil {
		t.Fatalf("Decode(%s) succeeded: %+v", name, doc)
	}
	if !errors.Is(err, auth.ErrInvalid) {
		t.Fatalf("Decode(%s) error %v does not match auth.ErrInvalid", name, err)
	}
	return strings.Split(err.Error(), "\n")
}

// wantOneProblem checks that decoding src as name fails with one problem,
// starting with want.
func wantOneProblem(t *testing.T, name, src, want string) {
	t.Helper()
	if got := decodeErr(t, name, src); len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("%s %q: got %q, want one problem starting %q", name, src, got, want)
	}
}

// wantProblems checks that got holds, in order, one line for each want,
// each starting with its "file:line:" and containing its text.
func wantProblems(t *testing.T, got []string, want ...[2]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w[0]+": ") || !strings.Contains(got[i], w[1]) {
			t.Errorf("problem %d = %q\nwant it to start with %q and contain %q", i+1, got[i], w[0]+": ", w[1])
		}
	}
}

const seedYAML = `# the example from docs/seeding.md
permissions:
  - permission: treats.eat_ice_cream
    name: Can eat ice cream
    model: treat
groups:
  - name: awesome_users
    permissions: [treats.eat_ice_cream]
  - name: empty
users:
  - username: alice
    email: alice@example.com
    first_name: Alice
    last_name: Liddell
    is_active: true
    is_staff: false
    is_superuser: false
    groups: [awesome_users]
    user_permissions: [treats.eat_ice_cream]
    password_env: ALICE_PASSWORD
    date_joined: 2024-01-02T03:04:05.123456Z
    last_login: "2024-02-03T04:05:06Z"

  - username: bob
    password_hash: pbkdf2_sha256$1000$salt$hash
`

const seedJSON = `{
  "permissions": [
    {"permission": "treats.eat_ice_cream", "name": "Can eat ice cream", "model": "treat"}
  ],
  "groups": [
    {"name": "awesome_users", "permissions": ["treats.eat_ice_cream"]},
    {"name": "empty"}
  ],
  "users": [
    {
      "username": "alice",
      "email": "alice@example.com",
      "first_name": "Alice",
      "last_name": "Liddell",
      "is_active": true,
      "is_staff": false,
      "is_superuser": false,
      "groups": ["awesome_users"],
      "user_permissions": ["treats.eat_ice_cream"],
      "password_env": "ALICE_PASSWORD",
      "date_joined": "2024-01-02T03:04:05.123456Z",
      "last_login": "2024-02-03T04:05:06Z"
    },

    {"username": "bob", "password_hash": "pbkdf2_sha256$1000$salt$hash"}
  ]
}
`

// TestDecodeYAMLAndJSON reads the same declarations in both formats into
// the same Document, with each item's line.
func TestDecodeYAMLAndJSON(t *testing.T) {
	opts := DecodeOptions{LookupEnv: env(map[string]string{"ALICE_PASSWORD": "s3cret pass"})}
	y := decodeOK(t, "seed.yaml", seedYAML, opts)
	j := decodeOK(t, "seed.json", seedJSON, opts)

	ptr := func(s string) *string { return &s }
	b := func(v bool) *bool { return &v }
	list := func(s ...string) *[]string { return &s }
	joined := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	login := time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	alicePW, bobPW := auth.RawPassword("s3cret pass"), auth.HashedPassword("pbkdf2_sha256$1000$salt$hash")
	want := func(name string, lines [6]int, json bool) *auth.Document {
		at := func(i int) string { return fmt.Sprintf("%s:%d", name, lines[i]) }
		path := func(string, int) string { return "" }
		col := 0
		if json { // a column, and the JSON path
			at = func(i int) string { return fmt.Sprintf("%s:%d:5", name, lines[i]) }
			path = func(s string, i int) string { return fmt.Sprintf("%s[%d]", s, i) }
			col = 5
		}
		// A user's position is kept as numbers.
		pos := func(i, item int) auth.DocPos {
			p, ok := auth.MakeDocPos(name, lines[i], col, item, json)
			if !ok {
				t.Fatalf("MakeDocPos(%d, %d, %d) does not fit", lines[i], col, item)
			}
			return p
		}
		return &auth.Document{
			Permissions: []auth.DocPermission{{Perm: "treats.eat_ice_cream", Name: "Can eat ice cream", Model: "treat", Where: at(0), Path: path("permissions", 0)}},
			Groups: []auth.DocGroup{
				{Name: "awesome_users", Permissions: list("treats.eat_ice_cream"), Where: at(1), Path: path("groups", 0)},
				{Name: "empty", Where: at(2), Path: path("groups", 1)},
			},
			Users: []auth.DocUser{
				{
					Username: "alice", Email: ptr("alice@example.com"), FirstName: ptr("Alice"), LastName: ptr("Liddell"),
					IsActive: b(true), IsStaff: b(false), IsSuperuser: b(false),
					Groups: list("awesome_users"), Permissions: list("treats.eat_ice_cream"),
					Password: &alicePW, DateJoined: &joined, LastLogin: &login, Pos: pos(3, 0),
				},
				{Username: "bob", Password: &bobPW, Pos: pos(4, 1)},
			},
		}
	}
	for _, tc := range []struct {
		got  *auth.Document
		want *auth.Document
	}{
		{y, want("seed.yaml", [6]int{3, 7, 9, 11, 24}, false)},
		{j, want("seed.json", [6]int{3, 6, 7, 10, 25}, true)},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("got\n%s\nwant\n%s", dump(tc.got), dump(tc.want))
		}
	}
}

// dump shows a Document for failure messages (pointers followed; a
// password shows as {} since its fields are unexported).
func dump(d *auth.Document) string {
	b, err := json.MarshalIndent(d, "  ", "  ")
	if err != nil {
		return err.Error()
	}
	return "  " + string(b)
}

// TestDecodeRefusesSectionGivenTwice: a top-level section given twice is
// a problem at the second key's line, naming the first, in both formats
// and whatever the section; the rest of the file is still checked, and an
// unknown key given twice is reported as unknown each time.
func TestDecodeRefusesSectionGivenTwice(t *testing.T) {
	for _, key := range []string{"users", "groups", "permissions", AssertKey} {
		y := key + ":\n  []\nbogus: 1\n" + key + ":\n  []\nbogus: 2\n"
		wantProblems(t, decodeErr(t, "s.yaml", y),
			[2]string{"s.yaml:3", `unknown key "bogus" at the top`},
			[2]string{"s.yaml:4", `key "` + key + `" given twice at the top (first on line 1): give each section once`},
			[2]string{"s.yaml:6", `unknown key "bogus" at the top`},
		)
		j := "{\"" + key + "\": [],\n \"" + key + "\": [{\"x\": 1}]}"
		wantProblems(t, decodeErr(t, "s.json", j),
			[2]string{"s.json:2", `key "` + key + `" given twice at the top (first on line 1): give each section once`},
		)
	}
	// The same key spelt with an escape is the same key.
	wantProblems(t, decodeErr(t, "s.json", `{"users": [{"username": "a"}], "us\u0065rs": [{"username": "b"}]}`),
		[2]string{"s.json:1", `key "users" given twice at the top (first on line 1)`},
	)
	// An alias as a key stands for its anchor's value, as PyYAML reads it.
	wantProblems(t, decodeErr(t, "s.yaml", "groups:\n  - name: &k users\nusers: []\n*k : []\n"),
		[2]string{"s.yaml:4", `key "users" given twice at the top (first on line 3)`},
	)
	doc, err := Decode([]byte("groups:\n  - name: &k users\n*k :\n  - username: bob\n"), DecodeOptions{Name: "s.yaml", LookupEnv: env(nil)})
	if err != nil || doc.UserTable.Len()+len(doc.Users) != 1 {
		t.Errorf("users under an alias key: %v", err)
	}
	// A users section long enough to be read in batches, given twice.
	big := yamlUsersFile(3*yamlChunkItems, 0)
	wantProblems(t, decodeErr(t, "s.yaml", big+"users:\n  - username: late\n"),
		[2]string{"s.yaml:" + strconv.Itoa(strings.Count(big, "\n")+1), `key "users" given twice at the top (first on line `},
	)
}

// TestDecodeUnknownKeys: an unknown key, at the top, in a permission, a
// group or a user, is reported with its name and its own line, every one
// at once, in both formats.
func TestDecodeUnknownKeys(t *testing.T) {
	y := `bogus: 1
permissions:
  - permission: treats.eat
    nme: Eat
groups:
  - name: g1
    perms: [treats.eat]
users:
  - username: alice
    emial: alice@example.com
    password: plain
`
	wantProblems(t, decodeErr(t, "s.yaml", y),
		[2]string{"s.yaml:1", `unknown key "bogus" at the top`},
		[2]string{"s.yaml:4", `unknown key "nme" in a permission`},
		[2]string{"s.yaml:7", `unknown key "perms" in a group`},
		[2]string{"s.yaml:10", `unknown key "emial" in a user`},
		[2]string{"s.yaml:11", `unknown key "password" in a user`},
	)
	j := `{
  "bogus": 1,
  "permissions": [
    {"permission": "treats.eat",
     "nme": "Eat"}
  ],
  "groups": [{"name": "g1",
              "perms": ["treats.eat"]}],
  "users": [
    {"username": "alice",
     "emial": "alice@example.com",
     "password": "plain"}
  ]
}`
	wantProblems(t, decodeErr(t, "s.json", j),
		[2]string{"s.json:2", `unknown key "bogus" at the top`},
		[2]string{"s.json:5:6", `permissions[0]: unknown key "nme" in a permission`},
		[2]string{"s.json:8:15", `groups[0]: unknown key "perms" in a group`},
		[2]string{"s.json:11:6", `users[0]: unknown key "emial" in a user`},
		[2]string{"s.json:12:6", `users[0]: unknown key "password" in a user`},
	)
	// The message lists the keys that are allowed.
	got := decodeErr(t, "s.yaml", "users:\n  - usernme: x\n")
	if !strings.Contains(got[0], "known keys: username, email") {
		t.Errorf("message %q does not list the known keys", got[0])
	}
}

// TestDecodeTypeErrors: a value of the wrong type is reported with the key,
// what it must be and the value's line; decoding goes on, so that every
// one is reported. In JSON the line is right however far into the file the
// element is (the decoder's offsets are relative to its buffer).
func TestDecodeTypeErrors(t *testing.T) {
	y := `users:
  - username: a
    is_staff: maybe
  - username: b
    groups: alice
    date_joined: yesterday
  - just a string
groups: {name: x}
`
	wantProblems(t, decodeErr(t, "t.yaml", y),
		[2]string{"t.yaml:3", `user: is_staff must be true or false, not "maybe"`},
		[2]string{"t.yaml:5", `user: groups must be a list of strings, not "alice"`},
		[2]string{"t.yaml:6", `user: date_joined must be a time (RFC 3339`},
		[2]string{"t.yaml:7", `a user must be a mapping`},
		[2]string{"t.yaml:8", `groups must be a list`},
	)

	var b strings.Builder
	b.WriteString("{\n  \"users\": [\n")
	for i := range 2000 { // well past the decoder's first buffer
		fmt.Fprintf(&b, "    {\"username\": \"user%d\"},\n", i)
	}
	// Lines 2003 to 2008.
	b.WriteString("    {\"username\": \"late\",\n     \"is_staff\": \"maybe\",\n     \"groups\": [1, 2],\n     \"oops\": true},\n")
	b.WriteString("    {\"username\": 7, \"last_login\": \"never\"}\n  ],\n  \"groups\": {\"name\": \"x\"}\n}\n")
	wantProblems(t, decodeErr(t, "t.json", b.String()),
		[2]string{"t.json:2004:18", `users[2000].is_staff: must be true or false, not "maybe"`},
		[2]string{"t.json:2005:16", `users[2000].groups: must be a list of strings, not [1, 2]`},
		[2]string{"t.json:2006:6", `users[2000]: unknown key "oops" in a user`},
		[2]string{"t.json:2007:18", `users[2001].username: must be a string, not 7`},
		[2]string{"t.json:2007:35", `users[2001].last_login: must be a time`},
		[2]string{"t.json:2009:13", `groups must be a list`},
	)
}

// TestDecodeSyntaxErrors: bad syntax stops decoding with a line.
func TestDecodeSyntaxErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"a.json", "{\n  \"users\": [\n    {\"username\": \"a\",}\n  ]\n}", "a.json:3:22: not valid JSON"},
		{"b.json", "{\"users\": [{\"username\": \"a\"}]", "b.json:1: not valid JSON: unexpected end"},
		{"c.json", "{\"users\": []} {}", "c.json:1: not valid JSON: more after the closing }"},
		{"d.yaml", "users:\n  - username: a\n  bad\n", "d.yaml:3: not valid YAML"},
		{"e.yaml", "- a\n- b\n", "e.yaml:1: the file must be a mapping"},
		{"f.yaml", "  \n\n", "f.yaml: the file is empty"},
	} {
		wantOneProblem(t, tc.name, tc.src, tc.want)
	}
}

// TestDecodeValueProblems: problems with single values leave the file
// readable; they are kept in Document.Problems (for Apply to report along
// with its own), each with its line.
func TestDecodeValueProblems(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("from the file\nsecond line ignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	y := `users:
  - username: envy
    password_env: NOT_SET
  - username: filey
    password_file: pw.txt
  - username: missing
    password_file: nope.txt
  - username: twice
    password_env: SET
    password_hash: pbkdf2_sha256$1$s$h
  - username: empty-env
    password_env: EMPTY
`
	doc := decodeOK(t, "d/seed.yaml", y, DecodeOptions{Dir: dir, LookupEnv: env(map[string]string{"SET": "x", "EMPTY": ""})})
	var got []string
	for _, p := range doc.Problems {
		got = append(got, p.Error())
	}
	// An unset variable is a problem only where the password is used: the
	// plan reports it (apply_password_env.txtar).
	if m := doc.Users[0].PasswordMissing; m != "password_env: environment variable NOT_SET is not set" || doc.Users[0].Password != nil {
		t.Errorf("envy: PasswordMissing %q, Password %v", m, doc.Users[0].Password)
	}
	wantProblems(t, got,
		[2]string{"d/seed.yaml:6", "user missing: password_file " + filepath.Join(dir, "nope.txt") + ": no such file"},
		[2]string{"d/seed.yaml:8", "user twice: give at most one of password_env, password_file and password_hash"},
	)
	// password_file is relative to the file's directory, first line only.
	if p := doc.Users[1].Password; p == nil || !reflect.DeepEqual(*p, auth.RawPassword("from the file")) {
		t.Errorf("filey's password = %+v, want the first line of %s/pw.txt", p, dir)
	}
	// A variable set to the empty string is set: the validators judge it.
	if p := doc.Users[4].Password; p == nil || !reflect.DeepEqual(*p, auth.RawPassword("")) {
		t.Errorf("empty-env's password = %+v, want the empty password", p)
	}
	// No password source: an unusable password (nil).
	if d := decodeOK(t, "x.yaml", "users:\n  - username: a\n", DecodeOptions{}); d.Users[0].Password != nil {
		t.Errorf("a user without a password source has password %+v", d.Users[0].Password)
	}
}

// TestDecodeYAMLFeatures: anchors, aliases and merge keys work; a byte
// order mark and an empty section are accepted.
func TestDecodeYAMLFeatures(t *testing.T) {
	y := "\ufeffusers:\n" +
		"  - &staff\n" +
		"    username: a\n" +
		"    is_staff: true\n" +
		"    groups: &gs [g1, g2]\n" +
		"  - <<: *staff\n" +
		"    username: b\n" +
		"    user_permissions: *gs\n" +
		"groups:\n"
	doc := decodeOK(t, "y.yaml", y, DecodeOptions{})
	if len(doc.Users) != 2 || doc.Users[1].Username != "b" || doc.Users[1].IsStaff == nil || !*doc.Users[1].IsStaff ||
		doc.Users[1].Groups == nil || len(*doc.Users[1].Groups) != 2 || doc.Users[1].Permissions == nil {
		t.Fatalf("merge key not applied:\n%s", dump(doc))
	}
	if where, _ := doc.Users[1].Loc(); where != "y.yaml:6" {
		t.Errorf("b is at %s, want y.yaml:6", where)
	}
	j := "\ufeff{\"users\": null, \"groups\": []}"
	if d := decodeOK(t, "j.json", j, DecodeOptions{}); len(d.Users)+len(d.Groups) != 0 {
		t.Errorf("got %s", dump(d))
	}
}

// BeforeYAML is called once for a YAML file, before it is decoded, and
// never for JSON.
func TestBeforeYAML(t *testing.T) {
	for _, c := range []struct {
		data  string
		calls int
	}{
		{"users:\n  - username: alice\n", 1},
		{`{"users": [{"username": "alice"}]}`, 0},
		{"\ufeff  {\"users\": []}", 0},
	} {
		calls := 0
		if _, _, err := DecodeWithAssert([]byte(c.data), DecodeOptions{Name: "f", BeforeYAML: func() { calls++ }}); err != nil {
			t.Fatalf("%q: %v", c.data, err)
		}
		if calls != c.calls {
			t.Errorf("%q: BeforeYAML called %d times, want %d", c.data, calls, c.calls)
		}
	}
}
