package cmd

import (
	"os"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

// Test_applyRun_assert: a seeding file's assert: section is checked on the
// planned state; apply writes only when every check holds (exit 1 and
// nothing written otherwise), in JSON seeding files too.
func Test_applyRun_assert(t *testing.T) {
	const seedYAML = "permissions:\n  - permission: blog.add_post\ngroups:\n  - name: editors\n    permissions: [blog.add_post]\nusers:\n  - username: alice\n    groups: [editors]\n  - username: bob\n"
	tests := []struct {
		name       string
		file       string
		dryRun     bool
		wantStdout string
		wantStderr string
		wantCode   int
		wantUser   bool
	}{
		{
			name:       "a failing assertion: nothing written",
			file:       seedYAML + "assert:\n  - user: bob\n    allowed: [blog.add_post]\n",
			wantStdout: "seed.yaml:11: bob: blog.add_post: want allowed, got denied (not granted)\n",
			wantStderr: "authctl: 1 of 1 assertions fail on the planned state; nothing was written\n",
			wantCode:   cmdutil.ExitDenied,
		},
		{
			name:       "every assertion holds: written",
			file:       seedYAML + "assert:\n  - group: editors\n    allowed: [blog.add_post]\n  - user: bob\n    denied: blog.add_post\n",
			wantStderr: "Assertions: 2 checks pass on the planned state\ncreated 4, updated 0, unchanged 0\n",
			wantUser:   true,
		},
		{
			name:       "dry run: checked, not written",
			file:       seedYAML + "assert:\n  - user: alice\n    allowed: [blog.add_post]\n",
			dryRun:     true,
			wantStdout: "+ permission blog.add_post\n+ group editors\n+ user alice\n+ user bob\n",
			wantStderr: "Assertions: 1 checks pass on the planned state\nPlan (nothing written): to create 4, to update 0, unchanged 0\n",
		},
		{
			name:       "JSON",
			file:       `{"users": [{"username": "alice"}], "assert": [{"user": "alice", "modules_allowed": ["blog"]}]}`,
			wantStdout: "seed.yaml:1: alice: module blog: want allowed, got denied (no permission of blog)\n",
			wantStderr: "authctl: 1 of 1 assertions fail on the planned state; nothing was written\n",
			wantCode:   cmdutil.ExitDenied,
		},
		{
			name:     "a malformed assertion: exit 5",
			file:     seedYAML + "assert:\n  - user: alice\n    alowed: [blog.add_post]\n",
			wantCode: cmdutil.ExitInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			t.Chdir(e.dir)
			if err := os.WriteFile("seed.yaml", []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			tf := e.factory()
			opts := applyOptions{f: tf.Factory, File: "seed.yaml", DryRun: tt.dryRun}
			err := tf.call(func(c *cobra.Command) error { return applyRun(c, &opts) })
			wantCode(t, err, tt.wantCode)
			if tt.wantCode != cmdutil.ExitInvalid {
				tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
			}
			if _, err := os.Stat(e.env["AUTHCTL_DB"]); (err == nil) != tt.wantUser {
				t.Errorf("database written: %v, want %v", err == nil, tt.wantUser)
			}
		})
	}
}
