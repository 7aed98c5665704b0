package cmd

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestNewCmdLogoutWhoami(t *testing.T) {
	tf := newTestEnv(t).factory()
	called := 0
	for _, c := range []*cobra.Command{
		newCmdLogout(tf.Factory, func(*logoutOptions) error { called++; return nil }),
		newCmdWhoami(tf.Factory, func(*whoamiOptions) error { called++; return nil }),
	} {
		if err := tf.parseCmd(nil, c, c.Name()); err != nil {
			t.Fatal(err)
		}
		wantUsageError(t, newTestEnv(t).factory().parseCmd(nil, c, c.Name()+" extra"), "takes no arguments")
	}
	if called != 2 {
		t.Errorf("runF called %d times", called)
	}
}

// The session file keeps one session per database.
func TestSessionsPerDatabase(t *testing.T) {
	e := newTestEnv(t)
	other := e.dir + "/other.db"
	e.seed("user create alice --password-env TEST_PW", "user create carol --password-env TEST_PW --db "+other)
	if code, _, stderr := e.exec("login", "alice", "--password-env", "TEST_PW"); code != 0 {
		t.Fatalf("login: %s", stderr)
	}
	if code, _, stderr := e.exec("login", "carol", "--password-env", "TEST_PW", "--db", other); code != 0 {
		t.Fatalf("login to the other database: %s", stderr)
	}
	saved, err := os.ReadFile(e.sessionFile())
	if err != nil || strings.Count(string(saved), "\n") != 2 {
		t.Fatalf("session file %q (%v), want two lines", saved, err)
	}
	runCases(t, e, []runCase{
		{name: "whoami here", args: []string{"whoami"}, wantStdout: "alice\n"},
		{name: "whoami there", args: []string{"whoami", "--db", other}, wantStdout: "carol\n"},
		{name: "logout there, json", args: []string{"logout", "--db", other, "-o", "json"}, wantStdout: "{\n  \"logged_out\": true,\n  \"username\": \"carol\"\n}\n"},
		{name: "still here", args: []string{"whoami"}, wantStdout: "alice\n"},
		{name: "revoked", args: []string{"session", "revoke", "--user", "alice", "-q"}},
		{name: "whoami after revoke", args: []string{"whoami"}, wantCode: 1, wantStdout: "anonymous\n",
			wantStderr: "authctl: the saved session has ended (revoked, expired, or ended by a password change); forgot it\n"},
		{name: "logout when not logged in", args: []string{"logout"}, wantStderr: "Not logged in\n"},
	})
	if _, err := os.Stat(e.sessionFile()); !os.IsNotExist(err) {
		t.Errorf("the session file outlived its last session: %v", err)
	}
}
