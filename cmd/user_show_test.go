package cmd

import (
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

// fixedHash is testPW hashed with a fixed salt, so that the masked summary
// that user show prints is always the same.
const fixedHash = "pbkdf2_sha256$1000$Wonderland2024$vOKVrY93mzX4LS/3Btohz30o1XgLlwyAjtldxXbs42w="

func TestNewCmdUserShow(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    string
		wantErr string
	}{
		{name: "name", argv: "user show alice", want: "alice"},
		{name: "no name", argv: "user show", wantErr: "user show takes one username (got 0 argument(s))"},
		{name: "two names", argv: "user show alice bob", wantErr: "user show takes one username (got 2 argument(s))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *userShowOptions
			cmd := newCmdUserShow(tf.Factory, func(o *userShowOptions) error { got = o; return nil })
			err := tf.parseCmd([]string{"user"}, cmd, tt.argv)
			if tt.wantErr != "" {
				wantUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Username != tt.want {
				t.Errorf("Username %q, want %q", got.Username, tt.want)
			}
		})
	}
}

func Test_userShowRun(t *testing.T) {
	e := newTestEnv(t)
	e.seed(
		"user create alice --email alice@example.com --first-name Alice --last-name Liddell --password-hash "+fixedHash,
		"user create bob --no-password",
		"user create root1 --superuser --no-password",
		"user create off --inactive --no-password",
		"group add editors",
		"group add-members editors alice off",
		"perm grant blog.add_post --user alice --create",
		"perm grant blog.change_post --group editors --create",
		"perm grant blog.view_post --user off --create",
	)
	aliceTable := "" +
		"username:         alice\n" +
		"email:            alice@example.com\n" +
		"first name:       Alice\n" +
		"last name:        Liddell\n" +
		"active:           yes\n" +
		"staff:            no\n" +
		"superuser:        no\n" +
		"last login:       never\n" +
		"date joined:      2024-05-17 09:30:00 UTC\n" +
		"groups:           editors\n" +
		"user permissions: blog.add_post\n" +
		"all permissions:  blog.add_post, blog.change_post\n" +
		"password:         algorithm: pbkdf2_sha256, iterations: 1000, salt: Wonder********, hash: vOKVrY**************************************\n" +
		"failed logins:    0 (not locked)\n"
	tests := []struct {
		name       string
		user       string
		tty        bool
		flags      []string
		wantStdout string
		wantErr    string
		wantCode   int
	}{
		{name: "terminal", user: "alice", tty: true, wantStdout: aliceTable},
		{name: "piped: the same", user: "alice", wantStdout: aliceTable},
		{
			name: "no password, superuser has every permission",
			user: "root1",
			wantStdout: "" +
				"username:         root1\n" +
				"email:            \n" +
				"first name:       \n" +
				"last name:        \n" +
				"active:           yes\n" +
				"staff:            yes\n" +
				"superuser:        yes\n" +
				"last login:       never\n" +
				"date joined:      2024-05-17 09:30:00 UTC\n" +
				"groups:           -\n" +
				"user permissions: -\n" +
				"all permissions:  blog.add_post, blog.change_post, blog.view_post\n" +
				"password:         no password set (unusable)\n" +
				"failed logins:    0 (not locked)\n",
		},
		{
			name: "inactive: no effective permission",
			user: "off",
			wantStdout: "" +
				"username:         off\n" +
				"email:            \n" +
				"first name:       \n" +
				"last name:        \n" +
				"active:           no\n" +
				"staff:            no\n" +
				"superuser:        no\n" +
				"last login:       never\n" +
				"date joined:      2024-05-17 09:30:00 UTC\n" +
				"groups:           editors\n" +
				"user permissions: blog.view_post\n" +
				"all permissions:  -\n" +
				"password:         no password set (unusable)\n" +
				"failed logins:    0 (not locked)\n",
		},
		{
			name:  "json",
			user:  "alice",
			flags: []string{"--output=json"},
			wantStdout: `{
  "username": "alice",
  "email": "alice@example.com",
  "first_name": "Alice",
  "last_name": "Liddell",
  "is_active": true,
  "is_staff": false,
  "is_superuser": false,
  "last_login": null,
  "date_joined": "2024-05-17T09:30:00Z",
  "groups": [
    "editors"
  ],
  "user_permissions": [
    "blog.add_post"
  ],
  "all_permissions": [
    "blog.add_post",
    "blog.change_post"
  ],
  "password": {
    "usable": true,
    "summary": {
      "algorithm": "pbkdf2_sha256",
      "hash": "vOKVrY**************************************",
      "iterations": "1000",
      "salt": "Wonder********"
    }
  },
  "failed_logins": 0,
  "locked_until": null
}
`,
		},
		{
			name:  "json, no password",
			user:  "bob",
			flags: []string{"-o", "json"},
			wantStdout: `{
  "username": "bob",
  "email": "",
  "first_name": "",
  "last_name": "",
  "is_active": true,
  "is_staff": false,
  "is_superuser": false,
  "last_login": null,
  "date_joined": "2024-05-17T09:30:00Z",
  "groups": [],
  "user_permissions": [],
  "all_permissions": [],
  "password": {
    "usable": false,
    "summary": {
      "password": "no password set (unusable)"
    }
  },
  "failed_logins": 0,
  "locked_until": null
}
`,
		},
		{name: "unknown user", user: "nobody", wantErr: `user "nobody" does not exist`, wantCode: cmdutil.ExitNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory().globalFlags(tt.flags...)
			tf.ios.SetTTY(false, tt.tty, false)
			opts := userShowOptions{f: tf.Factory, Username: tt.user}
			err := tf.call(func(c *cobra.Command) error { return userShowRun(c, &opts) })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				wantCode(t, err, tt.wantCode)
			} else if err != nil {
				t.Fatal(err)
			}
			tf.wantOutput(t, tt.wantStdout, "")
		})
	}
}

// After a login and too many failures, show has the last login and the lock.
func Test_userShowRun_loginAndLock(t *testing.T) {
	e := newTestEnv(t)
	e.env["AUTHCTL_LOCKOUT_ATTEMPTS"] = "2"
	e.seed("user create alice --password-hash "+fixedHash, "login alice --password-env TEST_PW --print-token")
	e.env["WRONG"] = "wrong password"
	for range 2 {
		if code, _, _ := e.exec("authenticate", "alice", "--password-env", "WRONG", "-q"); code != cmdutil.ExitDenied {
			t.Fatalf("wrong password: exit %d", code)
		}
	}
	tf := e.factory()
	opts := userShowOptions{f: tf.Factory, Username: "alice"}
	if err := tf.call(func(c *cobra.Command) error { return userShowRun(c, &opts) }); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"last login":    "2024-05-17 09:30:00 UTC",
		"failed logins": "2 (locked until 2024-05-17 09:45:00 UTC)",
	}
	got := map[string]string{}
	for _, line := range splitLines(tf.out.String()) {
		for k := range want {
			if len(line) > 18 && line[:len(k)+1] == k+":" {
				got[k] = line[18:]
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q in:\n%s", got, want, tf.out)
	}
}
