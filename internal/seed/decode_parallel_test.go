package seed

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The users of a seeding file are decoded on several cores (JSON:
// parallelJSONUsers; YAML: the batches of splitYAMLUsers). These tests
// hold that for every input the answer — the File, every position, the
// assertions, the problems and their text — is the one the sequential
// reading gives.

// parallelWorkers are the worker counts compared with the sequential
// reading.
var parallelWorkers = []int{2, 3, 8}

// smallChunks makes chunks and batches of a few users, so that small files
// have many, for the rest of the test.
func smallChunks(tb testing.TB, jsonChunk, yamlBatch int) {
	oldJSON, oldYAML := jsonUsersChunk, yamlChunkItems
	jsonUsersChunk, yamlChunkItems = jsonChunk, yamlBatch
	tb.Cleanup(func() { jsonUsersChunk, yamlChunkItems = oldJSON, oldYAML })
}

// sameParallel checks that data decodes the same on one core and on
// several; it reports a difference as a test failure.
func sameParallel(t *testing.T, data []byte) {
	t.Helper()
	if msg := parallelDiff(data); msg != "" {
		t.Fatalf("%s\ninput:\n%q", msg, clip(data))
	}
}

func clip(data []byte) []byte {
	if len(data) > 2000 {
		return append(data[:1000:1000], append([]byte("…"), data[len(data)-1000:]...)...)
	}
	return data
}

// parallelDiff says how the sequential and the parallel readings of data
// differ ("" if they do not), data as Decode hands it to decodeJSON or
// decodeYAML.
func parallelDiff(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return ""
	}
	decode := func(workers int) (any, any, any, error) {
		if trimmed[0] == '{' {
			// 0: the sequential reading, jsonList for every section.
			f, l, a, err := decodeJSON(data, max(0, workers))
			return f, l, a, err
		}
		// YAML: the document, its users' table record by record.
		if workers < 0 { // the whole file as one tree
			d, a, err := decodeYAMLWhole(data, yamlTestOpts)
			return viewDoc(d), nil, a, err
		}
		d, a, err := decodeYAML(data, max(1, workers), yamlTestOpts)
		return viewDoc(d), nil, a, err
	}
	f1, l1, a1, err1 := decode(0)
	others := parallelWorkers
	if trimmed[0] != '{' {
		others = append([]int{-1}, others...)
	}
	for _, w := range others {
		f2, l2, a2, err2 := decode(w)
		switch {
		case fmt.Sprint(err1) != fmt.Sprint(err2):
			return fmt.Sprintf("workers %d: problems differ:\nsequential: %v\nparallel:   %v", w, err1, err2)
		case !reflect.DeepEqual(f1, f2):
			return fmt.Sprintf("workers %d: files differ:\nsequential: %+v\nparallel:   %+v", w, f1, f2)
		case !reflect.DeepEqual(l1, l2):
			return fmt.Sprintf("workers %d: positions differ:\nsequential: %+v\nparallel:   %+v", w, l1, l2)
		case !reflect.DeepEqual(a1, a2):
			return fmt.Sprintf("workers %d: assertions differ:\nsequential: %+v\nparallel:   %+v", w, a1, a2)
		}
	}
	return ""
}

// jsonUsersFile is a JSON seeding file of n users, one a line (all on one
// line if oneLine), after permissions and groups and before assertions.
func jsonUsersFile(n int, oneLine bool) string {
	nl := "\n"
	if oneLine {
		nl = " "
	}
	var b strings.Builder
	b.WriteString(`{"permissions": [{"permission": "blog.view", "name": "View"}],` + nl)
	b.WriteString(`"groups": [{"name": "g1", "permissions": ["blog.view"]}],` + nl + `"users": [` + nl)
	for i := range n {
		if i > 0 {
			b.WriteString("," + nl)
		}
		fmt.Fprintf(&b, `  {"username": "user%d", "email": "u%d@example.com", "groups": ["g1"], "is_staff": %t, "first_name": "A \"q\" [x] {y} \\ \u00e9"}`, i, i, i%3 == 0)
	}
	b.WriteString(nl + "]," + nl + `"assert": [{"user": "user1", "allowed": ["blog.view"]}]` + nl + "}" + nl)
	return b.String()
}

