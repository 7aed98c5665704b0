package seed

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
)

// DecodeFile reads a large JSON file's users in pieces (decodeStreamed)
// instead of holding the file whole. These tests hold that its answer —
// the Document with every position, the assertions, every problem and its
// text — is DecodeWithAssert's of the same bytes, whether the file is
// streamed or, for what the scan is not sure of, read whole; the scan's
// blocks and the chunks are made a few bytes and users long, so that
// elements, lines and problems fall across their boundaries.

// smallStream streams every file, in reads of block bytes.
func smallStream(tb testing.TB, block int) {
	oldMin, oldBlock := streamMinSize, streamBlock
	streamMinSize, streamBlock = 0, block
	tb.Cleanup(func() { streamMinSize, streamBlock = oldMin, oldBlock })
}

// decodeFileOf writes data to seed.json and decodes it with DecodeFile.
func decodeFileOf(t *testing.T, data string) (*auth.Document, *yaml.Node, error) {
	t.Helper()
	return decodeFileNamed(t, "seed.json", data)
}

// decodeFileNamed writes data to a file called name and decodes it with
// DecodeFile.
func decodeFileNamed(t *testing.T, name, data string) (*auth.Document, *yaml.Node, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return DecodeFile(f, DecodeOptions{Name: name, LookupEnv: env(map[string]string{"PW": "s3cret pass"})})
}

// streamed says whether data's users would be read in pieces.
func streamed(t *testing.T, data string) bool {
	t.Helper()
	_, _, _, ok := decodeStreamed(strings.NewReader(data), DecodeOptions{Name: "seed.json"}, 2)
	return ok
}

// decodeOneByOne is DecodeWithAssert on one worker, which reads the users
// one by one through encoding/json: the reference that the streamed and
// parallel paths (and their fast path, fastJSONUser) must agree with.
func decodeOneByOne(data []byte, opts DecodeOptions) (*auth.Document, *yaml.Node, error) {
	defer func(w func() int) { decodeWorkers = w }(decodeWorkers)
	decodeWorkers = func() int { return 1 }
	return DecodeWithAssert(data, opts)
}

func sameAsStreamed(t *testing.T, data string) {
	t.Helper()
	doc1, a1, err1 := decodeOneByOne([]byte(data), DecodeOptions{Name: "seed.json", LookupEnv: env(map[string]string{"PW": "s3cret pass"})})
	doc2, a2, err2 := decodeFileOf(t, data)
	sameDecode(t, []byte(data), decoded{doc1, a1, err1}, decoded{doc2, a2, err2})
}

// decoded is what a decode returned.
type decoded struct {
	doc    *auth.Document
	assert *yaml.Node
	err    error
}

// sameDecode fails t unless the streamed decode of data returned what the
// whole one did: the same error, document and assertions.
func sameDecode(t *testing.T, data []byte, whole, stream decoded) {
	t.Helper()
	if (whole.err == nil) != (stream.err == nil) || whole.err != nil && whole.err.Error() != stream.err.Error() {
		t.Fatalf("errors differ:\nwhole:  %v\nstream: %v\ninput:\n%q", whole.err, stream.err, data)
	}
	if !reflect.DeepEqual(flat(whole.doc), flat(stream.doc)) {
		t.Fatalf("documents differ:\nwhole:  %s\nstream: %s\ninput:\n%q", dump(whole.doc), dump(stream.doc), data)
	}
	if (whole.assert == nil) != (stream.assert == nil) || whole.assert != nil && !reflect.DeepEqual(*whole.assert, *stream.assert) {
		t.Fatalf("assertions differ\ninput:\n%q", data)
	}
}

func streamUsers(n int, user func(i int) string) string {
	var b strings.Builder
	b.WriteString("{\"groups\": [{\"name\": \"g\"}],\n \"users\": [\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  " + user(i))
	}
	b.WriteString("\n  ]}\n")
	return b.String()
}

