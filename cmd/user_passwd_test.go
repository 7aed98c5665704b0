package cmd

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
)

func TestNewCmdUserPasswd(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    userPasswdOptions
		wantErr string
	}{
		{name: "name", argv: "user passwd alice", want: userPasswdOptions{Username: "alice"}},
		{name: "stdin", argv: "user passwd alice --password-stdin --skip-validation", want: userPasswdOptions{Username: "alice", Password: cmdutil.PasswordSource{Stdin: true}, SkipValidation: true}},
		{name: "file", argv: "user passwd alice --password-file /run/secrets/pw", want: userPasswdOptions{Username: "alice", Password: cmdutil.PasswordSource{File: "/run/secrets/pw"}}},
		{name: "env", argv: "user passwd alice --password-env PW", want: userPasswdOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "PW"}}},
		{name: "two sources", argv: "user passwd alice --password-stdin --password-env PW", wantErr: "--password-stdin, --password-file and --password-env cannot be used together"},
		{name: "no name", argv: "user passwd", wantErr: "user passwd takes one username (got 0 argument(s))"},
		{name: "two names", argv: "user passwd alice bob", wantErr: "user passwd takes one username (got 2 argument(s))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *userPasswdOptions
			cmd := newCmdUserPasswd(tf.Factory, func(o *userPasswdOptions) error { got = o; return nil })
			err := tf.parseCmd([]string{"user"}, cmd, tt.argv)
			if tt.wantErr != "" {
				wantUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := *got
			g.f = nil
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("options %+v, want %+v", g, tt.want)
			}
		})
	}
}

