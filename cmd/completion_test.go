package cmd

import (
	"strings"
	"testing"
)

// Completion through the whole tree, in process: what each completer
// offers, and the directive line that ends it (:4 is
// ShellCompDirectiveNoFileComp).
func TestCompletion(t *testing.T) {
	e := newTestEnv(t)
	e.seed(
		"user create alice --no-password",
		"user create albert --no-password",
		"user create bob --no-password",
		"group add editors",
		"group add admins",
		"group add-members editors alice bob",
		"perm grant blog.add_post blog.view_post --user alice --create",
		"perm grant shop.view_order --group admins --create",
	)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"user", "show", "al"}, "albert\nalice\n:4\n"},
		{[]string{"user", "show", "alice", ""}, ":4\n"},
		{[]string{"group", "show", "e"}, "editors\n:4\n"},
		{[]string{"check", "sh"}, "shop.view_order\n:4\n"},
		{[]string{"perm", "revoke", "--user", "alice", ""}, "blog.add_post\nblog.view_post\n:4\n"},
		{[]string{"perm", "revoke", "--user", "alice", "blog.v"}, "blog.view_post\n:4\n"},
		{[]string{"perm", "revoke", "--group", "admins", ""}, "shop.view_order\n:4\n"},
		{[]string{"perm", "revoke", "--user", "nobody", ""}, ":4\n"},
		{[]string{"perm", "revoke", ""}, "blog.add_post\nblog.view_post\nshop.view_order\n:4\n"},
		{[]string{"group", "remove-members", "editors", ""}, "alice\nbob\n:4\n"},
		{[]string{"user", "list", "-o", ""}, "table\njson\n:4\n"},
		{[]string{"export", "-o", ""}, "json\nyaml\n:4\n"},
		{[]string{"export", "--format", ""}, "authctl\ndjango\n:4\n"},
		{[]string{"import", "--format", ""}, "django\npasswd\n:4\n"},
		{[]string{"audit", "list", "--output", ""}, "table\njson\njsonl\n:4\n"},
		{[]string{"db", "copy", "-o", ""}, "table\njson\n:4\n"},
		{[]string{"password", "hash", "-o", ""}, ":4\n"},
		{[]string{"help", "-o", ""}, ":4\n"},
		{[]string{"completion", "zsh", "-o", ""}, ":4\n"},
		{[]string{"group", "-o", ""}, ":4\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			tf := e.factory()
			if code := tf.run(append([]string{"__complete"}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, tf.errOut)
			}
			if got := tf.out.String(); got != tt.want {
				t.Errorf("offered %q, want %q", got, tt.want)
			}
		})
	}
}
