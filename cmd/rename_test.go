package cmd

import (
	"testing"

	"authctl/internal/cmdutil"
)

func TestNewCmdRename(t *testing.T) {
	for _, tt := range []struct {
		parent, argv, wantErr string
	}{
		{parent: "user", argv: "user rename a b"},
		{parent: "user", argv: "user rename a", wantErr: "user rename takes the old and the new username (got 1 argument(s))"},
		{parent: "group", argv: "group rename a b"},
		{parent: "group", argv: "group rename a b c", wantErr: "group rename takes the old and the new group name (got 3 argument(s))"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var from, to string
			var err error
			if tt.parent == "user" {
				cmd := newCmdUserRename(tf.Factory, func(o *userRenameOptions) error { from, to = o.From, o.To; return nil })
				err = tf.parseCmd([]string{"user"}, cmd, tt.argv)
			} else {
				cmd := newCmdGroupRename(tf.Factory, func(o *groupRenameOptions) error { from, to = o.From, o.To; return nil })
				err = tf.parseCmd([]string{"group"}, cmd, tt.argv)
			}
			if tt.wantErr != "" {
				wantUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil || from != "a" || to != "b" {
				t.Errorf("err %v, from %q to %q", err, from, to)
			}
		})
	}
}

func Test_renameRun(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "user create bob --no-password", "group add editors", "group add-members editors alice")
	for _, tt := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"rename", []string{"user", "rename", "alice", "alicia"}, 0, "", "Renamed user alice to alicia\n"},
		{"taken", []string{"user", "rename", "alicia", "bob"}, cmdutil.ExitExists, "", "authctl: user \"bob\" already exists\n"},
		{"missing", []string{"user", "rename", "alice", "x"}, cmdutil.ExitNotFound, "", "authctl: user \"alice\" does not exist\n"},
		{"group", []string{"group", "rename", "editors", "writers", "-o", "json"}, 0, "{\n  \"name\": \"writers\",\n  \"renamed\": \"editors\"\n}\n", ""},
		{"group quiet", []string{"group", "rename", "writers", "editors", "-q"}, 0, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory()
			if code := tf.run(tt.args...); code != tt.wantCode {
				t.Errorf("exit %d, want %d: %s", code, tt.wantCode, tf.errOut)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
}
