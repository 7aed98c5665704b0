package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func Test_versionCommand(t *testing.T) {
	e := newTestEnv(t)
	tf := e.factory()
	tf.Version = "1.2.3"
	if code := tf.run("version"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(tf.out.String(), "authctl 1.2.3 (commit ") {
		t.Errorf("version: %q", tf.out)
	}
	tf = e.factory()
	if code := tf.run("version", "-o", "json"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var v map[string]string
	if err := json.Unmarshal(tf.out.Bytes(), &v); err != nil || v["commit"] == "" || v["date"] == "" || v["go"] == "" {
		t.Errorf("version -o json: %q (%v)", tf.out, err)
	}
	if got := shortCommit("0123456789abcdef"); got != "0123456789ab" {
		t.Errorf("shortCommit = %q", got)
	}
}

// The manual covers every command and every setting's variable.
func TestNewManual(t *testing.T) {
	m := NewManual()
	for _, name := range []string{"user", "group", "perm", "check", "doctor", "config", "db", "test"} {
		if c, _, err := m.Root.Find([]string{name}); err != nil || c.Name() != name {
			t.Errorf("the manual's tree lacks %q", name)
		}
	}
	env := map[string]bool{}
	for _, kv := range m.Environment {
		env[kv[0]] = true
	}
	for _, name := range []string{"AUTHCTL_DB", "AUTHCTL_CONFIG", "AUTHCTL_SESSION", "AUTHCTL_LOCKOUT_ATTEMPTS", "AUTHCTL_AUDIT_KEY"} {
		if !env[name] {
			t.Errorf("ENVIRONMENT lacks %s", name)
		}
	}
	if env["AUTHCTL_-"] || !strings.Contains(m.ExitStatus, "130") {
		t.Errorf("bad manual: %v %q", env, m.ExitStatus)
	}
}

// export, then import into another database, then db copy: the same users.
func TestExportImportCopyRuns(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --password-env TEST_PW --email alice@example.com", "group add editors",
		"group add-members editors alice", "perm grant blog.add_post --group editors --create")
	code, dump, stderr := e.exec("export", "--format", "django")
	if code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	file := filepath.Join(e.dir, "auth.json")
	if err := os.WriteFile(file, []byte(dump), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(e.dir, "other.db")
	if code, _, stderr := e.exec("--db", other, "import", "--format", "django", file); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	if code, out, _ := e.exec("--db", other, "check", "blog.add_post", "--user", "alice"); code != 0 || out != "allowed\n" {
		t.Errorf("check on the imported database: exit %d, %q", code, out)
	}
	if code, out, _ := e.exec("export", "-o", "yaml"); code != 0 || !strings.Contains(out, "username: alice") {
		t.Errorf("export -o yaml: exit %d, %q", code, out)
	}
	if code, _, stderr := e.exec("export", "-o", "table"); code != 2 || !strings.Contains(stderr, "table") {
		t.Errorf("export -o table: exit %d, %q", code, stderr)
	}

	copied := filepath.Join(e.dir, "copied.db")
	code, out, stderr := e.exec("db", "copy", e.env["AUTHCTL_DB"], copied)
	if code != 0 || !strings.Contains(out, "copied 1 users") {
		t.Fatalf("db copy: exit %d, %q, %s", code, out, stderr)
	}
	if code, _, stderr := e.exec("db", "copy", e.env["AUTHCTL_DB"], copied); code != 4 {
		t.Errorf("db copy onto a full database: exit %d, %s", code, stderr)
	}
	if code, _, _ := e.exec("--db", copied, "authenticate", "alice", "--password-env", "TEST_PW", "-q"); code != 0 {
		t.Errorf("authenticate on the copy: exit %d", code)
	}
	if code, _, _ := e.exec("db", "copy", "a"); code != 2 {
		t.Errorf("db copy with one argument: exit %d", code)
	}
}

func TestCompletions(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --password-env TEST_PW", "user create albert --no-password", "group add editors",
		"perm create blog.add_post", "login alice --password-env TEST_PW -q")
	complete := func(args ...string) []string {
		t.Helper()
		tf := e.factory()
		if code := tf.run(append([]string{"__complete"}, args...)...); code != 0 {
			t.Fatalf("exit %d: %s", code, tf.errOut)
		}
		lines := splitLines(tf.out.String())
		return lines[:len(lines)-1] // the directive
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "show", "al"}, "albert alice"},
		{[]string{"user", "show", "alice", ""}, ""},
		{[]string{"group", "show", "ed"}, "editors"},
		{[]string{"perm", "delete", "blog."}, "blog.add_post"},
	} {
		if got := strings.Join(complete(tt.args...), " "); got != tt.want {
			t.Errorf("complete %q = %q, want %q", tt.args, got, tt.want)
		}
	}
	if got := strings.Join(complete("audit", "list", "--action", ""), " "); !strings.Contains(got, "user.rename") || !strings.Contains(got, "auth.login") {
		t.Errorf("audit actions: %q", got)
	}
	if got := complete("session", "revoke", ""); len(got) != 1 || !strings.HasSuffix(got[0], "\talice") {
		t.Errorf("session IDs: %q", got)
	}
}

func TestSelectionFromStdinAndDescription(t *testing.T) {
	e := newTestEnv(t)
	var names []string
	for i := range 12 {
		names = append(names, "u"+string(rune('a'+i)))
	}
	for _, n := range names {
		e.seed("user create " + n + " --no-password")
	}
	tf := e.factory()
	tf.in.WriteString(strings.Join(names, "\n") + "\n")
	if code := tf.run("user", "unlock", "--stdin"); code != 0 {
		t.Fatalf("exit %d: %s", code, tf.errOut)
	}
	if want := "Unlocked 12 users (ua, ub, uc, ud, ue, uf, ug, uh, ui, uj, and 2 more)\n"; tf.errOut.String() != want {
		t.Errorf("stderr %q, want %q", tf.errOut, want)
	}
	tf = e.factory()
	if code := tf.run("user", "unlock", "--stdin"); code != 2 || !strings.Contains(tf.errOut.String(), "no usernames on standard input") {
		t.Errorf("empty --stdin: exit %d, %q", code, tf.errOut)
	}
}
