package cmd

// Helpers for the unit tests of the commands: a Factory like newFactory's
// but over buffers, a private environment, a fixed clock, and ways to run a
// whole command line or one command's run function in the test process.
// The end-to-end tests of the binary are in ../script_test.go.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/iostreams"
)

func TestMain(m *testing.M) {
	// Tables show local times; make them the same on every machine.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// testNow is the clock of every test factory.
var testNow = time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC)

// testPW is the password the seeded users get (from $TEST_PW).
const testPW = "correct horse battery"

// testEnv is a private setup: a database, home and XDG directories in a
// temporary directory, the cheap hasher the scripts use, and an
// environment map that every factory made from it reads.
type testEnv struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dir := t.TempDir()
	return &testEnv{t: t, dir: dir, env: map[string]string{
		"AUTHCTL_DB":                       filepath.Join(dir, "auth.db"),
		"AUTHCTL_HASHER_ALGORITHM":         "pbkdf2_sha256",
		"AUTHCTL_HASHER_PBKDF2_ITERATIONS": "1000",
		"HOME":                             filepath.Join(dir, "home"),
		"XDG_CONFIG_HOME":                  filepath.Join(dir, "config"),
		"XDG_DATA_HOME":                    filepath.Join(dir, "data"),
		"XDG_STATE_HOME":                   filepath.Join(dir, "state"),
		"SUDO_USER":                        "tester",
		"TEST_PW":                          testPW,
	}}
}

func (e *testEnv) lookupEnv(name string) (string, bool) {
	v, ok := e.env[name]
	return v, ok
}

// sessionFile is where login saves the token in this environment.
func (e *testEnv) sessionFile() string {
	return filepath.Join(e.dir, "state", "authctl", "session")
}

// testFactory is a Factory for one invocation, over buffers, with the
// fixed clock. Use a new one for every command run.
type testFactory struct {
	*cmdutil.Factory
	t                *testing.T
	inv              *invocation
	ios              *iostreams.IOStreams
	in, out, errOut  *bytes.Buffer
	globalFlagsGiven bool
}

// factory builds a Factory as newFactory does, over test streams (no
// terminal until SetTTY or SetPrompter says otherwise).
func (e *testEnv) factory() *testFactory {
	ios, in, out, errOut := iostreams.Test()
	f, inv := newFactory(ios, e.lookupEnv)
	f.Now = func() time.Time { return testNow }
	e.t.Cleanup(inv.close)
	return &testFactory{Factory: f, t: e.t, inv: inv, ios: ios, in: in, out: out, errOut: errOut}
}

// run runs an authctl command line through the command tree, as Main does,
// and returns the exit code; what it printed is in out and errOut.
func (tf *testFactory) run(args ...string) int {
	defer tf.inv.close()
	return runRoot(tf.Factory, tf.inv, newRootFor(tf.Factory, args), args)
}

// globalFlags parses the global flags (-o, -q, --db, ...) as the command
// line would, for calling a run function directly. Without it the
// configuration is the environment's and the defaults.
func (tf *testFactory) globalFlags(args ...string) *testFactory {
	tf.t.Helper()
	c := &cobra.Command{Use: "authctl"}
	c.Flags().AddFlagSet(newRootCmd(tf.Factory, "version").PersistentFlags())
	if err := c.Flags().Parse(args); err != nil {
		tf.t.Fatalf("global flags %q: %v", args, err)
	}
	tf.inv.cmd = c
	tf.globalFlagsGiven = true
	return tf
}

// call runs a command's run function the way its RunE would, then closes
// the database.
func (tf *testFactory) call(run func(cmd *cobra.Command) error) error {
	tf.t.Helper()
	if !tf.globalFlagsGiven {
		tf.globalFlags()
	}
	defer tf.inv.close()
	c := &cobra.Command{Use: "authctl"}
	c.SetContext(context.Background())
	return run(c)
}

