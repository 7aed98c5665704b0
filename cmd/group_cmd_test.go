package cmd

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/prompt"
)

// Each group verb parses its arguments into its options.
func TestNewCmdGroupVerbs(t *testing.T) {
	for _, tt := range []struct {
		argv    string
		tty     bool
		want    any
		wantErr string
	}{
		{argv: "group add editors", want: groupAddOptions{Name: "editors"}},
		{argv: "group add", wantErr: "group add takes one group name (got 0 argument(s))"},
		{argv: "group delete editors --yes", want: groupDeleteOptions{Name: "editors", Yes: true}},
		{argv: "group rm editors", tty: true, want: groupDeleteOptions{Name: "editors"}},
		{argv: "group delete editors", wantErr: "--yes is required to delete without a terminal to confirm on"},
		{argv: "group list", want: groupListOptions{}},
		{argv: "group list x", wantErr: "group list takes no arguments (got 1 argument(s))"},
		{argv: "group show editors", want: groupShowOptions{Name: "editors"}},
		{argv: "group add-members editors alice bob", want: groupMembersOptions{Group: "editors", Users: []string{"alice", "bob"}}},
		{argv: "group remove-members editors bob", want: groupMembersOptions{Group: "editors", Users: []string{"bob"}}},
		{argv: "group remove-members editors", wantErr: "group remove-members takes a group and at least one username"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			if tt.tty {
				tf.ios.SetPrompter(&prompt.Scripted{})
			}
			var got any
			var cmd *cobra.Command
			switch strings.Fields(tt.argv)[1] {
			case "add":
				cmd = newCmdGroupAdd(tf.Factory, func(o *groupAddOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "delete", "rm":
				cmd = newCmdGroupDelete(tf.Factory, func(o *groupDeleteOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "list":
				cmd = newCmdGroupList(tf.Factory, func(o *groupListOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "show":
				cmd = newCmdGroupShow(tf.Factory, func(o *groupShowOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "add-members":
				cmd = newCmdGroupAddMembers(tf.Factory, func(o *groupMembersOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "remove-members":
				cmd = newCmdGroupRemoveMembers(tf.Factory, func(o *groupMembersOptions) error { c := *o; c.f = nil; got = c; return nil })
			}
			tf.checkParse(t, []string{"group"}, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

// Every group verb that changes something answers -o json with what it
// changed.
func TestGroupChangesAnswerJSON(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "user create bob --no-password")
	runCases(t, e, []runCase{
		{name: "add", args: []string{"group", "add", "editors", "-o", "json"}, wantStdout: "{\n  \"created\": \"editors\"\n}\n"},
		{name: "add-members", args: []string{"group", "add-members", "editors", "alice", "bob", "-o", "json"},
			wantStdout: "{\n  \"added\": [\n    \"alice\",\n    \"bob\"\n  ],\n  \"group\": \"editors\"\n}\n"},
		{name: "add-members again", args: []string{"group", "add-members", "editors", "alice", "-o", "json"},
			wantStdout: "{\n  \"added\": [],\n  \"group\": \"editors\"\n}\n"},
		{name: "remove-members", args: []string{"group", "remove-members", "editors", "bob"}, wantStderr: "Removed bob from group editors\n"},
		{name: "remove-members of a non-member", args: []string{"group", "remove-members", "editors", "bob"}, wantStderr: "Nothing to change in group editors\n"},
		{name: "delete", args: []string{"group", "delete", "editors", "--yes", "-o", "json"}, wantStdout: "{\n  \"deleted\": \"editors\"\n}\n"},
		{name: "show a missing group", args: []string{"group", "show", "editors"}, wantCode: 3, wantStderr: "authctl: group \"editors\" does not exist\n"},
	})
}

// remove-members completes only the group's members.
func TestCompleteMembers(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "user create albert --no-password", "user create bob --no-password",
		"group add editors", "group add-members editors alice bob")
	tf := e.factory()
	if code := tf.run("__complete", "group", "remove-members", "editors", "al"); code != 0 {
		t.Fatalf("exit %d: %s", code, tf.errOut)
	}
	if got := splitLines(tf.out.String()); !reflect.DeepEqual(got, []string{"alice", ":4"}) {
		t.Errorf("completions %q, want alice only", got)
	}
}
