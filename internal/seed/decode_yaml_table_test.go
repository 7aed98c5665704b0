package seed

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"authctl/internal/auth"
	"authctl/internal/secret"
)

// docView is what a Document says, for comparing two readings of a file:
// its permissions and groups, each user as its table gives it back,
// record by record (position, password, missing password included), and
// its problems' text, in their order.
type docView struct {
	Permissions []auth.DocPermission
	Groups      []auth.DocGroup
	Users       []auth.DocUser
	Problems    []string
}

// viewDoc is doc's docView; nil for no document.
func viewDoc(doc *auth.Document) *docView {
	if doc == nil {
		return nil
	}
	v := &docView{Permissions: doc.Permissions, Groups: doc.Groups, Users: doc.AllUsers()}
	for _, p := range doc.Problems {
		v.Problems = append(v.Problems, p.Error())
	}
	return v
}

func (v *docView) String() string {
	if v == nil {
		return "no document"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d permissions %+v, %d groups %+v, %d users:", len(v.Permissions), v.Permissions, len(v.Groups), v.Groups, len(v.Users))
	for _, u := range v.Users {
		fmt.Fprintf(&b, "\n  %s at %+v %q", u.Username, u.Pos, u.Where)
		if u.Password != nil {
			fmt.Fprintf(&b, " password %v", *u.Password)
		}
		if u.PasswordMissing != "" {
			fmt.Fprintf(&b, " (%s)", u.PasswordMissing)
		}
	}
	fmt.Fprintf(&b, "\nproblems: %q", v.Problems)
	return b.String()
}

// passwordUsersFile is a YAML seeding file of n users, the password source
// of user i given by source(i) (the YAML of its keys after the username,
// each line indented as a key of the item), between a groups section and
// an assert section.
func passwordUsersFile(n int, source func(i int) string) string {
	var b strings.Builder
	b.WriteString("groups:\n  - name: g1\nusers:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - username: u%d\n    groups: [g1]\n", i)
		if s := source(i); s != "" {
			b.WriteString(s)
		}
	}
	b.WriteString("assert:\n  - user: u1\n    allowed: [a.b]\n")
	return b.String()
}

// mixedSource gives users every kind of password source, and of problem
// with one: a missing password file, one outside the file's directory,
// two sources at once, an unset variable (not a problem until the password
// is used), a set one, a readable file, a hash.
func mixedSource(i int) string {
	switch i % 7 {
	case 1:
		return fmt.Sprintf("    password_file: missing-%d\n", i)
	case 2:
		return fmt.Sprintf("    password_env: UNSET_%d\n", i)
	case 3:
		return "    password_env: PW\n    password_hash: pbkdf2_sha256$1000$salt$hash=\n"
	case 4:
		return "    password_file: ../outside\n"
	case 5:
		return "    password_file: pw.txt\n"
	case 6:
		return "    password_hash: pbkdf2_sha256$1000$salt$hash=\n"
	}
	return "    password_env: PW\n"
}

