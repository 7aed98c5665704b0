package seed

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// yamlUsersFile is a seeding file of n users around a groups section, with
// comments and blank lines between items, the items at indent spaces.
func yamlUsersFile(n, indent int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString("# generated\ngroups:\n  - name: g1\nusers:   # every user\n")
	for i := range n {
		fmt.Fprintf(&b, "%s- username: user%d\n%s  email: user%d@example.com\n%s  groups: [g1]\n", pad, i, pad, i, pad)
		if i%97 == 0 {
			b.WriteString("\n# a comment\n" + pad + "  # an indented comment\n")
		}
	}
	b.WriteString("assert:\n  - user: user1\n    allowed: [a.b]\n")
	return b.String()
}

// sameAsWhole checks that decodeYAML reads data exactly as one tree of the
// whole file does: the same document (every user of its table, record by
// record, with its position and password), assertions and problems, in
// the same order.
func sameAsWhole(t *testing.T, data string) {
	t.Helper()
	if msg := wholeDiff([]byte(data), decodeWorkers(), yamlTestOpts); msg != "" {
		t.Fatal(msg)
	}
}

// yamlTestOpts are the options the YAML tests decode with: one variable
// set, password files under the package's directory.
var yamlTestOpts = decodeDefaults(DecodeOptions{Name: "f.yaml", LookupEnv: env(map[string]string{"PW": "s3cret pass"})})

// wholeDiff says how decodeYAML's reading of data on workers goroutines
// differs from one tree of the whole file ("" if it does not).
func wholeDiff(data []byte, workers int, opts DecodeOptions) string {
	d1, a1, err1 := decodeYAML(data, workers, opts)
	d2, a2, err2 := decodeYAMLWhole(data, opts)
	v1, v2 := viewDoc(d1), viewDoc(d2)
	switch {
	case fmt.Sprint(err1) != fmt.Sprint(err2):
		return fmt.Sprintf("workers %d: problems differ:\nsplit: %v\nwhole: %v", workers, err1, err2)
	case !reflect.DeepEqual(v1, v2):
		return fmt.Sprintf("workers %d: documents differ:\nsplit: %s\nwhole: %s", workers, v1, v2)
	case (a1 == nil) != (a2 == nil) || a1 != nil && !reflect.DeepEqual(*a1, *a2):
		return fmt.Sprintf("workers %d: assert sections differ: %+v, %+v", workers, a1, a2)
	}
	return ""
}

