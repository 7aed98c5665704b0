package cmd

import (
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
)

func TestNewCmdUserSet(t *testing.T) {
	str := func(s string) *string { return &s }
	boolean := func(b bool) *bool { return &b }
	tests := []struct {
		name    string
		argv    string
		want    userSetOptions
		wantErr string
	}{
		{name: "email", argv: "user set alice --email alice@example.org", want: userSetOptions{Users: userSelection{Names: []string{"alice"}}, Patch: auth.UserPatch{Email: str("alice@example.org")}}},
		{name: "clear email", argv: "user set alice --email=", want: userSetOptions{Users: userSelection{Names: []string{"alice"}}, Patch: auth.UserPatch{Email: str("")}}},
		{
			name: "every field",
			argv: "user set alice --first-name Alice --last-name Liddell --active=false --staff --superuser=false",
			want: userSetOptions{Users: userSelection{Names: []string{"alice"}}, Patch: auth.UserPatch{
				FirstName: str("Alice"), LastName: str("Liddell"),
				IsActive: boolean(false), IsStaff: boolean(true), IsSuperuser: boolean(false),
			}},
		},
		{name: "active alone means true", argv: "user set alice --active", want: userSetOptions{Users: userSelection{Names: []string{"alice"}}, Patch: auth.UserPatch{IsActive: boolean(true)}}},
		{name: "nothing to change", argv: "user set alice", wantErr: "nothing to change: give at least one of --email, --first-name, --last-name, --active, --staff, --superuser"},
		{name: "no name", argv: "user set --staff", want: userSetOptions{Users: userSelection{Names: []string{}}, Patch: auth.UserPatch{IsStaff: boolean(true)}}},
		{name: "bad boolean", argv: "user set alice --active=maybe", wantErr: `invalid argument "maybe" for "--active" flag`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *userSetOptions
			cmd := newCmdUserSet(tf.Factory, func(o *userSetOptions) error { got = o; return nil })
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

func Test_userSetRun(t *testing.T) {
	str := func(s string) *string { return &s }
	boolean := func(b bool) *bool { return &b }
	tests := []struct {
		name       string
		patch      auth.UserPatch
		flags      []string
		wantStdout string
		wantStderr string
		wantErr    string
		wantCode   int
	}{
		{name: "email", patch: auth.UserPatch{Email: str("alice@example.org")}, wantStderr: "Updated user alice\n"},
		{name: "quiet", patch: auth.UserPatch{IsStaff: boolean(true)}, flags: []string{"-q"}},
		{
			name:  "json",
			patch: auth.UserPatch{IsSuperuser: boolean(true), LastName: str("Liddell")},
			flags: []string{"-o", "json"},
			wantStdout: `{
  "username": "alice",
  "email": "",
  "first_name": "",
  "last_name": "Liddell",
  "is_active": true,
  "is_staff": false,
  "is_superuser": true,
  "last_login": null,
  "date_joined": "2024-05-17T09:30:00Z",
  "groups": [],
  "user_permissions": []
}
`,
		},
		{name: "bad email", patch: auth.UserPatch{Email: str("nope")}, wantErr: "Enter a valid email address.", wantCode: cmdutil.ExitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.seed("user create alice --no-password")
			tf := e.factory().globalFlags(tt.flags...)
			opts := userSetOptions{f: tf.Factory, Users: userSelection{Names: []string{"alice"}}, Patch: tt.patch}
			err := tf.call(func(c *cobra.Command) error { return userSetRun(c, &opts) })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				wantCode(t, err, tt.wantCode)
			} else if err != nil {
				t.Fatal(err)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		e := newTestEnv(t)
		e.seed("group add g")
		tf := e.factory()
		opts := userSetOptions{f: tf.Factory, Users: userSelection{Names: []string{"nobody"}}, Patch: auth.UserPatch{IsStaff: boolean(true)}}
		err := tf.call(func(c *cobra.Command) error { return userSetRun(c, &opts) })
		if err == nil || err.Error() != `user "nobody" does not exist` {
			t.Fatalf("error %v", err)
		}
		wantCode(t, err, cmdutil.ExitNotFound)
	})
}
