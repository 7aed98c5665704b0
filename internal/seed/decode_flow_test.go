package seed

import (
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
		// A first key in double quotes: meant as JSON, so a JSON mistake
		// that YAML would take is reported as JSON's, with its column.
		{"stdin", "{\"users\": [{\"username\": \"a\",}]}", "stdin:1:29: not valid JSON"},
		{"stdin", "{ \"users\": [{\"username\": \"a\", \"is_staff\": tru}]}", "stdin:1:46: not valid JSON"},
		// Two files joined: YAML would read the first and drop the second.
		{"stdin", "{\"users\": [{\"username\": \"a\"}]}\n{\"users\": [{\"username\": \"b\"}]}", "stdin:2: not valid JSON: more after the closing }"},
		{"stdin", "{users: [{username: a}]}\n{users: [{username: b}]}", "stdin:1:2: not valid JSON"},
		{"seed.yaml", "{users: [{username: a}]}\n{users: [{username: b}]}", "seed.yaml:1: not valid YAML: did not find expected <document start>"},
	} {
		wantOneProblem(t, tc.name, tc.src, tc.want)
	}
}

// TestDecodeFileFlowYAML: files large enough to be read in pieces are read
// as a whole read reads them: flow YAML, and a users array in JSON with
// the rest in flow YAML (which the JSON reading in pieces takes up to the
// end of the array).
func TestDecodeFileFlowYAML(t *testing.T) {
	smallStream(t, 64)
	var users strings.Builder
	for i := range 40 {
		if i > 0 {
			users.WriteString(",\n")
		}
		users.WriteString(`  {"username": "u` + strconv.Itoa(i) + `", "groups": ["staff"]}`)
	}
	for _, data := range []string{
		"{users: [\n" + strings.ReplaceAll(users.String(), `"`, "") + "\n], groups: [{name: staff}]}\n",
		"{\"users\": [\n" + users.String() + "\n], groups: [{name: staff}]}\n",
	} {
		doc, _, err := decodeFileNamed(t, "big.yaml", data)
		if err != nil {
			t.Fatalf("%.30q...: %v", data, err)
		}
		if len(doc.AllUsers()) != 40 || len(doc.Groups) != 1 {
			t.Fatalf("%.30q...: %d users and %d groups, want 40 and 1", data, len(doc.AllUsers()), len(doc.Groups))
		}
		// Named JSON, it is JSON's to refuse.
		if _, _, err := decodeFileNamed(t, "big.json", data); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
			t.Fatalf("%.30q... as big.json: %v", data, err)
		}
	}
}

// TestDecodeOneDocument: a YAML file holds one document; a second is an
// error at its line (yaml.Unmarshal would drop it), an empty one at the
// end is not.
func TestDecodeOneDocument(t *testing.T) {
	wantOneProblem(t, "two.yaml", "users:\n  - username: a\n---\nusers:\n  - username: b\n", "two.yaml:4: not valid YAML: a second document starts here")
	for _, src := range []string{"users:\n  - username: a\n---\n", "---\nusers:\n  - username: a\n...\n"} {
		if doc := decodeOK(t, "one.yaml", src, DecodeOptions{}); len(doc.Users) != 1 {
			t.Errorf("%q: %d users", src, len(doc.Users))
		}
	}
}
