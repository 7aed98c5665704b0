package seed

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// DecodeFile reads a large YAML file's users section a batch at a time
// (decodeYAMLStreamed) instead of holding the file whole. These tests hold
// that its first pass reads a file exactly as splitYAMLUsers reads it held
// whole — the same rest, batches, lines and decisions — and that the
// answer is DecodeWithAssert's of the same bytes.

// yamlStreamInputs are the YAML files the stream tests read: the YAML
// inputs of the differential corpus, generated files, and files with lines
// longer than a read, CRLF, a byte order mark, no final line break.
func yamlStreamInputs(t *testing.T) map[string][]byte {
	inputs := map[string][]byte{}
	for name, data := range parallelCorpus(t) {
		if t := strings.TrimLeft(string(data), " \t\r\n"); t != "" && t[0] != '{' {
			inputs[name] = data
		}
	}
	rnd := rand.New(rand.NewPCG(7, 7))
	for i := range 150 {
		inputs[fmt.Sprint("generated ", i)] = []byte(generatedYAML(rnd))
	}
	long := passwordUsersFile(9, func(i int) string {
		return fmt.Sprintf("    first_name: %s\n", strings.Repeat("x", 50*i))
	})
	for name, s := range map[string]string{
		"passwords":            passwordUsersFile(20, mixedSource),
		"long lines":           long,
		"CRLF":                 strings.ReplaceAll(passwordUsersFile(11, mixedSource), "\n", "\r\n"),
		"byte order mark":      "\ufeff" + passwordUsersFile(5, mixedSource),
		"no final line break":  "users:\n  - username: a\n  - username: b",
		"comments after items": "users:\n  # first\n  - username: a\n  - username: b\n\n  # trailing\n# top\ngroups:\n  - name: g\n",
		"users last":           "groups:\n  - name: g\nusers:\n  - username: a\n  - username: b\n  - username: c\n",
		"blanks only":          "  \n\n",
		"JSON":                 "  {\"users\": [{\"username\": \"a\"}]}\n",
		"a brace first":        "{\nusers:\n  - username: a\n",
		"lone CR in the users": "users:\n  - username: a\r  - username: b\n",
	} {
		inputs[name] = []byte(s)
	}
	return inputs
}

// streamScanDiff says how the first pass over data, read block bytes at a
// time, differs from splitYAMLUsers' reading of data held whole ("" if it
// does not), and whether data was split.
func streamScanDiff(data []byte, block int) (string, bool) {
	rest1, batches1, indent1, key1, ok1 := planYAMLSplit(data)
	if strings.HasPrefix(string(data), "\ufeff") || strings.HasPrefix(strings.TrimLeft(string(data), " \t\r\n"), "{") {
		ok1 = false // Decode does not read these as YAML as they are
	}
	old := streamBlock
	streamBlock = block
	rest2, batches2, indent2, key2, ok2 := scanYAMLUsers(strings.NewReader(string(data)))
	streamBlock = old
	if ok1 != ok2 {
		return fmt.Sprintf("reads of %d: split %v, streamed %v", block, ok1, ok2), ok1
	}
	if !ok1 {
		return "", false
	}
	for i := range batches2 {
		b := batches2[i]
		if want := crc32.Checksum(data[b.from:b.to], castagnoli()); b.sum != want {
			return fmt.Sprintf("reads of %d: batch %d checksum %x, want %x", block, i, b.sum, want), true
		}
		batches2[i].sum = 0
	}
	if string(rest1) != string(rest2) || !reflect.DeepEqual(batches1, batches2) || indent1 != indent2 || key1 != key2 {
		return fmt.Sprintf("reads of %d:\nwhole:  %q %+v %d %d\nstream: %q %+v %d %d", block, rest1, batches1, indent1, key1, rest2, batches2, indent2, key2), true
	}
	return "", true
}

// TestYAMLStreamScan: the first pass over a file read a few bytes at a
// time finds what splitYAMLUsers finds in the file held whole: whether to
// split, the rest, each batch's bytes, first item, count and line, the
// indentation and the users key's line; each batch's checksum is that of
// its bytes.
func TestYAMLStreamScan(t *testing.T) {
	split := 0
	for name, data := range yamlStreamInputs(t) {
		for _, batch := range []int{1, 2, 5} {
			smallChunks(t, 3, batch)
			for _, block := range []int{16, 61, 1 << 20} {
				msg, ok := streamScanDiff(data, block)
				if msg != "" {
					t.Fatalf("%s, batches of %d: %s", name, batch, msg)
				}
				if ok && block == 16 {
					split++
				}
			}
		}
	}
	if split < 200 {
		t.Fatalf("only %d of the inputs were split", split)
	}
}

