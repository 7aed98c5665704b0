package cmd

import (
	"strings"
	"testing"
)

// Errors Cobra finds before a command runs are usage errors (exit 2) with a
// hint; errors a command returns keep their own code.
func TestRunUsageErrors(t *testing.T) {
	e := newTestEnv(t)
	runCases(t, e, []runCase{
		{
			name:       "unknown command",
			args:       []string{"frobnicate"},
			wantCode:   2,
			wantStderr: "authctl: unknown command \"frobnicate\" for \"authctl\"\nRun 'authctl --help' for usage.\n",
		},
		{
			name:       "unknown subcommand",
			args:       []string{"user", "bogus"},
			wantCode:   2,
			wantStderr: "authctl: unknown command \"bogus\" for \"authctl user\"\nRun 'authctl user --help' for usage.\n",
		},
		{
			name:       "unknown flag",
			args:       []string{"user", "list", "--bogus"},
			wantCode:   2,
			wantStderr: "authctl: unknown flag --bogus\nRun 'authctl user list --help' for usage.\n",
		},
		{
			name:       "flag group",
			args:       []string{"perm", "grant", "a.b", "--user", "u", "--group", "g"},
			wantCode:   2,
			wantStderr: "authctl: --user and --group cannot be used together\nRun 'authctl perm grant --help' for usage.\n",
		},
		{
			name:       "too many arguments",
			args:       []string{"login", "a", "b"},
			wantCode:   2,
			wantStderr: "authctl: login takes at most 1 argument(s), got 2\nRun 'authctl login --help' for usage.\n",
		},
		{
			name:       "bad duration flag",
			args:       []string{"--lock-timeout", "soon", "user", "list"},
			wantCode:   2,
			wantStderr: "authctl: invalid argument \"soon\" for \"--lock-timeout\" flag: time: invalid duration \"soon\"\nRun 'authctl user list --help' for usage.\n",
		},
		{
			name:       "read-only command, no database",
			args:       []string{"user", "list"},
			wantCode:   3,
			wantStderr: "authctl: no database at " + e.env["AUTHCTL_DB"] + ": create it with a first change (for example \"authctl user create NAME\"), or point --db or AUTHCTL_DB at an existing one\n",
		},
	})
}

func TestRunHelpAndVersion(t *testing.T) {
	e := newTestEnv(t)
	tf := e.factory()
	if code := tf.run("--help"); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	if !strings.Contains(tf.out.String(), "130  interrupted (Ctrl-C") {
		t.Errorf("--help lacks the exit codes:\n%s", tf.out)
	}
	tf = e.factory()
	tf.Version = "1.2.3"
	if code := tf.run("--version"); code != 0 {
		t.Fatalf("--version: exit %d", code)
	}
	tf.wantOutput(t, "authctl 1.2.3\n", "")
}