func TestDecodeFileStreamsUsers(t *testing.T) {
	smallChunks(t, 3, 3)
	plain := func(i int) string {
		return `{"username": "user` + strings.Repeat("x", i%4) + string(rune('a'+i%26)) + `", "email": "u@example.com", "groups": ["g"], "password_hash": "pbkdf2_sha256$1000$salt$hash"}`
	}
	for _, block := range []int{1, 7, 64, 1 << 20} {
		smallStream(t, block)
		for _, tc := range []struct {
			name   string
			data   string
			stream bool // read in pieces, not whole
		}{
			{"users", streamUsers(10, plain), true},
			{"one user", streamUsers(1, plain), true},
			{"a multiple of the chunk", streamUsers(9, plain), true},
			{"empty array", "{\"users\": [\n]}", true},
			{"indented elements", "{\"users\": [\n  {\n    \"username\": \"a\"\n  },\n  {\"username\":\n \"b\", \"password_env\": \"PW\"}\n]}\n", true},
			{"keys after users on the last line", "{\"users\": [\n{\"username\": \"a\"}, {\"username\": \"b\"}], \"groups\": [{\"name\": \"bad name\", \"nope\": 1}], \"assert\": [{\"user\": \"a\"}]}", true},
			{"unknown top-level key after", strings.Replace(streamUsers(5, plain), "]}\n", `], "extra": 1}`, 1), true},
			{"syntax error after", strings.Replace(streamUsers(5, plain), "]}", "] x}", 1), true},
			{"syntax error before", strings.Replace(streamUsers(5, plain), `"g"}]`, `"g"} x]`, 1), true},
			{"more after the object", streamUsers(4, plain) + "{}", true},
			{"truncated", streamUsers(4, plain)[:len(streamUsers(4, plain))-4], false},
			{"unknown key in a user", streamUsers(8, func(i int) string {
				if i == 4 {
					return `{"username": "x", "nope": true}`
				}
				return plain(i)
			}), false},
			{"wrong type in the last user", streamUsers(7, func(i int) string {
				if i == 6 {
					return `{"username": 5}`
				}
				return plain(i)
			}), false},
			{"escapes and brackets in strings", streamUsers(6, func(i int) string {
				return fmt.Sprintf(`{"username": "u%d", "first_name": "a\\\\", "last_name": "\"}{[\\\\", "groups": ["g"]}`, i)
			}), true},
			{"a password problem", streamUsers(5, func(i int) string {
				if i == 2 {
					return `{"username": "y", "password_env": "PW", "password_hash": "x"}`
				}
				return plain(i)
			}), true},
			{"syntax error in a user", strings.Replace(streamUsers(6, plain), `"user`, `"us"er`, 1), false},
			{"missing comma", strings.Replace(streamUsers(6, plain), "},\n", "}\n", 1), false},
			{"trailing comma", strings.Replace(streamUsers(6, plain), "\n  ]}", ",\n  ]}", 1), false},
			{"not an object", "{\"users\": [\n\"a\"]}", false},
			{"users not an array", "{\"users\": {\n}}", false},
			{"two users keys", "{\"users\": [\n{\"username\": \"a\"}], \"users\": [\n{\"username\": \"b\"}]}", false},
			{"escaped key", "{\"user\\u0073\": [\n{\"username\": \"a\"}]}", false},
			{"one line", `{"users": [{"username": "a"}, {"username": "b"}]}`, false},
			{"byte order mark", "\ufeff" + streamUsers(3, plain), false},
			{"no users", "{\"groups\": [\n{\"name\": \"g\"}]}", false},
			{"YAML", "users:\n  - username: a\n", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := streamed(t, tc.data); got != tc.stream {
					t.Errorf("streamed = %v, want %v", got, tc.stream)
				}
				sameAsStreamed(t, tc.data)
			})
		}
	}
}

// A file smaller than streamMinSize, or read from a pipe, is read whole,
// with the same answer.
func TestDecodeFileSmallIsReadWhole(t *testing.T) {
	data := streamUsers(3, func(i int) string { return `{"username": "u` + string(rune('a'+i)) + `"}` })
	sameAsStreamed(t, data)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.WriteString(data); w.Close() }()
	defer r.Close()
	doc, _, err := DecodeFile(r, DecodeOptions{Name: "stdin"})
	if err != nil || len(doc.AllUsers()) != 3 {
		t.Fatalf("from a pipe: %v, %+v", err, doc)
	}
}

// FuzzStreamedDecodeMatches: whenever a file's users are read in pieces,
// the answer is DecodeWithAssert's of the whole file.
func FuzzStreamedDecodeMatches(f *testing.F) {
	smallChunks(f, 3, 2)
	smallStream(f, 5)
	for _, data := range parallelCorpus(f) {
		f.Add(data)
	}
	f.Add([]byte(streamUsers(7, func(i int) string { return `{"username": "u` + string(rune('a'+i)) + `", "groups": ["g"]}` })))
	f.Add([]byte("{\"users\": [\n{\"username\": \"a\"}, {\"username\": \"b\"}], \"groups\": [{\"name\": \"bad name\"}], \"assert\": [{\"user\": \"a\"}]}"))
	f.Add([]byte("{\"users\": [\n{\"username\": \"a\\\\\"},\n{\"username\": \"b\\\"}{\"}\n]}"))
	opts := DecodeOptions{Name: "f.json", LookupEnv: env(map[string]string{"PW": "pw"})}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc2, a2, err2, ok := decodeStreamed(strings.NewReader(string(data)), opts, 2)
		if !ok {
			return
		}
		doc1, a1, err1 := decodeOneByOne(data, opts)
		sameDecode(t, data, decoded{doc1, a1, err1}, decoded{doc2, a2, err2})
	})
}

