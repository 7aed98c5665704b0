package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"authctl/internal/cmdutil"
)

// A seeding file large enough that apply reads its users in pieces
// (seed.DecodeFile) applies as a small one does, and its problems are
// reported with their lines and JSON paths, from the file or from
// standard input (read whole).
func TestApplyLargeJSONFile(t *testing.T) {
	const n = 24_000 // about 6 MiB
	const hash = "pbkdf2_sha256$1000$Wonderland2024$vOKVrY93mzX4LS/3Btohz30o1XgLlwyAjtldxXbs42w="
	file := func(user func(i int) string) string {
		var b strings.Builder
		b.WriteString("{\"groups\": [{\"name\": \"staff\"}],\n\"users\": [\n")
		for i := range n {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(user(i))
		}
		b.WriteString("\n]}\n")
		return b.String()
	}
	plain := func(i int) string {
		return fmt.Sprintf(`  {"username": "user%05d", "email": "user%05d@example.com", "first_name": "First%d", "last_name": "Last%d", "groups": ["staff"], "password_hash": %q}`, i, i, i, i, hash)
	}
	write := func(e *testEnv, data string) string {
		path := filepath.Join(e.dir, "seed.json")
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	t.Run("clean", func(t *testing.T) {
		e := newTestEnv(t)
		code, _, stderr := e.exec("apply", "-f", write(e, file(plain)))
		if code != 0 || !strings.Contains(stderr, fmt.Sprintf("created %d,", n+1)) {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !e.userExists("user00000") || !e.userExists(fmt.Sprintf("user%05d", n-1)) {
			t.Fatal("users missing")
		}
	})

	// Line 3 holds user 0: user i is on line i+3, at column 3 (a key: at
	// its own column).
	for _, tc := range []struct {
		name string
		bad  map[int]string
		want []string
	}{
		{"an unknown key", map[int]string{15_000: `  {"username": "x", "nope": 1}`},
			[]string{`seed.json:15003:21: users[15000]: unknown key "nope" in a user`}},
		{"bad emails across chunks", map[int]string{1023: `  {"username": "a", "email": "no at"}`, 1024: `  {"username": "b", "email": "no at either"}`},
			[]string{"seed.json:1026:3: users[1023].email:", "seed.json:1027:3: users[1024].email:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := file(func(i int) string {
				if s, ok := tc.bad[i]; ok {
					return s
				}
				return plain(i)
			})
			e := newTestEnv(t)
			path := write(e, data)
			code, _, stderr := e.exec("apply", "-f", path)
			if code != cmdutil.ExitInvalid {
				t.Fatalf("exit %d, want %d: %s", code, cmdutil.ExitInvalid, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, filepath.Join(e.dir, w)) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if e.userExists("user00000") {
				t.Error("a user was written")
			}
			// From standard input, the same problems at the same lines.
			tf := e.factory()
			tf.in.WriteString(data)
			code = tf.run("apply", "-f", "-")
			if code != cmdutil.ExitInvalid {
				t.Fatalf("stdin: exit %d: %s", code, tf.errOut.String())
			}
			for _, w := range tc.want {
				if w = strings.Replace(w, "seed.json", "stdin", 1); !strings.Contains(tf.errOut.String(), w) {
					t.Errorf("stdin: stderr lacks %q:\n%s", w, tf.errOut.String())
				}
			}
		})
	}
}
