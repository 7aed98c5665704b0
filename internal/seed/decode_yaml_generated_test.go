package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// generatedYAML is a random seeding file: a users section of items in
// every shape the fast path reads and many it leaves to the node path
// (comments, quoting, escapes, block lists, flow mappings, anchors and
// aliases), with every kind of password source, sometimes a problem, and
// other sections before or after it.
func generatedYAML(rnd *rand.Rand) string {
	var b strings.Builder
	pick := func(choices ...string) string { return choices[rnd.IntN(len(choices))] }
	other := func() {
		switch rnd.IntN(4) {
		case 0:
			b.WriteString("groups:\n  - name: g1\n  - name: g2\n    permissions: [a.b]\n")
		case 1:
			b.WriteString("permissions:\n  - permission: a.b\n    name: A b\n")
		case 2:
			b.WriteString("# a comment\n\n")
		}
	}
	other()
	b.WriteString(pick("users:\n", "users:   # the users\n"))
	n := 1 + rnd.IntN(30)
	anchored := false
	for i := range n {
		pad := "  "
		switch rnd.IntN(40) {
		case 0:
			b.WriteString("  - {username: f" + fmt.Sprint(i) + ", is_staff: true}\n")
			continue
		case 1:
			b.WriteString("  - &u" + fmt.Sprint(i) + "\n    username: a" + fmt.Sprint(i) + "\n")
			anchored = true
			continue
		case 2:
			if anchored {
				b.WriteString("  - <<: *u0\n    username: m" + fmt.Sprint(i) + "\n")
				continue
			}
		}
		b.WriteString(pad + "- username: " + pick(fmt.Sprintf("u%d", i), fmt.Sprintf("'u%d'", i), fmt.Sprintf("\"u\\x41%d\"", i), fmt.Sprintf("u%d # c", i)) + "\n")
		if rnd.IntN(3) == 0 {
			b.WriteString(pad + "  email: " + pick(fmt.Sprintf("e%d@example.com", i), fmt.Sprintf("\"e%d@example.com\"", i), "null") + "\n")
		}
		if rnd.IntN(3) == 0 {
			b.WriteString(pad + "  first_name: " + pick(fmt.Sprintf("First%d", i), fmt.Sprintf("'First %d'", i)) + "\n")
		}
		if rnd.IntN(3) == 0 {
			b.WriteString(pad + "  is_staff: " + pick("true", "no", "yes", "True") + "\n")
		}
		switch rnd.IntN(4) {
		case 0:
			b.WriteString(pad + fmt.Sprintf("  groups: [g1, g%d]\n", i))
		case 1:
			b.WriteString(pad + "  groups:\n" + pad + "    - g1\n\n" + pad + "    # between\n" + pad + fmt.Sprintf("    - h%d\n", i))
		case 2:
			b.WriteString(pad + "  user_permissions: " + pick("[a.b]", "[]", "['a.c', \"a.d\"]") + "\n")
		}
		if rnd.IntN(150) == 0 { // a problem in the users
			b.WriteString(pad + "  " + pick("emial: x", "is_staff: maybe", "groups: g1", "user_permissions: {x: 1}") + "\n")
		}
		b.WriteString(mixedSource(rnd.IntN(7)))
		if rnd.IntN(6) == 0 {
			b.WriteString(pick("\n", "# between items\n", "    # indented\n", "\n\n"))
		}
	}
	other()
	if rnd.IntN(20) == 0 {
		b.WriteString("extra: 1\n")
	}
	if rnd.IntN(2) == 0 {
		b.WriteString("assert:\n  - user: u1\n    allowed: [a.b]\n")
	}
	s := b.String()
	if rnd.IntN(10) == 0 {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return s
}

// TestYAMLSplitGenerated: for many generated files, batch sizes and worker
// counts, the split reading gives the document of a whole-file read —
// every user of its table, record by record, its password and position,
// and every problem, in order — or the same problems.
func TestYAMLSplitGenerated(t *testing.T) {
	dir := passwordDir(t)
	opts := decodeDefaults(DecodeOptions{Name: "gen.yaml", Dir: dir, LookupEnv: env(map[string]string{"PW": "pw"})})
	rnd := rand.New(rand.NewPCG(12, 0))
	split, clean := 0, 0
	for range 400 {
		data := []byte(generatedYAML(rnd))
		smallChunks(t, 3, 1+rnd.IntN(4))
		workers := []int{1, 2, 3, 8}[rnd.IntN(4)]
		if msg := wholeDiff(data, workers, opts); msg != "" {
			t.Fatalf("batches of %d: %s\ninput:\n%s", yamlChunkItems, msg, data)
		}
		if _, _, ok := splitYAMLUsers(data, workers, opts); ok {
			split++
		}
		if _, _, err := decodeYAMLWhole(data, opts); err == nil {
			clean++
		}
	}
	// The files are a mix: some split, some read whole; most decode.
	t.Logf("%d of 400 files split, %d decode", split, clean)
	if split < 100 || split > 380 || clean < 100 || clean > 380 {
		t.Fatalf("%d of 400 files split, %d decode", split, clean)
	}
}
