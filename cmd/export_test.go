package cmd

import (
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func TestNewCmdExport(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    exportOptions
		wantErr string
	}{
		{name: "no flags", argv: "export", want: exportOptions{Format: "authctl"}},
		{name: "django", argv: "export --format django", want: exportOptions{Format: "django"}},
		{name: "users only", argv: "export --users-only --format authctl", want: exportOptions{Format: "authctl", UsersOnly: true}},
		{name: "unknown format", argv: "export --format csv", wantErr: "--format must be authctl or django"},
		{name: "an argument", argv: "export backup.json", wantErr: "export takes no arguments (got 1 argument(s))"},
		{name: "format without value", argv: "export --format", wantErr: "flag --format needs a value"},
		{name: "unknown flag", argv: "export --all", wantErr: "unknown flag --all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			cmd := newCmdExport(tf.Factory, func(o *exportOptions) error {
				if o.f != tf.Factory {
					t.Error("options do not carry the factory")
				}
				g := *o
				g.f = nil
				got = g
				return nil
			})
			tf.checkParse(t, nil, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

func Test_exportRun(t *testing.T) {
	const hash = "pbkdf2_sha256$1000$Wonderland2024$vOKVrY93mzX4LS/3Btohz30o1XgLlwyAjtldxXbs42w="
	e := newTestEnv(t)
	e.seed(
		"user create alice --email alice@example.com --first-name Alice --password-hash "+hash,
		`user create bob --email bob@example.org --first-name B"o\b --password-hash `+hash,
		"group add editors",
		"group add-members editors alice",
		"perm grant blog.add_post --group editors --create",
		"perm grant blog.view_post --user bob --create",
	)
	alice := `{"username":"alice","email":"alice@example.com","first_name":"Alice","last_name":"","is_active":true,"is_staff":false,"is_superuser":false,"groups":["editors"],"user_permissions":[],"password_hash":"` + hash + `","date_joined":"2024-05-17T09:30:00Z"}`
	bob := `{"username":"bob","email":"bob@example.org","first_name":"B\"o\\b","last_name":"","is_active":true,"is_staff":false,"is_superuser":false,"groups":[],"user_permissions":["blog.view_post"],"password_hash":"` + hash + `","date_joined":"2024-05-17T09:30:00Z"}`
	tests := []struct {
		name       string
		flags      []string
		opts       exportOptions
		wantStdout string
		wantErr    string
		wantCode   int
	}{
		{
			name: "the seeding format",
			opts: exportOptions{Format: "authctl"},
			wantStdout: "{\n" +
				`  "permissions": [` + "\n" +
				`    {"permission":"blog.add_post","name":"Can add post"},` + "\n" +
				`    {"permission":"blog.view_post","name":"Can view post"}` + "\n" +
				"  ],\n" +
				`  "groups": [` + "\n" +
				`    {"name":"editors","permissions":["blog.add_post"]}` + "\n" +
				"  ],\n" +
				`  "users": [` + "\n" +
				"    " + alice + ",\n" +
				"    " + bob + "\n" +
				"  ]\n}\n",
		},
		{
			name:       "users only",
			opts:       exportOptions{Format: "authctl", UsersOnly: true},
			wantStdout: "{\n" + `  "users": [` + "\n    " + alice + ",\n    " + bob + "\n  ]\n}\n",
		},
		{
			name:  "yaml",
			flags: []string{"-o", "yaml"},
			opts:  exportOptions{Format: "authctl", UsersOnly: true},
			wantStdout: "users:\n" +
				"  - username: alice\n    email: alice@example.com\n    first_name: Alice\n    last_name: \"\"\n" +
				"    is_active: true\n    is_staff: false\n    is_superuser: false\n    groups:\n      - editors\n    user_permissions: []\n" +
				"    password_hash: " + hash + "\n    date_joined: 2024-05-17T09:30:00Z\n" +
				"  - username: bob\n    email: bob@example.org\n    first_name: B\"o\\b\n    last_name: \"\"\n" +
				"    is_active: true\n    is_staff: false\n    is_superuser: false\n    groups: []\n    user_permissions:\n      - blog.view_post\n" +
				"    password_hash: " + hash + "\n    date_joined: 2024-05-17T09:30:00Z\n",
		},
		{name: "django and yaml", flags: []string{"-o", "yaml"}, opts: exportOptions{Format: "django"},
			wantErr: "--format django writes JSON only", wantCode: cmdutil.ExitUsage},
		{name: "a table", flags: []string{"-o", "table"}, opts: exportOptions{Format: "authctl"},
			wantErr: `invalid output format "table": use one of json, yaml`, wantCode: cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory().globalFlags(tt.flags...)
			opts := tt.opts
			opts.f = tf.Factory
			err := tf.call(func(c *cobra.Command) error { return exportRun(c, &opts) })
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

func Test_exportRun_noDatabase(t *testing.T) {
	e := newTestEnv(t)
	tf := e.factory()
	opts := exportOptions{f: tf.Factory, Format: "authctl"}
	err := tf.call(func(c *cobra.Command) error { return exportRun(c, &opts) })
	if err == nil {
		t.Fatal("export of a missing database succeeded")
	}
	wantCode(t, err, cmdutil.ExitNotFound)
	tf.wantOutput(t, "", "")
}