// parallelCorpus is the inputs the differential tests read: the package's
// fuzz seeds and examples, and generated files, clean and broken.
func parallelCorpus(t testing.TB) map[string][]byte {
	corpus := map[string][]byte{
		"seedYAML": []byte(seedYAML),
		"seedJSON": []byte(seedJSON),
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	for _, path := range seeds {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(raw), "\n") {
			lit, ok := strings.CutPrefix(line, "[]byte(")
			if !ok {
				continue
			}
			if s, err := strconv.Unquote(strings.TrimSuffix(lit, ")")); err == nil {
				corpus[path] = []byte(s)
			}
		}
	}
	files := map[string]string{
		"json":          jsonUsersFile(40, false),
		"json one line": jsonUsersFile(40, true),
		"json CRLF":     strings.ReplaceAll(jsonUsersFile(25, false), "\n", "\r\n"),
		"json tabs":     strings.ReplaceAll(jsonUsersFile(25, false), "  {", "\t{"),
		"json BOM":      "\ufeff" + jsonUsersFile(10, false),
		"yaml":          yamlUsersFile(40, 2),
		"yaml column 0": yamlUsersFile(25, 0),
		"yaml CRLF":     strings.ReplaceAll(yamlUsersFile(25, 2), "\n", "\r\n"),
	}
	for name, s := range files {
		corpus[name] = []byte(s)
	}
	j := jsonUsersFile(12, false)
	y := yamlUsersFile(12, 2)
	edits := map[string]string{
		"json unknown key":        strings.Replace(j, `"email": "u7@`, `"emial": "u7@`, 1),
		"json wrong type":         strings.Replace(j, `"is_staff": false`, `"is_staff": "no"`, 1),
		"json groups not a list":  strings.Replace(j, `"groups": ["g1"], "is_staff": true`, `"groups": "g1", "is_staff": true`, 1),
		"json duplicate key":      strings.Replace(j, `"email": "u5@`, `"username": "again", "email": "u5@`, 1),
		"json null user":          strings.Replace(j, `"users": [`+"\n", `"users": [null,`+"\n", 1),
		"json number user":        strings.Replace(j, `"users": [`+"\n", `"users": [1 ,`+"\n", 1),
		"json nested user":        strings.Replace(j, `"users": [`+"\n", `"users": [[{}],`+"\n", 1),
		"json empty users":        `{"users": [], "groups": [{"name": "g"}]}`,
		"json blank users":        "{\"users\" \n:\n [ \t\n] }",
		"json null users":         `{"users": null}`,
		"json users an object":    `{"users": {"username": "a"}}`,
		"json users twice":        `{"users": [{"username": "a"}], "groups": [], "users": [{"username": "b"}, {"username": "c"}]}`,
		"json trailing comma":     strings.Replace(j, "\n],\n\"assert\"", ",\n],\n\"assert\"", 1),
		"json leading comma":      strings.Replace(j, `"users": [`+"\n", `"users": [,`+"\n", 1),
		"json missing comma":      strings.Replace(j, "},\n  {\"username\": \"user4\"", "}\n  {\"username\": \"user4\"", 1),
		"json comma after key":    strings.Replace(j, `"users": [`, `"users", [`, 1),
		"json garbage after list": strings.Replace(j, "\n],\n\"assert\"", "\n] x,\n\"assert\"", 1),
		"json number after list":  strings.Replace(j, "\n],\n\"assert\"", "\n]1,\n\"assert\"", 1),
		"json users last":         `{"groups": [], "users": [{"username": "a"}, {"username": "b"}]}`,
		"json ends after list":    `{"groups": [], "users": [{"username": "a"}, {"username": "b"}]`,
		"json more after }":       `{"users": [{"username": "a"}]} {}`,
		"json escaped key":        `{"us\u0065rs": [{"username": "a"}, {"username": "b\"]}"}]}`,
		"json unknown top key":    strings.Replace(j, `"assert"`, `"asert"`, 1),
		"yaml unknown key":        strings.Replace(y, "  email: user7@", "  emial: user7@", 1),
		"yaml wrong type":         strings.Replace(y, "  email: user7@example.com\n", "  is_staff: maybe\n", 1),
		"yaml anchor":             strings.Replace(y, "- username: user3\n", "- &u3\n    username: user3\n", 1),
		"yaml alias":              strings.Replace(strings.Replace(y, "- username: user0\n", "- &u0\n    username: user0\n", 1), "- username: user9\n", "- <<: *u0\n    username: user9\n", 1),
		"yaml tab":                strings.Replace(y, "  email: user7@", "\temail: user7@", 1),
		"yaml bad batch":          strings.Replace(y, "groups: [g1]\n", "groups: [g1\n", 1),
	}
	for name, s := range edits {
		corpus[name] = []byte(s)
	}
	return corpus
}

