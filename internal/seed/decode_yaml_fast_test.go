package seed

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"authctl/internal/auth"
)

// fastYAMLCase is a users section's items (what follows "users:\n").
var fastYAMLCases = []struct {
	items string
	fast  bool
}{
	// What export writes (yaml.v3's encoder, indent 2), and bench's files.
	{"  - username: alice\n    email: alice@example.com\n    first_name: Alice\n    last_name: \"\"\n    is_active: true\n    is_staff: false\n    is_superuser: false\n" +
		"    groups:\n      - editors\n      - blog readers\n    user_permissions: []\n    password_hash: pbkdf2_sha256$870000$abc$def+/=\n" +
		"    date_joined: 2024-01-02T03:04:05.123456Z\n    last_login: 2024-01-02T03:04:05+02:00\n", true},
	{"  - username: user43564\n    email: user43564@example.com\n    first_name: First43564\n    last_name: Last43564\n    groups: [group04]\n" +
		"    password_hash: pbkdf2_sha256$1200000$TXLQUVPQXZQVN2X6QY5QOM$w1n8joKi2fizGBcf4qugZnoahPXJoTNjnLN6YOj2nFE=\n" +
		"  - username: user95860\n    groups: [group00, 'g 1', \"g2\"]\n", true},
	{"- username: a\n  groups: []\n- username: b\n  user_permissions: [ ]\n", true}, // items at the first column
	{"  -   username: a\n      password_env: PW\n      password_file: f\n", true},   // several spaces after the dash
	{"  - username: a\n    groups:\n    - x\n    - y\n    email: a@b\n", true},      // an indentless block list
	{"  - username: a\r\n    email: a@b\r\n  - username: b\r\n", true},              // CRLF
	{"  - username: a   \n    email: a@b  \n    groups: [x]  \n", true},             // trailing spaces
	{"  - username: a\n\n    email: a@b\n\n  - username: b\n\n", true},              // empty lines
	{"  - username: 'it is'\n    email: \"a #b: c\"\n    first_name: ''\n", true},   // quoted
	{"  - username: Ålice\n    first_name: a#b\n    last_name: a:b\n", true},        // '#' and ':' inside
	{"  - username: a\n    is_active: True\n    is_staff: yes\n    is_superuser: Off\n", true},
	{"  - username: a\n    date_joined: 2001-12-14\n    last_login: 2001-12-14 21:59:43.10\n", true},
	{"  - username: yesterday\n    first_name: nullable\n    last_name: y\n", true}, // words that are strings
	// Everything else goes through the node path, which decides.
	{"  - username: a # a comment\n", false},
	{"  - username: a\n  # a comment\n  - username: b\n", false},
	{"  - username: &x a\n", false},
	{"  - username: *x\n", false},
	{"  - username: !!str a\n", false},
	{"  - <<: {username: a}\n", false},
	{"  - username: |\n      a\n", false},
	{"  - username: >\n      a\n", false},
	{"  - username: a\n      b\n", false}, // a multi-line plain scalar
	{"  - username: \"a\n      b\"\n", false},
	{"  - username: \"a\\\"b\"\n", false},
	{"  - username: 'it''s'\n", false},
	{"  - Username: a\n", false},
	{"  - username: a\n    username: b\n", false},
	{"  - username: a\n    nope: b\n", false},
	{"  - username: null\n", false},
	{"  - username: ~\n", false},
	{"  - username:\n", false},
	{"  - username: 0x1F\n", false},
	{"  - username: 1e3\n", false},
	{"  - username: 2001-12-14\n", false},
	{"  - username: true\n", false},
	{"  - username: a: b\n", false},
	{"  - username: a:\n", false},
	{"  - username: [a, b]\n", false},
	{"  - username: - a\n", false},
	{"  - key:value\n", false},
	{"  - username:a\n", false},
	{"  - username: a\n    is_staff: \"true\"\n", false},
	{"  - username: a\n    is_staff: tRUE\n", false},
	{"  - username: a\n    groups: a\n", false},
	{"  - username: a\n    groups: [a, ]\n", false},
	{"  - username: a\n    groups: [a: b]\n", false},
	{"  - username: a\n    groups: [a\n      , b]\n", false},
	{"  - username: a\n    groups:\n  - username: b\n", false}, // null
	{"  - username: a\n    groups:\n      - [a, b]\n", false},
	{"  - username: a\n    groups:\n      - a\n     - b\n", false},
	{"  - username: a\n    date_joined: \"2024-01-02T03:04:05Z\"\n", false},
	{"  - username: a\n    date_joined: 2024-13-02\n", false},
	{"  -\n    username: a\n", false},
	{"  - username: a\n   email: b\n", false},
	{"  - username: a\n    \n", false},
	{"  - username: a\u2028b\n", false},
	{"  - username: a\u0085b\n", false},
	{"  - username: a\n    groups: [Can edit?]\n", false}, // '?' in a flow list: yaml.v3 refuses the file
	{"  - username: a\n    groups: [a?b]\n", false},
	{"  - username: a\n    groups:\n      - Can edit?\n", true}, // in a block list it is plain text
	{"  - - a\n", false},
	{"  - [a, b]\n", false},
	{"  - a\n", false},
}

