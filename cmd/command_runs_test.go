package cmd

import (
	"strings"
	"testing"

	"authctl/internal/prompt"
)

// Whole command lines, with exact output, for the branches the verb tests
// leave: pruning, deleting permissions, logging out without a session,
// user show --perms.
func TestAuditPruneAndVerifyRuns(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "group add editors")
	runCases(t, e, []runCase{
		{name: "prune, bad --before", args: []string{"audit", "prune", "--before", "soon"}, wantCode: 2,
			wantStderr: "authctl: --before: \"soon\" is neither a time (2026-01-02, 2026-01-02T15:04:05Z) nor a duration (90m, 24h, 7d)\nRun 'authctl audit prune --help' for usage.\n"},
		{name: "verify, quiet", args: []string{"audit", "verify", "-q"}},
		{name: "verify, bad -o", args: []string{"audit", "verify", "-o", "yaml"}, wantCode: 2,
			wantStderr: "authctl: invalid output format \"yaml\": use one of table, json\nRun 'authctl audit verify --help' for usage.\n"},
		{name: "prune everything", args: []string{"audit", "prune", "--before", "2100-01-01"}, wantStderr: "Pruned 2 audit record(s)\n"},
	})
}

func TestPermDeleteRuns(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "perm grant blog.add_post blog.x blog.y --user alice --create")
	runCases(t, e, []runCase{
		{name: "yes", args: []string{"perm", "delete", "blog.x", "--yes"}, wantStderr: "Deleted permission blog.x\n"},
		{name: "json", args: []string{"perm", "delete", "blog.add_post", "-y", "-o", "json"}, wantStdout: "{\n  \"deleted\": \"blog.add_post\"\n}\n"},
		{name: "unknown", args: []string{"perm", "delete", "blog.nope", "--yes"}, wantCode: 3, wantStderr: "authctl: permission \"blog.nope\" does not exist\n"},
	})
	for _, tt := range []struct {
		name       string
		answer     string
		wantCode   int
		wantStderr string
	}{
		{name: "declined at the terminal", answer: "n", wantCode: 130, wantStderr: "authctl: cancelled\n"},
		{name: "confirmed at the terminal", answer: "y", wantStderr: "Deleted permission blog.y\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory()
			pr := &prompt.Scripted{Answers: []string{tt.answer}}
			tf.ios.SetPrompter(pr)
			if code := tf.run("perm", "delete", "blog.y"); code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			tf.wantOutput(t, "", tt.wantStderr)
			if want := []string{"Delete permission blog.y and revoke it from every user and group? [y/N]: "}; strings.Join(pr.Asked, "|") != want[0] {
				t.Errorf("asked %q, want %q", pr.Asked, want)
			}
		})
	}
}

func TestLogoutWithoutSession(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password")
	runCases(t, e, []runCase{
		{name: "not logged in", args: []string{"logout"}, wantStderr: "Not logged in\n"},
		{name: "not logged in, json", args: []string{"logout", "-o", "json"}, wantStdout: "{\n  \"logged_out\": false,\n  \"username\": \"\"\n}\n"},
		{name: "not logged in, quiet", args: []string{"logout", "-q"}},
	})
	e.env[sessionEnv] = "bogus"
	runCases(t, e, []runCase{
		{name: "a token from the environment that ended", args: []string{"logout"}, wantStderr: "The session had already ended\n"},
	})
}

func TestUserShowPermsRuns(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "user create bob --no-password",
		"group add editors", "group add-members editors alice",
		"perm grant blog.add_post --group editors --create", "perm grant blog.add_post blog.view_post --user alice --create")
	detail := func(name, groups, userPerms, allPerms string) string {
		return "username:         " + name + "\n" +
			"email:            \nfirst name:       \nlast name:        \nactive:           yes\nstaff:            no\nsuperuser:        no\n" +
			"last login:       never\ndate joined:      2024-05-17 09:30:00 UTC\n" +
			"groups:           " + groups + "\nuser permissions: " + userPerms + "\nall permissions:  " + allPerms + "\n" +
			"password:         no password set (unusable)\nfailed logins:    0 (not locked)\n"
	}
	runCases(t, e, []runCase{
		{name: "sources", args: []string{"user", "show", "alice", "--perms"},
			wantStdout: detail("alice", "editors", "blog.add_post, blog.view_post", "blog.add_post, blog.view_post") +
				"permission sources:\n  blog.add_post: direct, group editors\n  blog.view_post: direct\n"},
		{name: "no sources", args: []string{"user", "show", "bob", "--perms"},
			wantStdout: detail("bob", "-", "-", "-") + "permission sources:\n  -\n"},
		{name: "unknown", args: []string{"user", "show", "carol", "--perms"}, wantCode: 3, wantStderr: "authctl: user \"carol\" does not exist\n"},
	})
}

func TestConfigShowTable(t *testing.T) {
	e := newTestEnv(t)
	tf := e.factory()
	if code := tf.run("config", "show", "--db", "x.db"); code != 0 {
		t.Fatalf("exit %d: %s", code, tf.errOut)
	}
	lines := splitLines(tf.out.String())
	for _, want := range []string{
		"db\tx.db\tflag --db",
		"output\ttable\tdefault",
		"hasher.algorithm\tpbkdf2_sha256\tenv AUTHCTL_HASHER_ALGORITHM",
		"validators\tuser_attribute_similarity, minimum_length, common_password, numeric_password\tdefault",
	} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("config show lacks the line %q:\n%s", want, tf.out)
		}
	}
	if tf.errOut.Len() != 0 {
		t.Errorf("config show: stderr %q", tf.errOut)
	}
	tf = e.factory()
	if code := tf.run("config", "show", "-o", "yaml"); code != 2 {
		t.Errorf("config show -o yaml: exit %d, want 2", code)
	}
	tf.wantOutput(t, "", "authctl: invalid output format \"yaml\": use one of table, json\nRun 'authctl config show --help' for usage.\n")
}