// switchingReader serves a until its first pass has read to the end, then b:
// a file rewritten in place between the scan and the reads of the chunks.
type switchingReader struct {
	a, b     string
	switched bool
}

func (r *switchingReader) ReadAt(p []byte, off int64) (int, error) {
	src := r.a
	if r.switched {
		src = r.b
	}
	n, err := strings.NewReader(src).ReadAt(p, off)
	if err != nil {
		r.switched = true
	}
	return n, err
}

// A file rewritten between the two passes, with users of the same length in
// the same places, is not decoded from both: its chunks no longer hold what
// the scan read, and the file is read whole again.
func TestStreamedDecodeOfARewrittenFile(t *testing.T) {
	smallChunks(t, 3, 2)
	smallStream(t, 7)
	// In a, ub is in bb and the others in aa; in b, ui is in bb instead.
	user := func(inBB int) func(i int) string {
		return func(i int) string {
			g := "aa"
			if i == inBB {
				g = "bb"
			}
			return `{"username": "u` + string(rune('a'+i)) + `", "groups": ["` + g + `"]}`
		}
	}
	a := strings.Replace(streamUsers(10, user(1)), `[{"name": "g"}]`, `[{"name": "aa"}, {"name": "bb"}]`, 1)
	b := strings.Replace(streamUsers(10, user(8)), `[{"name": "g"}]`, `[{"name": "aa"}, {"name": "bb"}]`, 1)
	if len(a) != len(b) || a == b {
		t.Fatal("the two versions must differ in place")
	}
	if _, _, err, ok := decodeStreamed(&switchingReader{a: a, b: a}, DecodeOptions{Name: "seed.json"}, 2); !ok || err != nil {
		t.Fatalf("an unchanged file: ok %v, %v; want it streamed", ok, err)
	}
	if doc, _, err, ok := decodeStreamed(&switchingReader{a: a, b: b}, DecodeOptions{Name: "seed.json"}, 2); ok {
		t.Fatalf("a rewritten file was decoded from both versions: %v, %s", err, dump(doc))
	}
}

// A file whose size or times changed while it was read is read whole again.
func TestUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, []byte(`{"users": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if !unchanged(f, before) {
		t.Fatal("an untouched file reads as changed")
	}
	if err := os.WriteFile(path, []byte(`{"users": [1]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if unchanged(f, before) {
		t.Fatal("a rewritten file reads as unchanged")
	}
}

// TestDecodeFileRefusesSectionGivenTwice: a section given twice in a file
// large enough to be read in pieces is refused as the whole reading
// refuses it, whichever section comes twice and however its key is spelt,
// JSON and YAML alike.
func TestDecodeFileRefusesSectionGivenTwice(t *testing.T) {
	smallChunks(t, 3, 2)
	smallStream(t, 7)
	u := func(i int) string { return `{"username": "u` + string(rune('a'+i)) + `", "password_hash": "!"}` }
	head := strings.TrimSuffix(streamUsers(10, u), "]}\n")
	for _, data := range []string{
		head + "],\n \"users\": [{\"username\": \"late\"}]}\n",
		head + "],\n \"us\\u0065rs\": [\n" + u(20) + "]}\n",
		head + "],\n \"groups\": []}\n",
	} {
		sameAsStreamed(t, data)
		if _, _, err := decodeFileOf(t, data); err == nil || !strings.Contains(err.Error(), "given twice") {
			t.Fatalf("%q: %v", data, err)
		}
	}
	y := yamlUsersFile(9, 0) + "users:\n  - username: late\n" // 5 batches of 2
	opts := DecodeOptions{Name: "s.yaml", LookupEnv: env(nil)}
	got := decodeYAMLFileOf(t, []byte(y), opts)
	doc, a, err := DecodeWithAssert([]byte(y), opts)
	sameDecode(t, []byte(y), decoded{doc, a, err}, got)
	if got.err == nil || !strings.Contains(got.err.Error(), "given twice") {
		t.Fatalf("YAML: %v", got.err)
	}
}