// fastAndNode decodes the items of a users section (what follows
// "users:\n") as one batch, with fastYAMLUsers and through the node tree;
// ok is false if the section is not one splitYAMLUsers would read.
func fastAndNode(items string) (fast, node batchUsers, fastOK, nodeOK, ok bool) {
	data := []byte("users:\n" + items)
	if loneCR(data) {
		return fast, node, false, false, false
	}
	_, end, indent, starts, found := findYAMLUsers(data)
	if !found {
		return fast, node, false, false, false
	}
	batch, n := data[starts[0]:end], len(starts)
	fast = batchUsers{users: make([]User, n), lines: make([]pos, n)}
	node = batchUsers{users: make([]User, n), lines: make([]pos, n)}
	fastOK = fastYAMLUsers(batch, indent, 2, fast.users, fast.lines, nil)
	nodeOK = nodeYAMLBatch(batch, indent, 2, node.users, node.lines, &node.problems)
	return fast, node, fastOK, nodeOK, true
}

// TestFastYAMLUsers: the plain shapes of seeding files are read without a
// node tree, to the users and lines the tree gives; every other shape is
// left to the tree.
func TestFastYAMLUsers(t *testing.T) {
	for _, c := range fastYAMLCases {
		fast, node, fastOK, nodeOK, ok := fastAndNode(c.items)
		if !ok {
			t.Errorf("%q: not a users section that is split", c.items)
			continue
		}
		if fastOK != c.fast {
			t.Errorf("%q: fast = %v, want %v", c.items, fastOK, c.fast)
			continue
		}
		if fastOK && (!nodeOK || len(node.problems) > 0 || !reflect.DeepEqual(fast.users, node.users) || !reflect.DeepEqual(fast.lines, node.lines)) {
			t.Errorf("%q:\n fast %s\n node %s (ok %v, problems %v)", c.items, showUsers(fast), showUsers(node), nodeOK, node.problems)
		}
	}
}

// TestFastYAMLPunctuation sweeps every printable ASCII character, alone
// and around a letter, through each place a value can stand (a plain
// value, a flow list entry, a block list entry, quoted both ways): where
// the fast path accepts, the node path must give the same users and lines.
// A fuzzer finds such a character only by luck; this finds it every time.
func TestFastYAMLPunctuation(t *testing.T) {
	templates := []string{
		"  - username: %s\n",
		"  - username: a\n    groups: [%s]\n",
		"  - username: a\n    groups: [x, %s]\n",
		"  - username: a\n    user_permissions: [%s, b.c]\n",
		"  - username: a\n    groups:\n      - %s\n",
		"  - username: '%s'\n",
		"  - username: \"%s\"\n",
		"  - username: a\n    groups: ['%s']\n",
	}
	accepted := 0
	for c := byte(' '); c < 0x7f; c++ {
		for _, v := range []string{string(c), "a" + string(c), string(c) + "a", "a" + string(c) + "b", "a " + string(c), "a" + string(c) + " b"} {
			for _, tmpl := range templates {
				items := fmt.Sprintf(tmpl, v)
				fast, node, fastOK, nodeOK, ok := fastAndNode(items)
				if !ok || !fastOK {
					continue
				}
				accepted++
				if !nodeOK || len(node.problems) > 0 || !reflect.DeepEqual(fast.users, node.users) || !reflect.DeepEqual(fast.lines, node.lines) {
					t.Errorf("%q:\n fast %s\n node %s (ok %v, problems %v)", items, showUsers(fast), showUsers(node), nodeOK, node.problems)
				}
			}
		}
	}
	if accepted < 1000 {
		t.Errorf("the fast path accepted only %d of the cases", accepted)
	}
}

