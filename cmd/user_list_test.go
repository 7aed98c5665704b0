package cmd

import (
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func TestNewCmdUserList(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    userListOptions
		wantErr string
	}{
		{name: "no flags", argv: "user list", want: userListOptions{IncludeSuperusers: true}},
		{name: "alias", argv: "user ls --active", want: userListOptions{IncludeSuperusers: true, Active: true}},
		{
			name: "every filter",
			argv: "user list --group editors --active --superuser --search LIDDELL",
			want: userListOptions{IncludeSuperusers: true, Group: "editors", Active: true, Superuser: true, Search: "LIDDELL"},
		},
		{name: "inactive", argv: "user list --inactive", want: userListOptions{IncludeSuperusers: true, Inactive: true}},
		{name: "active and inactive", argv: "user list --active --inactive", wantErr: "--active and --inactive cannot be used together"},
		{name: "an argument", argv: "user list alice", wantErr: "user list takes no arguments (got 1 argument(s))"},
		{name: "group without value", argv: "user list --group", wantErr: "flag --group needs a value"},
		{name: "with perm", argv: "user list --with-perm blog.add_post --include-superusers=false --inactive", want: userListOptions{WithPerm: "blog.add_post", Inactive: true}},
		{name: "with perm and group", argv: "user list --with-perm blog.add_post --group editors", wantErr: "--with-perm cannot be combined with --group, --superuser or --search"},
		{name: "superusers without with-perm", argv: "user list --include-superusers=false", wantErr: "--include-superusers goes with --with-perm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *userListOptions
			cmd := newCmdUserList(tf.Factory, func(o *userListOptions) error { got = o; return nil })
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

// seedPeople is user_list.txtar's population.
func seedPeople(e *testEnv) {
	e.t.Helper()
	e.seed(
		"user create alice --email alice@example.com --first-name Alice --last-name Liddell --password-env TEST_PW",
		"user create bob --email bob@example.org --no-password",
		"user create carol --inactive --no-password",
		"user create root1 --superuser --email boss@example.com --no-password",
		"group add editors",
		"group add-members editors alice carol",
		"group add readers",
		"group add-members readers alice",
		"perm grant blog.add_post --user alice --create",
		"perm grant blog.change_post --group editors --create",
	)
}

func Test_userListRun(t *testing.T) {
	e := newTestEnv(t)
	seedPeople(e)
	tests := []struct {
		name       string
		tty        bool
		flags      []string
		opts       userListOptions
		wantStdout string
		wantErr    string
		wantCode   int
	}{
		{
			name: "table on a terminal",
			tty:  true,
			wantStdout: "" +
				"USERNAME  EMAIL              ACTIVE  STAFF  SUPERUSER  GROUPS\n" +
				"alice     alice@example.com  yes     no     no         editors,readers\n" +
				"bob       bob@example.org    yes     no     no\n" +
				"carol                        no      no     no         editors\n" +
				"root1     boss@example.com   yes     yes    yes\n",
		},
		{
			name: "tab-separated when piped",
			wantStdout: "" +
				"alice\talice@example.com\tyes\tno\tno\teditors,readers\n" +
				"bob\tbob@example.org\tyes\tno\tno\t\n" +
				"carol\t\tno\tno\tno\teditors\n" +
				"root1\tboss@example.com\tyes\tyes\tyes\t\n",
		},
		{
			name: "group filter on a terminal",
			tty:  true,
			opts: userListOptions{Group: "editors"},
			wantStdout: "" +
				"USERNAME  EMAIL              ACTIVE  STAFF  SUPERUSER  GROUPS\n" +
				"alice     alice@example.com  yes     no     no         editors,readers\n" +
				"carol                        no      no     no         editors\n",
		},
		{
			name:       "inactive",
			opts:       userListOptions{Inactive: true},
			wantStdout: "carol\t\tno\tno\tno\teditors\n",
		},
		{
			name:       "active superusers",
			opts:       userListOptions{Active: true, Superuser: true},
			wantStdout: "root1\tboss@example.com\tyes\tyes\tyes\t\n",
		},
		{
			name:       "search in any case",
			opts:       userListOptions{Search: "LIDDELL"},
			wantStdout: "alice\talice@example.com\tyes\tno\tno\teditors,readers\n",
		},
		{name: "nothing matches on a terminal: no header", tty: true, opts: userListOptions{Search: "nobody"}, wantStdout: ""},
		{name: "nothing matches piped", opts: userListOptions{Search: "nobody"}, wantStdout: ""},
		{
			name:  "json, the same on a terminal",
			tty:   true,
			flags: []string{"-o", "json"},
			opts:  userListOptions{Group: "editors"},
			wantStdout: `[
  {"username":"alice","email":"alice@example.com","first_name":"Alice","last_name":"Liddell","is_active":true,"is_staff":false,"is_superuser":false,"last_login":null,"date_joined":"2024-05-17T09:30:00Z","groups":["editors","readers"],"user_permissions":["blog.add_post"]},
  {"username":"carol","email":"","first_name":"","last_name":"","is_active":false,"is_staff":false,"is_superuser":false,"last_login":null,"date_joined":"2024-05-17T09:30:00Z","groups":["editors"],"user_permissions":[]}
]
`,
		},
		{name: "json, nothing matches", flags: []string{"-o", "json"}, opts: userListOptions{Search: "nobody"}, wantStdout: "[]\n"},
		{name: "unknown group", opts: userListOptions{Group: "nosuchgroup"}, wantErr: `group "nosuchgroup" does not exist`, wantCode: cmdutil.ExitNotFound},
		{name: "bad format", flags: []string{"-o", "yaml"}, wantErr: `invalid output format "yaml": use one of table, json`, wantCode: cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory().globalFlags(tt.flags...)
			tf.ios.SetTTY(false, tt.tty, false)
			opts := tt.opts
			opts.f = tf.Factory
			err := tf.call(func(c *cobra.Command) error { return userListRun(c, &opts) })
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

func Test_userListRun_noDatabase(t *testing.T) {
	e := newTestEnv(t)
	tf := e.factory()
	opts := userListOptions{f: tf.Factory}
	err := tf.call(func(c *cobra.Command) error { return userListRun(c, &opts) })
	want := "no database at " + e.env["AUTHCTL_DB"] + `: create it with a first change (for example "authctl user create NAME"), or point --db or AUTHCTL_DB at an existing one`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	wantCode(t, err, cmdutil.ExitNotFound)
}