// TestYAMLUsersSplit: a large block-style users section is read in batches
// of items, each through its own small tree, with the same result (users,
// their lines, everything else in the file) as reading the file whole; a
// file it cannot split with certainty is read whole.
func TestYAMLUsersSplit(t *testing.T) {
	big := yamlUsersFile(3*yamlChunkItems+5, 2)
	cases := []struct {
		name, data string
		split      bool
	}{
		{"indented items", big, true},
		{"items at the first column", yamlUsersFile(yamlChunkItems+1, 0), true},
		{"CRLF", strings.ReplaceAll(yamlUsersFile(yamlChunkItems+1, 2), "\n", "\r\n"), true},
		{"one user, file ends in the section", "users:\n  - username: a", true},
		{"alias to an anchor in another batch",
			strings.Replace(strings.Replace(big, "- username: user0\n", "- &first\n    username: user0\n", 1),
				"- username: user1000\n", "- <<: *first\n    username: user1000\n", 1), false},
		{"anchor in the users, alias after them",
			"users:\n  - username: a\n    groups: &gs [g1]\ngroups:\n  - name: g1\n    permissions: *gs\n", false},
		{"anchor redefined in the users, alias after them",
			"permissions:\n  - permission: &p blog.view_post\n    name: View\n  - permission: blog.publish_post\n    name: Publish\n" +
				"users:\n  - username: bob\n    user_permissions: [&p blog.publish_post]\ngroups:\n  - name: editors\n    permissions: [*p]\n", false},
		{"a second users key, quoted", "users:\n  - username: alice\n\"users\":\n  - username: bob\n", true},
		{"a second users key, spaced", "users:\n  - username: alice\nusers :\n  - username: bob\n", true},
		{"users: inside a quoted scalar", "groups:\n  - name: \"Editors and\nusers:\n  - username: bob\n\"\n", true},
		{"a lone CR before the users", "# a\r# b\nusers:\n  - username: alice\n    is_staff: true\n  - username: \"bad name!\"\n", false},
		{"flow list", "users: [{username: a}]\n", false},
		{"list on the next line in flow style", "users:\n  [{username: a}]\n", false},
		{"two documents", "users:\n  - username: a\n---\nusers: []\n", false},
		{"users twice", "users:\n  - username: a\nusers:\n  - username: b\n", false},
		{"a tab", "users:\n  - username: a\n\tbad: x\n", false},
		{"item less indented", "users:\n    - username: a\n  - username: b\n", false},
		{"not an item at the items' column", "users:\n  - username: a\n  x: 1\n", false},
		// A batch with a problem: the file is read whole, which reports it.
		{"problems in a later batch", strings.Replace(big, "  email: user700@", "  emial: user700@", 1), false},
		{"a batch that is not valid YAML", strings.Replace(big, "groups: [g1]\n", "groups: [g1\n", 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, ok := splitYAMLUsers([]byte(c.data), decodeWorkers(), yamlTestOpts); ok != c.split {
				t.Errorf("split = %v, want %v", ok, c.split)
			}
			sameAsWhole(t, c.data)
		})
	}
	doc, assert, err := decodeYAML([]byte(big), decodeWorkers(), yamlTestOpts)
	if err != nil || doc.UserTable.Len() != 3*yamlChunkItems+5 || len(doc.Users) != 0 || len(doc.Groups) != 1 || assert == nil {
		t.Fatalf("got %d users, %d groups, assert %v, %v", doc.UserTable.Len(), len(doc.Groups), assert != nil, err)
	}
	last := doc.UserTable.Len() - 1
	u := doc.UserTable.User(last)
	if want := fmt.Sprintf("user%d", last); u.Username != want {
		t.Errorf("last user %q, want %q", u.Username, want)
	}
	if got, want := int(u.Pos.Line), strings.Count(big[:strings.Index(big, fmt.Sprintf("- username: user%d\n", last))], "\n")+1; got != want {
		t.Errorf("last user at line %d, want %d", got, want)
	}
}

// FuzzDecodeYAMLSplit: whatever the file, reading its users in batches
// gives what reading it whole gives.
func FuzzDecodeYAMLSplit(f *testing.F) {
	f.Add([]byte(seedYAML))
	f.Add([]byte(yamlUsersFile(3, 2)))
	f.Add([]byte("users:\n  - &a {username: x}\n  - *a\n  - <<: *a\n"))
	f.Add([]byte("users:\n- username: a\n  groups: |\n    - x\n- username: b\n"))
	f.Add([]byte("users:\n  - username: alice\n\"users\":\n  - username: bob\n"))
	f.Add([]byte("groups:\n  - name: \"Editors and\nusers:\n  - username: bob\n\"\n"))
	f.Add([]byte("a: &p x\nusers:\n  - username: bob\n    groups: [&p y]\nb: *p\n"))
	f.Add([]byte("# a\r# b\nusers:\n  - username: \"bad name!\"\n"))
	f.Add([]byte(passwordUsersFile(9, mixedSource)))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsWhole(t, string(data))
	})
}

// The rest of a split file takes the users read apart only where its users
// key is left with no value: a block scalar's "|" at the start of the line
// after the last item is read with the items in the whole file (where it
// is an error), so the file is read whole.
func TestYAMLSplitRestUsersEmpty(t *testing.T) {
	for _, c := range []struct {
		data string
		err  error
	}{
		{yamlUsersFile(3, 2), nil},
		{"users:\n- groups:\n|", errSplitUncertain},
		{"users:\n- username: a\n>\n", errSplitUncertain},
	} {
		rest, pre, ok := splitYAMLUsers([]byte(c.data), 1, yamlTestOpts)
		if !ok {
			t.Fatalf("%q: not split", c.data)
		}
		if _, _, _, err := decodeYAMLTree(rest, pre.keyLine); !errors.Is(err, c.err) && !(c.err == nil && err == nil) {
			t.Errorf("%q: rest decoded with %v, want %v", c.data, err, c.err)
		}
		sameAsWhole(t, c.data)
	}
}