// TestFastYAMLFallback: a batch the fast path gives up on part-way is
// decoded by the node path from scratch, problems included, and a whole
// file reads the same with the fast path as without it.
func TestFastYAMLFallback(t *testing.T) {
	data := yamlUsersFile(2*yamlChunkItems+3, 2)
	// In the second batch, a user the fast path reads in full, then one
	// with a comment and one with an unknown key.
	data = strings.Replace(data, "- username: user600\n", "- username: user600\n    is_staff: true # staff\n", 1)
	data = strings.Replace(data, "  email: user601@", "  emial: user601@", 1)
	yamlFastPath = false
	wd, _, werr := decodeYAML([]byte(data), 1, yamlTestOpts)
	yamlFastPath = true
	d, _, err := decodeYAML([]byte(data), 1, yamlTestOpts)
	if fmt.Sprint(err) != fmt.Sprint(werr) || !reflect.DeepEqual(viewDoc(d), viewDoc(wd)) {
		t.Fatalf("fast path on: %v\nfast path off: %v", err, werr)
	}
	if err == nil || !strings.Contains(err.Error(), `unknown key "emial"`) {
		t.Fatalf("problems: %v", err)
	}
	sameAsWhole(t, data)
}

// A tab or a lone CR (which splitYAMLUsers does not split) is refused
// by the fast path on its own too.
func TestFastYAMLUsersBreaks(t *testing.T) {
	for _, items := range []string{"  - username: a\tb\n", "  - username: a\rb\n", "  - username: a\r", "  - username: a\x00\n", "  - username: a\xffb\n"} {
		if fastYAMLUsers([]byte(items), 2, 2, make([]User, 1), make([]pos, 1), nil) {
			t.Errorf("%q: fast accepted", items)
		}
	}
	if !fastYAMLUsers([]byte("  - username: a\n"), 2, 2, make([]User, 1), make([]pos, 1), nil) {
		t.Error("a plain item refused")
	}
}

// batchUsers is one batch of users decoded, with their lines and
// problems.
type batchUsers struct {
	users    []User
	lines    []pos
	problems problemList
}

func showUsers(u batchUsers) string {
	var b strings.Builder
	for i, x := range u.users {
		fmt.Fprintf(&b, "\n  line %d: %+v", u.lines[i].line, x)
		for _, p := range []any{x.Email, x.FirstName, x.LastName, x.IsActive, x.IsStaff, x.IsSuperuser, x.Groups, x.UserPermissions, x.DateJoined, x.LastLogin} {
			if v := reflect.ValueOf(p); !v.IsNil() {
				fmt.Fprintf(&b, " %v", v.Elem())
			}
		}
	}
	return b.String()
}

// FuzzFastYAMLUsers: whatever items fastYAMLUsers accepts, the node tree
// decodes to the same users and lines, with no problem.
func FuzzFastYAMLUsers(f *testing.F) {
	for _, c := range fastYAMLCases {
		f.Add(c.items)
	}
	for _, v := range []string{"yes", "null", "~", "0x1F", "1e3", "2001-12-14", "'it''s'", `"a\"b"`, "a #b", "a: b", "- [a, b]", "[a, b]", "a  ", ".inf", "-a", "<<", "a]", "a,b", "=", "é"} {
		for _, k := range []string{"username", "is_staff", "groups", "date_joined"} {
			f.Add("  - " + k + ": " + v + "\n")
		}
	}
	f.Add("  - key:value\n")
	f.Add("  - username: a\r\n    groups:\r\n      - x\r\n")
	f.Fuzz(func(t *testing.T, items string) {
		fast, node, fastOK, nodeOK, ok := fastAndNode(items)
		if !ok || !fastOK {
			return
		}
		if !nodeOK {
			t.Fatalf("%q: fast accepted, the node path refuses", items)
		}
		if len(node.problems) > 0 {
			t.Fatalf("%q: fast accepted, the node path reports %v", items, node.problems)
		}
		if !reflect.DeepEqual(fast.users, node.users) || !reflect.DeepEqual(fast.lines, node.lines) {
			t.Fatalf("%q:\n fast %s\n node %s", items, showUsers(fast), showUsers(node))
		}
	})
}

// TestFastYAMLExport: what export writes in YAML (every field, unusable
// hashes, names beyond ASCII, times) is read by the fast path whole, to
// what the node tree gives.
func TestFastYAMLExport(t *testing.T) {
	src := newDB(t)
	src.apply(t, richDoc(t), auth.ApplyOptions{Manage: true})
	out := src.export(t, ExportOptions{YAML: true})
	_, items, ok := strings.Cut(out, "\nusers:\n")
	if !ok {
		t.Fatalf("no users section:\n%s", out)
	}
	fast, node, fastOK, nodeOK, ok := fastAndNode(items)
	if !ok || !fastOK || !nodeOK || len(fast.users) != 4 {
		t.Fatalf("split %v, fast %v, node %v, %d users:\n%s", ok, fastOK, nodeOK, len(fast.users), items)
	}
	if !reflect.DeepEqual(fast.users, node.users) || !reflect.DeepEqual(fast.lines, node.lines) {
		t.Fatalf("fast %s\nnode %s", showUsers(fast), showUsers(node))
	}
}
