package cmd

import (
	"strings"
	"testing"
)

// A one-shot "authctl check" does only the work it needs at start-up
// (issue 12; bench/startup.sh measures it): the tree holds the check
// command alone, Cobra's completion command is not built, and with no
// config file and no AUTHCTL_* setting the configuration is built without
// Viper. The answers are the same as through the whole tree.
func TestCheckStartupWork(t *testing.T) {
	e := newTestEnv(t)
	seedCheck(e)
	db := e.env["AUTHCTL_DB"]
	for k := range e.env {
		if strings.HasPrefix(k, "AUTHCTL_") {
			delete(e.env, k)
		}
	}
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"check", "blog.add_post", "--user", "alice", "-q", "--db", db}, 0},
		{[]string{"check", "blog.delete_post", "--user", "alice", "--db", db}, 1},
		{[]string{"check", "blog.view_post", "--user", "nobody", "--db", db}, 3},
	} {
		tf := e.factory()
		root := newRootFor(tf.Factory, tt.args)
		var names []string
		for _, c := range root.Commands() {
			names = append(names, c.Name())
		}
		if len(names) != 1 || names[0] != "check" {
			t.Errorf("%q: the tree holds %v, want only check", tt.args, names)
		}
		before := viperLoads.Load()
		code := runRoot(tf.Factory, tf.inv, root, tt.args)
		tf.inv.close()
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d\n%s", tt.args, code, tt.code, tf.errOut)
		}
		if viperLoads.Load() != before {
			t.Errorf("%q: the configuration was built with Viper, with no file or AUTHCTL_* setting to merge", tt.args)
		}
		for _, c := range root.Commands() {
			if c.Name() == "completion" {
				t.Errorf("%q: Cobra's completion command was built", tt.args)
			}
		}
		// The whole tree answers the same.
		full := e.factory()
		if code := runRoot(full.Factory, full.inv, newRootCmd(full.Factory, ""), tt.args); code != tt.code {
			t.Errorf("%q through the whole tree: exit %d, want %d", tt.args, code, tt.code)
		}
		full.inv.close()
		if full.out.String() != tf.out.String() || full.errOut.String() != tf.errOut.String() {
			t.Errorf("%q: output differs from the whole tree's:\n%q %q\n%q %q", tt.args, tf.out, tf.errOut, full.out, full.errOut)
		}
	}
	// "authctl completion" still finds Cobra's command in the whole tree.
	if code, out, stderr := e.exec("completion", "bash"); code != 0 || !strings.Contains(out, "bash completion") {
		t.Errorf("completion bash: exit %d, %d bytes\n%s", code, len(out), stderr)
	}
}