// seed runs setup commands (arguments split at spaces), each in its own
// invocation, and fails the test if one fails.
func (e *testEnv) seed(lines ...string) {
	e.t.Helper()
	for _, line := range lines {
		tf := e.factory()
		if code := tf.run(strings.Fields(line)...); code != 0 {
			e.t.Fatalf("seed %q: exit %d\n%s", line, code, tf.errOut)
		}
	}
}

// exec runs a command line in a fresh invocation and returns its exit code
// and output.
func (e *testEnv) exec(args ...string) (code int, stdout, stderr string) {
	tf := e.factory()
	code = tf.run(args...)
	return code, tf.out.String(), tf.errOut.String()
}

// userExists reports whether the user is in the database.
func (e *testEnv) userExists(name string) bool {
	e.t.Helper()
	code, _, stderr := e.exec("user", "show", name)
	switch code {
	case 0:
		return true
	case cmdutil.ExitNotFound:
		return false
	}
	e.t.Fatalf("user show %s: exit %d: %s", name, code, stderr)
	return false
}

// authenticates reports whether the user's password is pw.
func (e *testEnv) authenticates(name, pw string) bool {
	e.t.Helper()
	e.env["CHECK_PW"] = pw
	defer delete(e.env, "CHECK_PW")
	code, _, stderr := e.exec("authenticate", name, "--password-env", "CHECK_PW", "-q")
	switch code {
	case 0:
		return true
	case cmdutil.ExitDenied:
		return false
	}
	e.t.Fatalf("authenticate %s: exit %d: %s", name, code, stderr)
	return false
}

// parseCmd runs the command line argv (split at spaces; the first words name
// the command, e.g. "user create alice") through a root command that has
// the global flags and, under parents, the command cmd, built with a runF
// that captures its options. It returns the error as Main would see it.
func (tf *testFactory) parseCmd(parents []string, cmd *cobra.Command, argv string) error {
	tf.t.Helper()
	defer tf.inv.close()
	root := newRootCmd(tf.Factory, "version")
	parent := root
	for _, name := range parents {
		c := &cobra.Command{Use: name}
		parent.AddCommand(c)
		parent = c
	}
	parent.AddCommand(cmd)
	_, err := executeRoot(tf.Factory, tf.inv, root, strings.Fields(argv))
	return err
}

// wantUsageError checks that err is a *cmdutil.FlagError (exit 2) whose
// message contains msg.
func wantUsageError(t *testing.T, err error, msg string) {
	t.Helper()
	var fe *cmdutil.FlagError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T); want a *cmdutil.FlagError", err, err)
	}
	if code := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
		t.Errorf("ExitCode = %d, want %d", code, cmdutil.ExitUsage)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not contain %q", err, msg)
	}
}

// wantOutput compares what a command printed with what was expected.
func (tf *testFactory) wantOutput(t *testing.T, stdout, stderr string) {
	t.Helper()
	if got := tf.out.String(); got != stdout {
		t.Errorf("stdout:\n%s\nwant:\n%s\n(got %q)", got, stdout, got)
	}
	if got := tf.errOut.String(); got != stderr {
		t.Errorf("stderr:\n%s\nwant:\n%s\n(got %q)", got, stderr, got)
	}
}

// wantCode checks the exit code an error maps to.
func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	if got := cmdutil.ExitCode(err); got != code {
		t.Errorf("error %v: exit code %d, want %d", err, got, code)
	}
}

// splitLines splits output into lines without their newlines.
func splitLines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// checkParse runs argv through cmd, whose runF stores a copy of its
// options (without the factory) in *got, and checks either the usage error
// wantErr or that the options equal want.
func (tf *testFactory) checkParse(t *testing.T, parents []string, cmd *cobra.Command, argv string, got *any, want any, wantErr string) {
	t.Helper()
	err := tf.parseCmd(parents, cmd, argv)
	if wantErr != "" {
		wantUsageError(t, err, wantErr)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("options %+v, want %+v", *got, want)
	}
}
