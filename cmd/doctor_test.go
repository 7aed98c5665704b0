package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func TestNewCmdDoctor(t *testing.T) {
	for _, tt := range []struct {
		argv    string
		fix     bool
		wantErr string
	}{
		{argv: "doctor"},
		{argv: "doctor --fix", fix: true},
		{argv: "doctor extra", wantErr: "doctor takes no arguments (got 1 argument(s))"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *doctorOptions
			err := tf.parseCmd(nil, newCmdDoctor(tf.Factory, func(o *doctorOptions) error { got = o; return nil }), tt.argv)
			if tt.wantErr != "" {
				wantUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Fix != tt.fix {
				t.Errorf("Fix %v, want %v", got.Fix, tt.fix)
			}
		})
	}
}

func Test_doctorRun(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "group add editors")
	tf := e.factory()
	err := tf.call(func(c *cobra.Command) error { return doctorRun(c, &doctorOptions{f: tf.Factory}) })
	if err != nil {
		t.Fatal(err)
	}
	tf.wantOutput(t, "", "No problems found.\n")

	e.seed("user create old --password-hash sha1$salt$0123456789abcdef0123456789abcdef01234567")
	tf = e.factory()
	err = tf.call(func(c *cobra.Command) error { return doctorRun(c, &doctorOptions{f: tf.Factory}) })
	wantCode(t, err, cmdutil.ExitInvalid)
	tf.wantOutput(t, "hashes\tuser old\thas a legacy sha1 hash: reset the password, or it is upgraded at the next login\n", "1 problem(s) found.\n")

	tf = e.factory().globalFlags("-o", "json", "-q")
	err = tf.call(func(c *cobra.Command) error { return doctorRun(c, &doctorOptions{f: tf.Factory, Fix: true}) })
	wantCode(t, err, cmdutil.ExitInvalid)
	tf.wantOutput(t, `{
  "findings": [
    {
      "check": "hashes",
      "subject": "user old",
      "problem": "has a legacy sha1 hash: reset the password, or it is upgraded at the next login"
    }
  ],
  "fixed": []
}
`, "")
}

// doctor on a file that is no database: exit 7, and what to do.
func Test_doctorRunDamaged(t *testing.T) {
	e := newTestEnv(t)
	if err := os.WriteFile(e.env["AUTHCTL_DB"], []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := e.exec("doctor")
	if code != cmdutil.ExitInternal || out != "" || !strings.Contains(stderr, "restore") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("doctor on garbage: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if code, _, _ := e.exec("doctor", "--db", filepath.Join(e.dir, "missing.db")); code != cmdutil.ExitNotFound {
		t.Errorf("doctor on a missing database: exit %d", code)
	}
}
