package seed

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDecodeFlowYAML: a YAML file written as a flow mapping starts with
// '{' as JSON does. It is read as YAML when it is not JSON, unless its
// name says JSON; a file that is neither gets the error of what its name
// says, JSON when it says nothing.
func TestDecodeFlowYAML(t *testing.T) {
	const flow = "{users: [{username: alice, groups: [staff]}], groups: [{name: staff}]}\n"
	for _, name := range []string{"seed.yaml", "seed.YML", "stdin", "seed.txt"} {
		doc := decodeOK(t, name, flow, DecodeOptions{})
		if len(doc.Users) != 1 || doc.Users[0].Username != "alice" || len(doc.Groups) != 1 {
			t.Errorf("%s: read as %+v", name, doc)
		}
	}
	for _, tc := range []struct{ name, src, want string }{
		// Named JSON: JSON only.
		{"seed.json", flow, "seed.json:1:2: not valid JSON: invalid character 'u'"},
		// YAML whose values are wrong: YAML's problems.
		{"stdin", "{users: [{username: a, oops: 1}]}", `stdin:1: unknown key "oops" in a user`},
		{"stdin", "{users: [], users: []}", `stdin:1: key "users" given twice at the top`},
		// Neither JSON nor YAML.
		{"stdin", "{users: [{username: a}]", "stdin:1:2: not valid JSON"},
		{"seed", "{\"users\": [}", "seed:1:12: not valid JSON"},
		{"seed.yml", "{users: [{username: a}]", "seed.yml:1: not valid YAML"},
	} {
		got := decodeErr(t, tc.name, tc.src)
		if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
			t.Errorf("%s %q: got %q, want one problem starting %q", tc.name, tc.src, got, tc.want)
		}
	}
}

// TestDecodeFileFlowYAML: a flow-mapping file large enough to be read in
// pieces is read as YAML too.
func TestDecodeFileFlowYAML(t *testing.T) {
	var b strings.Builder
	b.WriteString("{users: [")
	n := 0
	for ; int64(b.Len()) < streamMinSize+1024; n++ {
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{username: u" + strings.Repeat("x", 20) + strconv.Itoa(n) + "}")
	}
	b.WriteString("]}\n")
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, _, err := DecodeFile(f, DecodeOptions{Name: "big.yaml", LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(doc.AllUsers()); got != n {
		t.Fatalf("%d users, want %d", got, n)
	}
}