func Test_userPasswdRun(t *testing.T) {
	const (
		newPW = "Tumtum-Tree-1872"
		pw    = "Password: "
		again = "Password (again): "
	)
	weak := "This password is too short. It must contain at least 8 characters.\nThis password is too common.\nThis password is entirely numeric.\n"
	tests := []struct {
		name       string
		user       string
		opts       userPasswdOptions
		prompt     bool // a terminal to ask on
		answers    []string
		errs       map[int]error
		flags      []string
		wantAsked  []string
		wantErr    string
		wantCode   int
		wantStderr string
		wantPW     string // alice's password afterwards
	}{
		{
			name:       "from env",
			opts:       userPasswdOptions{Password: cmdutil.PasswordSource{Env: "NEW_PW"}},
			wantStderr: "Password changed successfully for user 'alice'\n",
			wantPW:     newPW,
		},
		{
			name:     "from env, rejected",
			opts:     userPasswdOptions{Password: cmdutil.PasswordSource{Env: "WEAK"}},
			wantErr:  strings.TrimSuffix(weak, "\n"),
			wantCode: cmdutil.ExitInvalid,
			wantPW:   testPW,
		},
		{
			name:     "from env, unknown user",
			user:     "nobody",
			opts:     userPasswdOptions{Password: cmdutil.PasswordSource{Env: "NEW_PW"}},
			wantErr:  `user "nobody" does not exist`,
			wantCode: cmdutil.ExitNotFound,
			wantPW:   testPW,
		},
		{
			name:     "no terminal and no flag",
			wantErr:  "no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME",
			wantCode: cmdutil.ExitUsage,
			wantPW:   testPW,
		},
		{
			name:       "asked, quiet",
			prompt:     true,
			flags:      []string{"-q"},
			answers:    []string{newPW, newPW},
			wantAsked:  []string{pw, again},
			wantStderr: "",
			wantPW:     newPW,
		},
		{
			name:       "asked",
			prompt:     true,
			answers:    []string{newPW, newPW},
			wantAsked:  []string{pw, again},
			wantStderr: "Changing password for user 'alice'\nPassword changed successfully for user 'alice'\n",
			wantPW:     newPW,
		},
		{
			name:       "mismatch, then match",
			prompt:     true,
			answers:    []string{newPW, "Tumtum-Tree-1873", newPW, newPW},
			wantAsked:  []string{pw, again, pw, again},
			wantStderr: "Changing password for user 'alice'\nPasswords do not match. Please try again.\nPassword changed successfully for user 'alice'\n",
			wantPW:     newPW,
		},
		{
			name:       "rejected, then good",
			prompt:     true,
			answers:    []string{"1234", "1234", newPW, newPW},
			wantAsked:  []string{pw, again, pw, again},
			wantStderr: "Changing password for user 'alice'\n" + weak + "Password changed successfully for user 'alice'\n",
			wantPW:     newPW,
		},
		{
			name:       "three mismatches",
			prompt:     true,
			answers:    []string{"a1-xxxxxxxx", "b", "a2-xxxxxxxx", "b", "a3-xxxxxxxx", "b"},
			wantAsked:  []string{pw, again, pw, again, pw, again},
			wantErr:    "Aborting password change for user 'alice' after 3 attempts",
			wantCode:   cmdutil.ExitInvalid,
			wantStderr: "Changing password for user 'alice'\n" + strings.Repeat("Passwords do not match. Please try again.\n", 3),
			wantPW:     testPW,
		},
		{
			name:       "rejected three times",
			prompt:     true,
			answers:    []string{"1234", "1234", "1234", "1234", "1234", "1234"},
			wantAsked:  []string{pw, again, pw, again, pw, again},
			wantErr:    "Aborting password change for user 'alice' after 3 attempts",
			wantCode:   cmdutil.ExitInvalid,
			wantStderr: "Changing password for user 'alice'\n" + weak + weak + weak,
			wantPW:     testPW,
		},
		{
			name:       "skip validation",
			prompt:     true,
			opts:       userPasswdOptions{SkipValidation: true},
			answers:    []string{"1234", "1234"},
			wantAsked:  []string{pw, again},
			wantStderr: "Changing password for user 'alice'\nPassword changed successfully for user 'alice'\n",
			wantPW:     "1234",
		},
		{
			name:       "empty first answer aborts",
			prompt:     true,
			answers:    []string{""},
			wantAsked:  []string{pw},
			wantErr:    "aborted: interrupted",
			wantCode:   cmdutil.ExitInterrupted,
			wantStderr: "Changing password for user 'alice'\n",
			wantPW:     testPW,
		},
		{
			name:       "empty second answer aborts",
			prompt:     true,
			answers:    []string{newPW, ""},
			wantAsked:  []string{pw, again},
			wantErr:    "aborted: interrupted",
			wantCode:   cmdutil.ExitInterrupted,
			wantStderr: "Changing password for user 'alice'\n",
			wantPW:     testPW,
		},
		{
			name:       "Ctrl-C",
			prompt:     true,
			answers:    []string{newPW},
			errs:       map[int]error{1: prompt.ErrInterrupted},
			wantAsked:  []string{pw, again},
			wantErr:    "interrupted",
			wantCode:   cmdutil.ExitInterrupted,
			wantStderr: "Changing password for user 'alice'\n",
			wantPW:     testPW,
		},
		{
			name:     "unknown user: nothing asked",
			user:     "nobody",
			prompt:   true,
			wantErr:  `user "nobody" does not exist`,
			wantCode: cmdutil.ExitNotFound,
			wantPW:   testPW,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.env["NEW_PW"], e.env["WEAK"] = newPW, "1234"
			e.seed("user create alice --password-hash " + fixedHash)
			tf := e.factory().globalFlags(tt.flags...)
			pr := &prompt.Scripted{Answers: tt.answers, Errors: tt.errs}
			if tt.prompt {
				tf.ios.SetPrompter(pr)
			}
			opts := tt.opts
			opts.f, opts.Username = tf.Factory, "alice"
			if tt.user != "" {
				opts.Username = tt.user
			}
			err := tf.call(func(c *cobra.Command) error { return userPasswdRun(c, &opts) })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				wantCode(t, err, tt.wantCode)
			} else if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pr.Asked, tt.wantAsked) {
				t.Errorf("asked %q, want %q", pr.Asked, tt.wantAsked)
			}
			tf.wantOutput(t, "", tt.wantStderr)
			if !e.authenticates("alice", tt.wantPW) {
				t.Errorf("alice's password is not %q", tt.wantPW)
			}
		})
	}
}

// Changing your own password keeps your session; others' sessions end.
func Test_userPasswdRun_sessions(t *testing.T) {
	e := newTestEnv(t)
	e.env["NEW_PW"] = "Tumtum-Tree-1872"
	e.seed("user create alice --password-hash "+fixedHash, "user create bob --password-env TEST_PW")
	login := func(name string) string {
		code, out, stderr := e.exec("login", name, "--password-env", "TEST_PW", "--print-token", "-q")
		if code != 0 {
			t.Fatalf("login %s: exit %d: %s", name, code, stderr)
		}
		return strings.TrimSpace(out)
	}
	mine, other := login("alice"), login("alice")
	if err := os.MkdirAll(filepath.Dir(e.sessionFile()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.sessionFile(), []byte(mine+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tf := e.factory()
	opts := userPasswdOptions{f: tf.Factory, Username: "alice", Password: cmdutil.PasswordSource{Env: "NEW_PW"}}
	if err := tf.call(func(c *cobra.Command) error { return userPasswdRun(c, &opts) }); err != nil {
		t.Fatal(err)
	}
	for token, want := range map[string]int{mine: 0, other: cmdutil.ExitDenied} {
		e.env[sessionEnv] = token
		if code, out, _ := e.exec("whoami"); code != want {
			t.Errorf("whoami with the %s session: exit %d (%s), want %d", map[bool]string{true: "own", false: "other"}[token == mine], code, out, want)
		}
	}
}