// TestParallelDecodeMatches: every input of the corpus, and every
// truncation and one-byte change of the generated files, decodes on several
// workers exactly as on one.
func TestParallelDecodeMatches(t *testing.T) {
	smallChunks(t, 3, 2)
	corpus := parallelCorpus(t)
	for name, data := range corpus {
		t.Run(name, func(t *testing.T) { sameParallel(t, data) })
	}
	for _, name := range []string{"json", "json CRLF", "yaml"} {
		data := corpus[name]
		step := max(1, len(data)/300)
		for off := 0; off < len(data); off += step {
			sameParallel(t, data[:off])
			for _, c := range []byte(`"\,]}{[: x1`) {
				mutated := bytes.Clone(data)
				mutated[off] = c
				sameParallel(t, mutated)
			}
		}
	}
}

// TestParallelDecodeReadsApart: a clean file's users really are decoded
// apart (not through the sequential fallback), in several chunks, at the
// default sizes too; one broken element sends the JSON array back to the
// sequential reading, which reports it as before.
func TestParallelDecodeReadsApart(t *testing.T) {
	for _, chunk := range []int{0, 3} {
		if chunk > 0 {
			smallChunks(t, chunk, chunk)
		}
		n := 3*jsonUsersChunk + 5
		data := []byte(jsonUsersFile(n, false))
		off := bytes.Index(data, []byte(`"users"`)) + len(`"users"`)
		ju, ok := parallelJSONUsers(data, off, newLineCounter(data), 2)
		if !ok || len(ju.users) != n || ju.users[n-1].Username != fmt.Sprintf("user%d", n-1) || ju.at[1] != (pos{5, 3}) {
			t.Fatalf("chunk %d: parallelJSONUsers: ok %v, %d users, positions %v", chunk, ok, len(ju.users), ju.at[:2])
		}
		sameParallel(t, data)
		broken := bytes.Replace(data, []byte(`"email": "u7@`), []byte(`"emial": "u7@`), 1)
		if _, ok := parallelJSONUsers(broken, off, newLineCounter(broken), 2); ok {
			t.Fatalf("chunk %d: an unknown key was read in parallel", chunk)
		}
		_, _, _, err := decodeJSON(broken, 2)
		if want := `11:25: users[7]: unknown key "emial" in a user`; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("chunk %d: got %v, want %s", chunk, err, want)
		}
		y := []byte(yamlUsersFile(n, 2))
		if _, users, ok := splitYAMLUsers(y, 2, yamlTestOpts); !ok || users.table.Len() != n {
			t.Fatalf("chunk %d: splitYAMLUsers did not split", chunk)
		}
		sameParallel(t, y)
	}
}

// FuzzParallelDecodeMatches: any input decodes on several workers exactly
// as on one (chunks of three JSON users, batches of two YAML items).
func FuzzParallelDecodeMatches(f *testing.F) {
	smallChunks(f, 3, 2)
	for _, data := range parallelCorpus(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg := parallelDiff(data); msg != "" {
			t.Fatalf("%s\ninput:\n%q", msg, clip(data))
		}
	})
}
