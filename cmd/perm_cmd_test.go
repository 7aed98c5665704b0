package cmd

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
)

func TestNewCmdPermVerbs(t *testing.T) {
	for _, tt := range []struct {
		argv    string
		want    any
		wantErr string
	}{
		{argv: "perm create blog.x --name X", want: permCreateOptions{Perm: "blog.x", Name: "X"}},
		{argv: "perm create", wantErr: "perm create takes one permission (app_label.codename) (got 0 argument(s))"},
		{argv: "perm delete blog.x -y", want: permDeleteOptions{Perm: "blog.x", Yes: true}},
		{argv: "perm delete blog.x", wantErr: "--yes is required"},
		{argv: "perm list --app blog", want: permListOptions{App: "blog"}},
		{argv: "perm grant a.b c.d --group g --create", want: permGrantOptions{Perms: []string{"a.b", "c.d"}, To: auth.Grantee{Group: "g"}, Create: true}},
		{argv: "perm grant a.b", wantErr: "give exactly one of --user and --group"},
		{argv: "perm grant a.b --user u --group g", wantErr: "--user and --group cannot be used together"},
		{argv: "perm revoke a.b --user u", want: permGrantOptions{Perms: []string{"a.b"}, To: auth.Grantee{User: "u"}}},
		{argv: "perm revoke a.b --user u --create", wantErr: "unknown flag --create"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			var cmd *cobra.Command
			switch strings.Fields(tt.argv)[1] {
			case "create":
				cmd = newCmdPermCreate(tf.Factory, func(o *permCreateOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "delete":
				cmd = newCmdPermDelete(tf.Factory, func(o *permDeleteOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "list":
				cmd = newCmdPermList(tf.Factory, func(o *permListOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "grant":
				cmd = newCmdPermGrant(tf.Factory, func(o *permGrantOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "revoke":
				cmd = newCmdPermRevoke(tf.Factory, func(o *permGrantOptions) error { c := *o; c.f = nil; got = c; return nil })
			}
			tf.checkParse(t, []string{"perm"}, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

func TestPermChangesAnswerJSON(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "group add editors")
	runCases(t, e, []runCase{
		{name: "grant", args: []string{"perm", "grant", "blog.a", "blog.b", "--user", "alice", "--create", "-o", "json"},
			wantStdout: "{\n  \"granted\": [\n    \"blog.a\",\n    \"blog.b\"\n  ],\n  \"user\": \"alice\"\n}\n"},
		{name: "grant again", args: []string{"perm", "grant", "blog.a", "--user", "alice"}, wantStderr: "Nothing to change for user alice\n"},
		{name: "grant unknown", args: []string{"perm", "grant", "blog.c", "--group", "editors"}, wantCode: 3,
			wantStderr: "authctl: permission \"blog.c\" does not exist (create it with \"authctl perm create blog.c\", or grant with --create)\n"},
		{name: "revoke", args: []string{"perm", "revoke", "blog.a", "--user", "alice", "-o", "json"},
			wantStdout: "{\n  \"revoked\": [\n    \"blog.a\"\n  ],\n  \"user\": \"alice\"\n}\n"},
		{name: "delete", args: []string{"perm", "delete", "blog.b", "--yes", "-o", "json"}, wantStdout: "{\n  \"deleted\": \"blog.b\"\n}\n"},
		{name: "create", args: []string{"perm", "create", "blog.z", "-q"}},
	})
	// revoke --user completes only what the user holds directly.
	e.seed("perm grant blog.a --user alice")
	tf := e.factory()
	if code := tf.run("__complete", "perm", "revoke", "--user", "alice", "blog."); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got := splitLines(tf.out.String()); !reflect.DeepEqual(got, []string{"blog.a", ":4"}) {
		t.Errorf("completions %q", got)
	}
}
