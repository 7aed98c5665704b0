package cmd

import (
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
