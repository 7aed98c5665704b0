package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An apply of more than 10,000 changes, as a user runs it from a pipe: it
// is written in stages on a copy of the database that replaces the file,
// and leaves the file as a one-transaction apply would: every user and
// index entry, an audit log that verifies, the file's mode, no copy.
func TestStagedApplyEndToEnd(t *testing.T) {
	env := authctlEnv(t)
	var db string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "AUTHCTL_DB="); ok {
			db = v
		}
	}
	mustRun(t, env, "", "group", "add", "staff", "-q")
	if err := os.Chmod(db, 0o640); err != nil {
		t.Fatal(err)
	}
	type user struct {
		Username     string   `json:"username"`
		Groups       []string `json:"groups"`
		PasswordHash string   `json:"password_hash"`
	}
	var doc struct {
		Users []user `json:"users"`
	}
	for i := range 10_050 {
		doc.Users = append(doc.Users, user{Username: fmt.Sprintf("u%05d", i), Groups: []string{"staff"}, PasswordHash: "!"})
	}
	before, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, env, string(b), "apply", "-f", "-")
	if code != 0 || !strings.Contains(stderr, "created 10050, updated 0, unchanged 0") {
		t.Fatalf("apply: exit %d: %s", code, stderr)
	}
	if out := mustRun(t, env, "", "user", "list", "--group", "staff"); strings.Count(out, "\n") != 10_050 {
		t.Errorf("user list --group staff: %d lines, want 10050", strings.Count(out, "\n"))
	}
	if out := mustRun(t, env, "", "audit", "verify"); !strings.Contains(out, "10051 records") {
		t.Errorf("audit verify: %q", out)
	}
	fi, err := os.Stat(db)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("database mode after a staged apply: %v, %v; want 0640 as before", fi.Mode().Perm(), err)
	}
	if err == nil && os.SameFile(before, fi) {
		t.Error("the database file was written in place: the apply was not staged")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(db), ".*stage*")); len(left) != 0 {
		t.Errorf("copies left behind: %v", left)
	}
}
