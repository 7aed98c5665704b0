package cmd

import (
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
)

func TestNewCmdUserDelete(t *testing.T) {
	tests := []struct {
		name    string
		tty     bool // a terminal to confirm on
		argv    string
		want    userDeleteOptions
		wantErr string
	}{
		{name: "terminal", tty: true, argv: "user delete alice", want: userDeleteOptions{Users: userSelection{Names: []string{"alice"}}}},
		{name: "terminal, --yes", tty: true, argv: "user delete alice --yes", want: userDeleteOptions{Users: userSelection{Names: []string{"alice"}}, Yes: true}},
		{name: "no terminal, -y", argv: "user delete alice -y", want: userDeleteOptions{Users: userSelection{Names: []string{"alice"}}, Yes: true}},
		{name: "alias", argv: "user rm alice --yes", want: userDeleteOptions{Users: userSelection{Names: []string{"alice"}}, Yes: true}},
		{name: "no terminal, no --yes", argv: "user delete alice", wantErr: "--yes is required to delete without a terminal to confirm on"},
		{name: "two names", argv: "user delete alice bob -y", want: userDeleteOptions{Users: userSelection{Names: []string{"alice", "bob"}}, Yes: true}},
		{name: "selectors", argv: "user delete --group g --inactive -y", want: userDeleteOptions{Users: userSelection{Names: []string{}, Group: "g", Inactive: true}, Yes: true}},
		{name: "stdin needs --yes", tty: true, argv: "user delete --stdin", wantErr: "--stdin takes the names from standard input, so the confirmation cannot: give --yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			if tt.tty {
				tf.ios.SetPrompter(&prompt.Scripted{})
			}
			var got *userDeleteOptions
			cmd := newCmdUserDelete(tf.Factory, func(o *userDeleteOptions) error { got = o; return nil })
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

func Test_userDeleteRun(t *testing.T) {
	const question = "Delete user alice? [y/N]: "
	tests := []struct {
		name       string
		user       string
		yes        bool
		prompt     bool
		answers    []string
		errs       map[int]error
		flags      []string
		wantAsked  []string
		wantErr    string
		wantCode   int
		wantStderr string
		wantGone   bool
	}{
		{name: "--yes", yes: true, wantStderr: "Deleted user alice\n", wantGone: true},
		{name: "--yes, quiet", yes: true, flags: []string{"-q"}, wantGone: true},
		{name: "confirmed", prompt: true, answers: []string{"y"}, wantAsked: []string{question}, wantStderr: "Deleted user alice\n", wantGone: true},
		{name: "confirmed with YES", prompt: true, answers: []string{"YES"}, wantAsked: []string{question}, wantStderr: "Deleted user alice\n", wantGone: true},
		{name: "declined", prompt: true, answers: []string{"n"}, wantAsked: []string{question}, wantErr: "cancelled: interrupted", wantCode: cmdutil.ExitInterrupted},
		{name: "empty answer is no", prompt: true, answers: []string{""}, wantAsked: []string{question}, wantErr: "cancelled: interrupted", wantCode: cmdutil.ExitInterrupted},
		{name: "Ctrl-C", prompt: true, errs: map[int]error{0: prompt.ErrInterrupted}, wantAsked: []string{question}, wantErr: "interrupted", wantCode: cmdutil.ExitInterrupted},
		{name: "unknown user: nothing asked", user: "nobody", prompt: true, wantErr: `user "nobody" does not exist`, wantCode: cmdutil.ExitNotFound},
		{name: "unknown user, --yes", user: "nobody", yes: true, wantErr: `user "nobody" does not exist`, wantCode: cmdutil.ExitNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.seed("user create alice --no-password", "group add editors", "group add-members editors alice")
			tf := e.factory().globalFlags(tt.flags...)
			pr := &prompt.Scripted{Answers: tt.answers, Errors: tt.errs}
			if tt.prompt {
				tf.ios.SetPrompter(pr)
			}
			opts := userDeleteOptions{f: tf.Factory, Users: userSelection{Names: []string{"alice"}}, Yes: tt.yes}
			if tt.user != "" {
				opts.Users.Names = []string{tt.user}
			}
			err := tf.call(func(c *cobra.Command) error { return userDeleteRun(c, &opts) })
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
			if gone := !e.userExists("alice"); gone != tt.wantGone {
				t.Errorf("alice deleted: %v, want %v", gone, tt.wantGone)
			}
			// The membership goes with the user.
			members := "alice\n"
			if tt.wantGone {
				members = "-\n"
			}
			if _, out, _ := e.exec("group", "show", "editors"); out != "name:        editors\npermissions: -\nmembers:     "+members {
				t.Errorf("group show editors:\n%s", out)
			}
		})
	}
}

func TestNewCmdUserUnlock(t *testing.T) {
	tf := newTestEnv(t).factory()
	var got *userUnlockOptions
	cmd := newCmdUserUnlock(tf.Factory, func(o *userUnlockOptions) error { got = o; return nil })
	if err := tf.parseCmd([]string{"user"}, cmd, "user unlock alice"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Users.Names, []string{"alice"}) {
		t.Errorf("Names %q", got.Users.Names)
	}
}

func TestUserUnlock(t *testing.T) {
	e := newTestEnv(t)
	e.env["AUTHCTL_LOCKOUT_ATTEMPTS"] = "1"
	e.env["WRONG"] = "wrong"
	e.seed("user create alice --password-env TEST_PW")
	if code, _, _ := e.exec("authenticate", "alice", "--password-env", "WRONG", "-q"); code != cmdutil.ExitDenied {
		t.Fatalf("wrong password: exit %d", code)
	}
	// Locked: even the right password fails.
	if e.authenticates("alice", testPW) {
		t.Fatal("not locked after a failure with lockout.attempts 1")
	}
	tf := e.factory()
	if code := tf.run("user", "unlock", "alice"); code != 0 {
		t.Fatalf("exit %d: %s", code, tf.errOut)
	}
	tf.wantOutput(t, "", "Unlocked user alice\n")
	if !e.authenticates("alice", testPW) {
		t.Error("still locked after unlock")
	}
	tf = e.factory()
	if code := tf.run("user", "unlock", "nobody"); code != cmdutil.ExitNotFound {
		t.Errorf("unlock nobody: exit %d", code)
	}
	tf.wantOutput(t, "", "authctl: user \"nobody\" does not exist\n")
}
