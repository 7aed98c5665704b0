package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func TestNewCmdCheck(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    checkOptions
		wantErr string
	}{
		{name: "one permission", argv: "check blog.add_post", want: checkOptions{Perms: []string{"blog.add_post"}}},
		{
			name: "several, user, explain",
			argv: "check blog.add_post blog.change_post --user alice --explain",
			want: checkOptions{Perms: []string{"blog.add_post", "blog.change_post"}, User: "alice", Explain: true},
		},
		{name: "-u", argv: "check -u alice blog.add_post", want: checkOptions{Perms: []string{"blog.add_post"}, User: "alice"}},
		{name: "-q is global", argv: "check blog.add_post -q -o json", want: checkOptions{Perms: []string{"blog.add_post"}}},
		{name: "no permission", argv: "check --user alice", wantErr: "check takes at least one permission (app_label.codename)"},
		{name: "user without value", argv: "check blog.add_post --user", wantErr: "flag --user needs a value"},
		{name: "batch from stdin", argv: "check --batch", want: checkOptions{Batch: true}},
		{name: "batch from a file, explained", argv: "check --batch q.txt --explain", want: checkOptions{Batch: true, File: "q.txt", Explain: true}},
		{name: "batch, two files", argv: "check --batch a b", wantErr: "check --batch takes at most one file (got 2 arguments)"},
		{name: "batch with a user", argv: "check --batch --user alice", wantErr: "--batch reads users from its input: it takes no --user or --module"},
		{name: "module", argv: "check --module blog --user alice", want: checkOptions{Module: "blog", User: "alice"}},
		{name: "module with permissions", argv: "check --module blog blog.add_post", wantErr: "check --module takes no permissions (got 1 arguments)"},
		{name: "module with batch", argv: "check --batch --module blog", wantErr: "--batch reads users from its input: it takes no --user or --module"},
		{name: "module, explained, no user", argv: "check --module blog --explain", want: checkOptions{Module: "blog", Explain: true}},
		{name: "malformed permission is the run's to judge", argv: "check blog --user alice", want: checkOptions{Perms: []string{"blog"}, User: "alice"}},
		{name: "module without value", argv: "check --module", wantErr: "flag --module needs a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			cmd := newCmdCheck(tf.Factory, func(o *checkOptions) error { c := *o; c.f = nil; got = c; return nil })
			tf.checkParse(t, nil, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

// seedCheck is check.txtar's population.
func seedCheck(e *testEnv) {
	e.t.Helper()
	e.seed(
		"user create alice --password-env TEST_PW",
		"user create bob --no-password",
		"user create root1 --superuser --no-password",
		"user create off --inactive --no-password",
		"group add editors",
		"group add-members editors alice off",
		"perm grant blog.add_post --user alice --create",
		"perm grant blog.change_post --group editors --create",
		"perm grant blog.add_post --group editors",
		"perm grant blog.view_post --user off --create",
	)
}

func Test_checkRun(t *testing.T) {
	e := newTestEnv(t)
	seedCheck(e)
	tests := []struct {
		name       string
		opts       checkOptions
		flags      []string
		tty        bool
		session    bool // logged in as alice
		wantStdout string
		wantStderr string
		wantDenied bool
		wantErr    string
		wantCode   int
	}{
		{name: "allowed", opts: checkOptions{User: "alice", Perms: []string{"blog.add_post"}}, wantStdout: "allowed\n"},
		{name: "allowed on a terminal: the same", tty: true, opts: checkOptions{User: "alice", Perms: []string{"blog.add_post"}}, wantStdout: "allowed\n"},
		{name: "denied", opts: checkOptions{User: "bob", Perms: []string{"blog.add_post"}}, wantStdout: "denied\n", wantDenied: true},
		{
			name:       "explain, direct and via group",
			opts:       checkOptions{User: "alice", Perms: []string{"blog.add_post", "blog.change_post"}, Explain: true},
			wantStdout: "allowed\n  blog.add_post: allowed for alice (direct grant; also via group editors)\n  blog.change_post: allowed for alice (via group editors)\n",
		},
		{
			name: "explain, every permission needed",
			opts: checkOptions{User: "alice", Perms: []string{"blog.add_post", "blog.delete_post"}, Explain: true},
			wantStdout: "denied\n" +
				"  blog.add_post: allowed for alice (direct grant; also via group editors)\n" +
				"  blog.delete_post: denied for alice (unknown permission)\n",
			wantDenied: true,
		},
		{
			name:       "explain, not granted",
			opts:       checkOptions{User: "bob", Perms: []string{"blog.add_post"}, Explain: true},
			wantStdout: "denied\n  blog.add_post: denied for bob (not granted)\n",
			wantDenied: true,
		},
		{
			name:       "explain, superuser",
			opts:       checkOptions{User: "root1", Perms: []string{"blog.add_post", "shop.anything"}, Explain: true},
			wantStdout: "allowed\n  blog.add_post: allowed for root1 (superuser)\n  shop.anything: allowed for root1 (superuser; the permission does not exist)\n",
		},
		{
			name:       "explain, inactive",
			opts:       checkOptions{User: "off", Perms: []string{"blog.view_post"}, Explain: true},
			wantStdout: "denied\n  blog.view_post: denied for off (inactive user)\n",
			wantDenied: true,
		},
		{name: "quiet, allowed", flags: []string{"-q"}, opts: checkOptions{User: "alice", Perms: []string{"blog.add_post"}}},
		{name: "quiet, denied", flags: []string{"-q"}, opts: checkOptions{User: "alice", Perms: []string{"blog.delete_post"}, Explain: true}, wantDenied: true},
		{
			name:  "json",
			flags: []string{"-o", "json"},
			opts:  checkOptions{User: "alice", Perms: []string{"blog.add_post", "blog.change_post"}},
			wantStdout: `{
  "user": "alice",
  "allowed": true,
  "results": [
    {
      "permission": "blog.add_post",
      "allowed": true,
      "reason": "direct grant",
      "groups": [
        "editors"
      ]
    },
    {
      "permission": "blog.change_post",
      "allowed": true,
      "reason": "via group",
      "groups": [
        "editors"
      ]
    }
  ]
}
`,
		},
		{
			name:  "json, denied",
			flags: []string{"-o", "json"},
			opts:  checkOptions{User: "off", Perms: []string{"blog.delete_post"}},
			wantStdout: `{
  "user": "off",
  "allowed": false,
  "results": [
    {
      "permission": "blog.delete_post",
      "allowed": false,
      "reason": "inactive user"
    }
  ]
}
`,
			wantDenied: true,
		},
		{
			name:       "anonymous",
			opts:       checkOptions{Perms: []string{"blog.add_post"}, Explain: true},
			wantStdout: "denied\n  blog.add_post: denied for anonymous (not logged in)\n",
			wantDenied: true,
		},
		{
			name:  "anonymous, json",
			flags: []string{"-o", "json"},
			opts:  checkOptions{Perms: []string{"blog.add_post"}},
			wantStdout: `{
  "user": "",
  "allowed": false,
  "results": [
    {
      "permission": "blog.add_post",
      "allowed": false,
      "reason": "not logged in"
    }
  ]
}
`,
			wantDenied: true,
		},
		{
			name:       "the logged-in user",
			session:    true,
			opts:       checkOptions{Perms: []string{"blog.change_post"}, Explain: true},
			wantStdout: "allowed\n  blog.change_post: allowed for alice (via group editors)\n",
		},
		{name: "the logged-in user, denied", session: true, opts: checkOptions{Perms: []string{"blog.delete_post"}}, wantStdout: "denied\n", wantDenied: true},
		{name: "unknown user", opts: checkOptions{User: "nobody", Perms: []string{"blog.add_post"}}, wantErr: `user "nobody" does not exist`, wantCode: cmdutil.ExitNotFound},
		{name: "bad format", flags: []string{"-o", "jsonl"}, opts: checkOptions{User: "alice", Perms: []string{"blog.add_post"}}, wantErr: `invalid output format "jsonl": use one of table, json`, wantCode: cmdutil.ExitUsage},
		{
			name:       "malformed: denied, with a warning",
			opts:       checkOptions{User: "alice", Perms: []string{"blog"}, Explain: true},
			wantStdout: "denied\n  blog: denied for alice (malformed permission (want app_label.codename))\n",
			wantStderr: "authctl: warning: \"blog\" is not a permission (want app_label.codename): only a superuser passes it\n",
			wantDenied: true,
		},
		{
			name:       "malformed, empty",
			opts:       checkOptions{User: "alice", Perms: []string{""}, Explain: true},
			wantStdout: "denied\n  : denied for alice (malformed permission (want app_label.codename))\n",
			wantStderr: "authctl: warning: \"\" is not a permission (want app_label.codename): only a superuser passes it\n",
			wantDenied: true,
		},
		{
			name:       "malformed, quiet: the warning stays",
			flags:      []string{"-q"},
			opts:       checkOptions{User: "alice", Perms: []string{"blog"}},
			wantStderr: "authctl: warning: \"blog\" is not a permission (want app_label.codename): only a superuser passes it\n",
			wantDenied: true,
		},
		{
			name:       "malformed, superuser: allowed, still warned",
			opts:       checkOptions{User: "root1", Perms: []string{"blog"}},
			wantStdout: "allowed\n",
			wantStderr: "authctl: warning: \"blog\" is not a permission (want app_label.codename): only a superuser passes it\n",
		},
		{
			name:  "malformed, json: the same reason",
			flags: []string{"-o", "json"},
			opts:  checkOptions{User: "alice", Perms: []string{"blog"}},
			wantStdout: `{
  "user": "alice",
  "allowed": false,
  "results": [
    {
      "permission": "blog",
      "allowed": false,
      "reason": "malformed permission (want app_label.codename)",
      "malformed": true
    }
  ]
}
`,
			wantStderr: "authctl: warning: \"blog\" is not a permission (want app_label.codename): only a superuser passes it\n",
			wantDenied: true,
		},
	}
	token := ""
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			delete(e.env, sessionEnv)
			if tt.session {
				if token == "" {
					code, out, stderr := e.exec("login", "alice", "--password-env", "TEST_PW", "--print-token", "-q")
					if code != 0 {
						t.Fatalf("login: exit %d: %s", code, stderr)
					}
					token = strings.TrimSpace(out)
				}
				e.env[sessionEnv] = token
			}
			tf := e.factory().globalFlags(tt.flags...)
			tf.ios.SetTTY(false, tt.tty, false)
			opts := tt.opts
			opts.f = tf.Factory
			err := tf.call(func(c *cobra.Command) error { return checkRun(c, &opts) })
			switch {
			case tt.wantErr != "":
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				wantCode(t, err, tt.wantCode)
			case tt.wantDenied:
				if err != cmdutil.ErrDenied {
					t.Fatalf("error %v, want cmdutil.ErrDenied", err)
				}
				wantCode(t, err, cmdutil.ExitDenied)
			case err != nil:
				t.Fatal(err)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
	delete(e.env, sessionEnv)
}

// Through Main's path: denied is exit 1 with nothing on stderr; a usage
// error is exit 2 with a hint.
func TestCheckExitCodes(t *testing.T) {
	e := newTestEnv(t)
	seedCheck(e)
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{[]string{"check", "blog.add_post", "--user", "alice"}, 0, "allowed\n", ""},
		{[]string{"check", "blog.add_post", "--user", "bob"}, 1, "denied\n", ""},
		{[]string{"check", "blog.add_post", "--user", "bob", "-q"}, 1, "", ""},
		{[]string{"check", "blog.add_post", "--user", "nobody"}, 3, "", "authctl: user \"nobody\" does not exist\n"},
		{[]string{"check", "--user", "alice"}, 2, "", "authctl: check takes at least one permission (app_label.codename)\nRun 'authctl check --help' for usage.\n"},
		{[]string{"check", "blog.add_post", "--bogus"}, 2, "", "authctl: unknown flag --bogus\nRun 'authctl check --help' for usage.\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			tf := e.factory()
			if code := tf.run(tt.args...); code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
}
