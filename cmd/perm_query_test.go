package cmd

import (
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

// seedQuery is check.txtar's population plus a second group.
func seedQuery(e *testEnv) {
	e.t.Helper()
	seedCheck(e)
	e.seed(
		"group add writers",
		"group add-members writers alice bob",
		"perm grant blog.change_post --group writers",
	)
}

func Test_userListRun_withPerm(t *testing.T) {
	e := newTestEnv(t)
	seedQuery(e)
	tests := []struct {
		name       string
		opts       userListOptions
		flags      []string
		tty        bool
		wantStdout string
		wantErr    string
		wantCode   int
	}{
		{
			name:       "active holders, superusers included",
			opts:       userListOptions{WithPerm: "blog.change_post", IncludeSuperusers: true},
			wantStdout: "alice\tyes\tno\tgroup editors, group writers\nbob\tyes\tno\tgroup writers\nroot1\tyes\tyes\tsuperuser\n",
		},
		{
			name:       "a table on a terminal",
			tty:        true,
			opts:       userListOptions{WithPerm: "blog.add_post", IncludeSuperusers: true},
			wantStdout: "USERNAME  ACTIVE  SUPERUSER  HOLDS IT THROUGH\nalice     yes     no         direct, group editors\nroot1     yes     yes        superuser\n",
		},
		{
			name:       "without superusers",
			opts:       userListOptions{WithPerm: "blog.add_post"},
			wantStdout: "alice\tyes\tno\tdirect, group editors\n",
		},
		{
			name:       "inactive ones",
			opts:       userListOptions{WithPerm: "blog.view_post", Inactive: true, IncludeSuperusers: true},
			wantStdout: "off\tno\tno\tdirect\n",
		},
		{
			name:  "json",
			flags: []string{"-o", "json"},
			opts:  userListOptions{WithPerm: "blog.add_post", IncludeSuperusers: true},
			wantStdout: "[\n" +
				`  {"username":"alice","is_active":true,"is_superuser":false,"direct":true,"groups":["editors"],"superuser":false},` + "\n" +
				`  {"username":"root1","is_active":true,"is_superuser":true,"direct":false,"groups":[],"superuser":true}` + "\n]\n",
		},
		{
			name:       "a permission nobody is granted: the superusers",
			opts:       userListOptions{WithPerm: "shop.sell", IncludeSuperusers: true},
			wantStdout: "root1\tyes\tyes\tsuperuser\n",
		},
		{
			name:     "malformed permission",
			opts:     userListOptions{WithPerm: "blog"},
			wantErr:  `invalid permission "blog": expected app_label.codename (lower-case letters, digits and _; the app label starts with a letter)`,
			wantCode: cmdutil.ExitInvalid,
		},
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
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tf.wantOutput(t, tt.wantStdout, "")
		})
	}
}

func TestNewCmdPermShow(t *testing.T) {
	tf := newTestEnv(t).factory()
	var got *permShowOptions
	cmd := newCmdPermShow(tf.Factory, func(o *permShowOptions) error { got = o; return nil })
	if err := tf.parseCmd([]string{"perm"}, cmd, "perm show blog.add_post"); err != nil {
		t.Fatal(err)
	}
	if got.Perm != "blog.add_post" || got.f != tf.Factory {
		t.Errorf("options %+v", got)
	}
	tf = newTestEnv(t).factory()
	wantUsageError(t, tf.parseCmd([]string{"perm"}, newCmdPermShow(tf.Factory, nil), "perm show"), "perm show takes one permission (app_label.codename) (got 0 argument(s))")
}

func Test_permShowRun(t *testing.T) {
	e := newTestEnv(t)
	seedQuery(e)
	tests := []struct {
		name       string
		perm       string
		flags      []string
		wantStdout string
		wantCode   int
	}{
		{
			name:       "granted to a user and a group",
			perm:       "blog.add_post",
			wantStdout: "permission: blog.add_post\nname:       Can add post\ngroups:     editors\nusers:      alice\nholders:    2\n",
		},
		{
			name:       "through two groups; an inactive member is not a holder",
			perm:       "blog.change_post",
			wantStdout: "permission: blog.change_post\nname:       Can change post\ngroups:     editors, writers\nusers:      -\nholders:    3\n",
		},
		{
			name:       "json",
			perm:       "blog.view_post",
			flags:      []string{"-o", "json"},
			wantStdout: "{\n  \"permission\": \"blog.view_post\",\n  \"name\": \"Can view post\",\n  \"groups\": [],\n  \"users\": [\n    \"off\"\n  ],\n  \"holders\": 1\n}\n",
		},
		{name: "unknown", perm: "blog.nope", wantCode: cmdutil.ExitNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory().globalFlags(tt.flags...)
			opts := permShowOptions{f: tf.Factory, Perm: tt.perm}
			err := tf.call(func(c *cobra.Command) error { return permShowRun(c, &opts) })
			wantCode(t, err, tt.wantCode)
			tf.wantOutput(t, tt.wantStdout, "")
		})
	}
}

func TestNewCmdUserPerms(t *testing.T) {
	tf := newTestEnv(t).factory()
	var got *userPermsOptions
	cmd := newCmdUserPerms(tf.Factory, func(o *userPermsOptions) error { got = o; return nil })
	if err := tf.parseCmd([]string{"user"}, cmd, "user perms alice"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Username, "alice") {
		t.Errorf("options %+v", got)
	}
}

func Test_userPermsRun(t *testing.T) {
	e := newTestEnv(t)
	seedQuery(e)
	tests := []struct {
		name       string
		user       string
		flags      []string
		wantStdout string
		wantStderr string
		wantCode   int
	}{
		{name: "sources", user: "alice", wantStdout: "blog.add_post\tdirect, group editors\nblog.change_post\tgroup editors, group writers\n"},
		{name: "superuser: every permission", user: "root1", wantStdout: "blog.add_post\tsuperuser\nblog.change_post\tsuperuser\nblog.view_post\tsuperuser\n"},
		{name: "inactive: none", user: "off", wantStderr: "off is inactive: no permission\n"},
		{name: "none", user: "bob", flags: []string{"-o", "json"}, wantStdout: `{
  "username": "bob",
  "is_active": true,
  "is_superuser": false,
  "get_user_permissions": [],
  "get_group_permissions": [
    "blog.change_post"
  ],
  "get_all_permissions": [
    "blog.change_post"
  ],
  "sources": [
    {
      "permission": "blog.change_post",
      "direct": false,
      "groups": [
        "writers"
      ],
      "superuser": false
    }
  ]
}
`},
		{name: "unknown", user: "nobody", wantCode: cmdutil.ExitNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory().globalFlags(tt.flags...)
			opts := userPermsOptions{f: tf.Factory, Username: tt.user}
			err := tf.call(func(c *cobra.Command) error { return userPermsRun(c, &opts) })
			wantCode(t, err, tt.wantCode)
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
}

func Test_userShowRun_perms(t *testing.T) {
	e := newTestEnv(t)
	seedQuery(e)
	tf := e.factory()
	opts := userShowOptions{f: tf.Factory, Username: "alice", Perms: true}
	if err := tf.call(func(c *cobra.Command) error { return userShowRun(c, &opts) }); err != nil {
		t.Fatal(err)
	}
	lines := splitLines(tf.out.String())
	tail := lines[len(lines)-3:]
	want := []string{"permission sources:", "  blog.add_post: direct, group editors", "  blog.change_post: group editors, group writers"}
	if !reflect.DeepEqual(tail, want) {
		t.Errorf("user show --perms ends with %q, want %q", tail, want)
	}
}
