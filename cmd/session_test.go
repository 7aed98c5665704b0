package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func TestNewCmdSession(t *testing.T) {
	for _, tt := range []struct {
		argv    string
		want    any
		wantErr string
	}{
		{argv: "session list", want: sessionListOptions{}},
		{argv: "session ls --user alice", want: sessionListOptions{User: "alice"}},
		{argv: "session list extra", wantErr: "session list takes no arguments (got 1 argument(s))"},
		{argv: "session revoke a b a", want: sessionRevokeOptions{IDs: []string{"a", "b"}}},
		{argv: "session revoke --user alice", want: sessionRevokeOptions{User: "alice"}},
		{argv: "session revoke", wantErr: "give the session IDs to revoke, or --user USER"},
		{argv: "session revoke a --user alice", wantErr: "give session IDs or --user, not both"},
		{argv: "session clear-expired", want: sessionClearOptions{}},
		{argv: "session clear-expired x", wantErr: "session clear-expired takes no arguments (got 1 argument(s))"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			var cmd *cobra.Command
			switch strings.Fields(tt.argv)[1] {
			case "list", "ls":
				cmd = newCmdSessionList(tf.Factory, func(o *sessionListOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "revoke":
				cmd = newCmdSessionRevoke(tf.Factory, func(o *sessionRevokeOptions) error { c := *o; c.f = nil; got = c; return nil })
			default:
				cmd = newCmdSessionClearExpired(tf.Factory, func(o *sessionClearOptions) error { c := *o; c.f = nil; got = c; return nil })
			}
			tf.checkParse(t, []string{"session"}, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

func Test_sessionRuns(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --password-env TEST_PW", "user create bob --password-env TEST_PW")
	for _, name := range []string{"alice", "alice", "bob"} {
		if code, _, stderr := e.exec("login", name, "--password-env", "TEST_PW", "--print-token", "-q"); code != 0 {
			t.Fatalf("login %s: exit %d: %s", name, code, stderr)
		}
	}
	list := func(args ...string) []sessionView {
		t.Helper()
		code, out, stderr := e.exec(append([]string{"session", "list", "-o", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("session list: exit %d: %s", code, stderr)
		}
		var views []sessionView
		if err := json.Unmarshal([]byte(out), &views); err != nil {
			t.Fatal(err)
		}
		return views
	}
	if n := len(list()); n != 3 {
		t.Fatalf("%d sessions, want 3", n)
	}
	if n := len(list("--user", "alice")); n != 2 {
		t.Errorf("%d sessions of alice, want 2", n)
	}
	bob := list("--user", "bob")[0].ID

	// Plain text, one tab-separated line per session, when piped.
	tf := e.factory().globalFlags("--output", "table")
	if err := tf.call(func(c *cobra.Command) error {
		return sessionListRun(c, &sessionListOptions{f: tf.Factory, User: "bob"})
	}); err != nil {
		t.Fatal(err)
	}
	if lines := splitLines(tf.out.String()); len(lines) != 1 || !strings.HasPrefix(lines[0], bob+"\tbob\t") {
		t.Errorf("session list --user bob: %q", tf.out)
	}

	for _, tt := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"revoke by id, json", []string{"session", "revoke", bob, "-o", "json"}, 0, "{\n  \"ids\": [\n    \"" + bob + "\"\n  ],\n  \"revoked\": 1\n}\n", ""},
		{"revoke a missing id", []string{"session", "revoke", bob}, cmdutil.ExitNotFound, "", "authctl: session \"" + bob + "\" does not exist\n"},
		{"revoke by user", []string{"session", "revoke", "--user", "alice"}, 0, "", "Revoked 2 session(s) of alice\n"},
		{"clear expired, json", []string{"session", "clear-expired", "-o", "json"}, 0, "{\n  \"deleted\": 0\n}\n", ""},
		{"clear expired", []string{"session", "clear-expired"}, 0, "", "Deleted 0 expired session(s)\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory()
			if code := tf.run(tt.args...); code != tt.wantCode {
				t.Errorf("exit %d, want %d: %s", code, tt.wantCode, tf.errOut)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
	if n := len(list()); n != 0 {
		t.Errorf("%d sessions left, want 0", n)
	}
	// An empty list on a terminal says so.
	tf = e.factory()
	tf.ios.SetTTY(false, true, false)
	if code := tf.run("session", "list"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	tf.wantOutput(t, "", "No sessions.\n")
}
