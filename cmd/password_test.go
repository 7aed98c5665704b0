package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
)

func TestNewCmdPassword(t *testing.T) {
	for _, tt := range []struct {
		argv    string
		want    any
		wantErr string
	}{
		{argv: "password hash", want: passwordHashOptions{}},
		{argv: "password hash --hasher scrypt --password-stdin", want: passwordHashOptions{Hasher: "scrypt", Password: cmdutil.PasswordSource{Stdin: true}}},
		{argv: "password hash x", wantErr: "password hash takes no arguments (got 1 argument(s))"},
		{argv: "password validate --user alice --password-env PW", want: passwordValidateOptions{User: "alice", Password: cmdutil.PasswordSource{Env: "PW"}}},
		{argv: "password validate --password-env PW --password-stdin", wantErr: "cannot be used together"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			var cmd *cobra.Command
			if strings.Fields(tt.argv)[1] == "hash" {
				cmd = newCmdPasswordHash(tf.Factory, func(o *passwordHashOptions) error { c := *o; c.f = nil; got = c; return nil })
			} else {
				cmd = newCmdPasswordValidate(tf.Factory, func(o *passwordValidateOptions) error { c := *o; c.f = nil; got = c; return nil })
			}
			tf.checkParse(t, []string{"password"}, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

func Test_passwordRuns(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --first-name Alice --no-password")
	for _, tt := range []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string // a prefix
		wantStderr string
	}{
		{"hash from stdin", []string{"password", "hash", "--password-stdin"}, "s3cret-Pass\n", 0, "pbkdf2_sha256$1000$", ""},
		{"hash with another hasher", []string{"password", "hash", "--password-stdin", "--hasher", "bcrypt_sha256"}, "s3cret-Pass\n", 0, "bcrypt_sha256$$2b$12$", ""},
		{"hash with an unknown hasher", []string{"password", "hash", "--password-stdin", "--hasher", "rot13"}, "x\n", cmdutil.ExitInvalid, "", ""},
		{"hash without a terminal", []string{"password", "hash"}, "", cmdutil.ExitUsage, "", "authctl: no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME\nRun 'authctl password hash --help' for usage.\n"},
		{"valid", []string{"password", "validate", "--password-stdin"}, "correct horse battery\n", 0, "valid\n", ""},
		{"invalid", []string{"password", "validate", "--password-stdin"}, "1234\n", cmdutil.ExitInvalid, "This password is too short. It must contain at least 8 characters.\nThis password is too common.\nThis password is entirely numeric.\n", ""},
		{"similar to the user", []string{"password", "validate", "--password-stdin", "--user", "alice", "-o", "json"}, "alice123\n", cmdutil.ExitInvalid, "{\n  \"valid\": false,\n  \"errors\": [\n    {\n      \"code\": \"password_too_similar\"", ""},
		{"quiet", []string{"password", "validate", "--password-stdin", "-q"}, "1234\n", cmdutil.ExitInvalid, "", ""},
		{"unknown user", []string{"password", "validate", "--password-stdin", "--user", "nobody"}, "correct horse battery\n", cmdutil.ExitNotFound, "", "authctl: user \"nobody\" does not exist\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory()
			tf.in.WriteString(tt.stdin)
			if code := tf.run(tt.args...); code != tt.wantCode {
				t.Errorf("exit %d, want %d: %s", code, tt.wantCode, tf.errOut)
			}
			if !strings.HasPrefix(tf.out.String(), tt.wantStdout) {
				t.Errorf("stdout %q, want it to start with %q", tf.out, tt.wantStdout)
			}
			if tt.wantStderr != "" && tf.errOut.String() != tt.wantStderr {
				t.Errorf("stderr %q, want %q", tf.errOut, tt.wantStderr)
			}
		})
	}
	// At a terminal, hash asks twice.
	tf := e.factory()
	pr := &prompt.Scripted{Answers: []string{"s3cret-Pass", "s3cret-Pass"}}
	tf.ios.SetPrompter(pr)
	if code := tf.run("password", "hash"); code != 0 || !strings.HasPrefix(tf.out.String(), "pbkdf2_sha256$") {
		t.Errorf("hash at a terminal: exit %d, %q, %s", code, tf.out, tf.errOut)
	}
	if len(pr.Asked) != 2 {
		t.Errorf("asked %q, want two questions", pr.Asked)
	}
}