// FuzzYAMLStreamScan: whatever the file, the first pass over it in pieces
// reads it as splitYAMLUsers reads it whole (batches of two items).
func FuzzYAMLStreamScan(f *testing.F) {
	smallChunks(f, 3, 2)
	for _, data := range parallelCorpus(f) {
		f.Add(data)
	}
	f.Add([]byte(passwordUsersFile(5, mixedSource)))
	f.Add([]byte("{\nusers:\n  - username: a\n"))
	f.Add([]byte("users:\n  - username: a\r  - username: b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if msg, _ := streamScanDiff(data, 16); msg != "" {
			t.Fatalf("%s\ninput: %q", msg, data)
		}
	})
}

// decodeYAMLFileOf writes data to a file and decodes it with DecodeFile,
// every file streamed.
func decodeYAMLFileOf(t *testing.T, data []byte, opts DecodeOptions) decoded {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, assert, err := DecodeFile(f, opts)
	return decoded{doc, assert, err}
}

// TestYAMLStreamMatches: a YAML file decoded by DecodeFile with its users
// read in pieces gives DecodeWithAssert's answer for the same bytes — the
// document (every user of the table, record by record, with its position
// and password), the assertions, and every problem in order — on one
// worker and on several; BeforeYAML is called once either way.
func TestYAMLStreamMatches(t *testing.T) {
	smallChunks(t, 3, 2)
	smallStream(t, 23)
	dir := passwordDir(t)
	opts := DecodeOptions{Name: "s.yaml", Dir: dir, LookupEnv: env(map[string]string{"PW": "pw"})}
	defer func(w func() int) { decodeWorkers = w }(decodeWorkers)
	streamed := 0
	defer func(f func()) { yamlFileStreamed = f }(yamlFileStreamed)
	yamlFileStreamed = func() { streamed++ }
	for name, data := range yamlStreamInputs(t) {
		for _, workers := range []int{1, 3} {
			decodeWorkers = func() int { return workers }
			calls := 0
			o := opts
			o.BeforeYAML = func() { calls++ }
			got := decodeYAMLFileOf(t, data, o)
			decodeWorkers = func() int { return 1 }
			doc, assert, err := DecodeWithAssert(data, opts)
			want := decoded{doc, assert, err}
			if fmt.Sprint(got.err) != fmt.Sprint(want.err) {
				t.Fatalf("%s, workers %d: problems differ:\nfile:  %v\nbytes: %v", name, workers, got.err, want.err)
			}
			if v1, v2 := viewDoc(got.doc), viewDoc(want.doc); !reflect.DeepEqual(v1, v2) {
				t.Fatalf("%s, workers %d: documents differ:\nfile:  %s\nbytes: %s", name, workers, v1, v2)
			}
			if (got.assert == nil) != (want.assert == nil) || got.assert != nil && !reflect.DeepEqual(*got.assert, *want.assert) {
				t.Fatalf("%s, workers %d: assertions differ", name, workers)
			}
			// Read as YAML: all but an empty file and JSON.
			trimmed := strings.TrimLeft(strings.TrimPrefix(string(data), "\ufeff"), " \t\r\n")
			readAsYAML := trimmed != "" && (!strings.HasPrefix(trimmed, "{") || !json.Valid([]byte(trimmed)))
			if wantCalls := map[bool]int{true: 1, false: 0}[readAsYAML]; calls != wantCalls {
				t.Fatalf("%s: BeforeYAML called %d times, want %d", name, calls, wantCalls)
			}
		}
	}
	if streamed < 2*80 { // each input on 1 and 3 workers
		t.Fatalf("only %d of the inputs were read in pieces", streamed)
	}
}

// A YAML file rewritten between the two passes, with the same length, is
// not decoded from both: its batches no longer hold what the first pass
// read, and the file is read whole again.
func TestYAMLStreamOfARewrittenFile(t *testing.T) {
	smallChunks(t, 3, 2)
	smallStream(t, 16)
	a := passwordUsersFile(10, func(i int) string { return "    email: a@example.com\n" })
	b := strings.Replace(a, "u7\n    groups: [g1]\n    email: a@", "u7\n    groups: [g1]\n    email: b@", 1)
	if len(a) != len(b) || a == b {
		t.Fatal("the two versions must differ in place")
	}
	opts := DecodeOptions{Name: "seed.yaml", LookupEnv: env(nil)}
	if doc, _, ok := decodeYAMLStreamed(&switchingReader{a: a, b: a}, opts, 2); !ok || doc.UserTable.Len() != 10 {
		t.Fatalf("an unchanged file: ok %v; want it read in pieces", ok)
	}
	if doc, _, ok := decodeYAMLStreamed(&switchingReader{a: a, b: b}, opts, 2); ok {
		t.Fatalf("a rewritten file was decoded from both versions: %s", viewDoc(doc))
	}
}