// passwordDir is a directory holding pw.txt, and a file "outside" next to
// it: the Dir of a seeding file that names both.
func passwordDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "d")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for path, pw := range map[string]string{filepath.Join(dir, "pw.txt"): "from a file\n", filepath.Join(dir, "..", "outside"): "from outside\n"} {
		if err := os.WriteFile(path, []byte(pw), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestYAMLSplitPasswordProblems: the users of a split file are converted
// batch by batch on several workers, with the caller's options; their
// password sources' problems come out in the users' order, with the
// wording and positions of a whole-file read, whatever the number of
// workers; a user with an unset variable only notes it.
func TestYAMLSplitPasswordProblems(t *testing.T) {
	smallChunks(t, 3, 3)
	dir := passwordDir(t)
	const n = 40
	data := []byte(passwordUsersFile(n, mixedSource))
	line := func(i int) int {
		return strings.Count(string(data[:strings.Index(string(data), fmt.Sprintf("- username: u%d\n", i))]), "\n") + 1
	}
	var want []string
	for i := range n {
		where := fmt.Sprintf("d/seed.yaml:%d: user u%d: ", line(i), i)
		switch i % 7 {
		case 1:
			want = append(want, where+fmt.Sprintf("password_file %s: no such file or directory", filepath.Join(dir, fmt.Sprintf("missing-%d", i))))
		case 3:
			want = append(want, where+"give at most one of password_env, password_file and password_hash")
		case 4:
			want = append(want, where+"password_file ../outside: "+secret.ErrOutside.Error())
		}
	}
	opts := decodeDefaults(DecodeOptions{Name: "d/seed.yaml", Dir: dir, LookupEnv: env(map[string]string{"PW": "from the environment"})})
	for _, workers := range []int{1, 2, 3, 8} {
		if _, users, ok := splitYAMLUsers(data, workers, opts); !ok || users.table.Len() != n {
			t.Fatalf("workers %d: not split", workers)
		}
		doc, _, err := decodeYAML(data, workers, opts)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range doc.Problems {
			got = append(got, p.Error())
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("workers %d: problems\n%s\nwant\n%s", workers, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for i, u := range doc.AllUsers() {
			wantPw := map[int]string{0: "from the environment", 5: "from a file"}[i%7]
			switch {
			case u.Username != fmt.Sprintf("u%d", i) || u.Pos.File != "d/seed.yaml" || int(u.Pos.Line) != line(i) || int(u.Pos.Item) != i:
				t.Fatalf("workers %d: user %d is %s at %+v", workers, i, u.Username, u.Pos)
			case i%7 == 2 && u.PasswordMissing != fmt.Sprintf("password_env: environment variable UNSET_%d is not set", i):
				t.Fatalf("workers %d: user %d: missing %q", workers, i, u.PasswordMissing)
			case wantPw != "" && (u.Password == nil || !reflect.DeepEqual(*u.Password, auth.RawPassword(wantPw))):
				t.Fatalf("workers %d: user %d: password %v, want %q", workers, i, u.Password, wantPw)
			}
		}
		if msg := wholeDiff(data, workers, opts); msg != "" {
			t.Fatal(msg)
		}
	}
	// The options reach the batches: a file outside the directory is
	// read when allowed.
	opts.AllowOutside = true
	doc, _, err := decodeYAML(data, 2, opts)
	if err != nil {
		t.Fatal(err)
	}
	if u := doc.UserTable.User(4); u.Password == nil || !reflect.DeepEqual(*u.Password, auth.RawPassword("from outside")) {
		t.Fatalf("user 4 with AllowOutside: password %v", u.Password)
	}
	outside := 0
	for _, w := range want {
		outside += strings.Count(w, "../outside")
	}
	if len(doc.Problems) != len(want)-outside {
		t.Fatalf("with AllowOutside: %d problems, want %d", len(doc.Problems), len(want)-outside)
	}
}

// TestYAMLSplitDecodeProblems: a file whose users have password problems
// in several batches and also a problem the decoder finds — in a later
// batch, in the rest of the file, or both — reports the decoder's problems
// alone, in the order of their lines, exactly as a whole-file read; the
// tables the batches before it made are dropped.
func TestYAMLSplitDecodeProblems(t *testing.T) {
	smallChunks(t, 3, 3)
	dir := passwordDir(t)
	opts := decodeDefaults(DecodeOptions{Name: "seed.yaml", Dir: dir, LookupEnv: env(map[string]string{"PW": "pw"})})
	clean := passwordUsersFile(40, mixedSource)
	lineOf := func(data, s string) int { return strings.Count(data[:strings.Index(data, s)], "\n") + 1 }
	inBatch := strings.Replace(clean, "- username: u30\n    groups: [g1]\n", "- username: u30\n    groups: [g1]\n    emial: x\n", 1)
	inRest := strings.Replace(clean, "assert:\n", "extra: 1\nassert:\n", 1)
	both := strings.Replace(inBatch, "assert:\n", "extra: 1\nassert:\n", 1)
	wrongType := strings.Replace(both, "- username: u7\n    groups: [g1]\n", "- username: u7\n    groups: [g1]\n    is_staff: maybe\n", 1)
	for _, c := range []struct {
		name, data string
		want       []string
	}{
		{"in a later batch", inBatch, []string{
			fmt.Sprintf(`%d: unknown key "emial" in a user`, lineOf(inBatch, "emial")),
		}},
		{"in the rest", inRest, []string{
			fmt.Sprintf(`%d: unknown key "extra" at the top`, lineOf(inRest, "extra")),
		}},
		{"both", both, []string{
			fmt.Sprintf(`%d: unknown key "emial" in a user`, lineOf(both, "emial")),
			fmt.Sprintf(`%d: unknown key "extra" at the top`, lineOf(both, "extra")),
		}},
		{"and a value of the wrong type in an earlier batch", wrongType, []string{
			fmt.Sprintf(`%d: user: is_staff must be true or false, not "maybe"`, lineOf(wrongType, "maybe")),
			fmt.Sprintf(`%d: unknown key "emial" in a user`, lineOf(wrongType, "emial")),
			fmt.Sprintf(`%d: unknown key "extra" at the top`, lineOf(wrongType, "extra")),
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, workers := range []int{1, 2, 8} {
				doc, _, err := decodeYAML([]byte(c.data), workers, opts)
				if doc != nil || err == nil {
					t.Fatalf("workers %d: decoded, with %v", workers, err)
				}
				got := strings.Split(err.Error(), "\n")
				if len(got) != len(c.want) {
					t.Fatalf("workers %d: problems\n%s\nwant\n%s", workers, err, strings.Join(c.want, "\n"))
				}
				for i, w := range c.want {
					if !strings.HasPrefix(got[i], w) {
						t.Fatalf("workers %d: problem %d is %q, want %q...", workers, i, got[i], w)
					}
				}
				if msg := wholeDiff([]byte(c.data), workers, opts); msg != "" {
					t.Fatal(msg)
				}
			}
		})
	}
}

// TestYAMLSplitFallbackDropsTables: when a later batch cannot be read apart
// (an anchor), or the rest of the file turns out not to hold the users key
// where the split found it, after earlier batches went into the table,
// the file is read whole: the document holds each user once, and each
// password problem once.
func TestYAMLSplitFallbackDropsTables(t *testing.T) {
	smallChunks(t, 2, 2)
	dir := passwordDir(t)
	opts := decodeDefaults(DecodeOptions{Name: "seed.yaml", Dir: dir, LookupEnv: env(map[string]string{"PW": "pw"})})
	const n = 21
	clean := passwordUsersFile(n, mixedSource)
	anchored := strings.Replace(clean, "- username: u20\n", "- &last\n    username: u20\n", 1)
	wantProblems := 0
	for i := range n {
		if i%7 == 1 || i%7 == 3 || i%7 == 4 {
			wantProblems++
		}
	}
	for _, workers := range []int{1, 2, 8} {
		if _, _, ok := splitYAMLUsers([]byte(anchored), workers, opts); ok {
			t.Fatal("a batch with an anchor was read apart")
		}
		doc, _, err := decodeYAML([]byte(anchored), workers, opts)
		if err != nil {
			t.Fatal(err)
		}
		if doc.UserTable.Len() != n || len(doc.Users) != 0 || len(doc.Problems) != wantProblems {
			t.Fatalf("workers %d: %d+%d users, %d problems; want %d, %d", workers, doc.UserTable.Len(), len(doc.Users), len(doc.Problems), n, wantProblems)
		}
		if msg := wholeDiff([]byte(anchored), workers, opts); msg != "" {
			t.Fatal(msg)
		}
	}
	// "users:" at the first column inside a quoted scalar: split, and
	// every batch converted (a missing password file among them), but the
	// rest has no users key: the file has no users and no problem.
	quoted := "groups:\n  - name: \"Editors and\nusers:\n  - username: bob\n    password_file: missing\n  - username: carol\n  - username: dave\n    password_env: PW\n\"\n"
	for _, workers := range []int{1, 2} {
		rest, pre, ok := splitYAMLUsers([]byte(quoted), workers, opts)
		if !ok || pre.table.Len() != 3 || len(pre.problems) != 1 {
			t.Fatalf("workers %d: split %v", workers, ok)
		}
		if _, _, _, err := decodeYAMLTree(rest, pre.keyLine); err != errSplitUncertain {
			t.Fatalf("workers %d: the rest decoded with %v", workers, err)
		}
		doc, _, err := decodeYAML([]byte(quoted), workers, opts)
		if err != nil || doc.UserTable.Len() != 0 || len(doc.Users) != 0 || len(doc.Problems) != 0 || len(doc.Groups) != 1 {
			t.Fatalf("workers %d: %v, %+v", workers, err, viewDoc(doc))
		}
		if msg := wholeDiff([]byte(quoted), workers, opts); msg != "" {
			t.Fatal(msg)
		}
	}
}

// TestYAMLSplitLookupEnvSerial: the batches' password sources are resolved
// on several workers, but the caller's LookupEnv is never called by two at
// once (it need not be safe for that), and each user gets its own
// variable's value.
func TestYAMLSplitLookupEnvSerial(t *testing.T) {
	smallChunks(t, 3, 3)
	const n = 300
	data := []byte(passwordUsersFile(n, func(i int) string { return fmt.Sprintf("    password_env: PW_%d\n", i) }))
	var (
		inside  atomic.Int32
		overlap atomic.Bool
		calls   = map[string]int{} // written without a lock: -race sees two writers
	)
	lookup := func(name string) (string, bool) {
		if inside.Add(1) > 1 {
			overlap.Store(true)
		}
		defer inside.Add(-1)
		calls[name]++
		time.Sleep(20 * time.Microsecond) // a window for another worker
		if name == "PW_7" {
			return "", false
		}
		return "pw " + name, true
	}
	opts := decodeDefaults(DecodeOptions{Name: "seed.yaml", LookupEnv: lookup})
	doc, _, err := decodeYAML(data, 8, opts)
	if err != nil {
		t.Fatal(err)
	}
	if overlap.Load() {
		t.Fatal("LookupEnv was called by two workers at once")
	}
	if len(calls) != n {
		t.Fatalf("%d variables looked up, want %d", len(calls), n)
	}
	for i, u := range doc.AllUsers() {
		name := fmt.Sprintf("PW_%d", i)
		if calls[name] != 1 {
			t.Fatalf("%s looked up %d times", name, calls[name])
		}
		if i == 7 {
			if u.Password != nil || u.PasswordMissing == "" {
				t.Fatalf("user 7: password %v, missing %q", u.Password, u.PasswordMissing)
			}
			continue
		}
		if u.Password == nil || !reflect.DeepEqual(*u.Password, auth.RawPassword("pw "+name)) {
			t.Fatalf("user %d: password %v", i, u.Password)
		}
	}
}
