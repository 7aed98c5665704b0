package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func Test_checkBatchRun(t *testing.T) {
	e := newTestEnv(t)
	seedCheck(e)
	file := filepath.Join(e.dir, "questions.txt")
	if err := os.WriteFile(file, []byte("alice blog.add_post\nbob blog.add_post\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		opts       checkOptions
		flags      []string
		stdin      string
		wantStdout string
		wantStderr string
		wantErr    string
		wantCode   int
	}{
		{
			name:       "every answer allowed",
			stdin:      "alice blog.add_post\n\n# a comment\nalice blog.add_post blog.change_post\nroot1 shop.anything\n",
			wantStdout: "alice blog.add_post allowed\nalice blog.add_post blog.change_post allowed\nroot1 shop.anything allowed\n",
		},
		{
			name:       "one denied: exit 1 after every line",
			stdin:      "bob blog.add_post\nalice blog.add_post\noff blog.view_post\n",
			wantStdout: "bob blog.add_post denied\nalice blog.add_post allowed\noff blog.view_post denied\n",
			wantCode:   cmdutil.ExitDenied,
		},
		{
			name:       "JSON lines in, text out",
			stdin:      `{"user": "alice", "perms": ["blog.change_post"]}` + "\n" + `{"user":"bob","perms":["blog.add_post","blog.change_post"]}` + "\n",
			wantStdout: "alice blog.change_post allowed\nbob blog.add_post blog.change_post denied\n",
			wantCode:   cmdutil.ExitDenied,
		},
		{
			name:  "explain",
			opts:  checkOptions{Explain: true},
			stdin: "alice blog.add_post blog.delete_post\nroot1 blog.add_post\n",
			wantStdout: "alice blog.add_post blog.delete_post denied\n" +
				"  blog.add_post: allowed for alice (direct grant; also via group editors)\n" +
				"  blog.delete_post: denied for alice (unknown permission)\n" +
				"root1 blog.add_post allowed\n  blog.add_post: allowed for root1 (superuser)\n",
			wantCode: cmdutil.ExitDenied,
		},
		{
			name:  "json lines",
			flags: []string{"-o", "json"},
			stdin: "alice blog.change_post\nnobody blog.add_post\n",
			wantStdout: `{"user":"alice","allowed":true,"results":[{"permission":"blog.change_post","allowed":true,"reason":"via group","groups":["editors"]}]}` + "\n" +
				`{"user":"nobody","allowed":false,"results":[],"error":"user \"nobody\" does not exist"}` + "\n",
			wantStderr: "authctl: stdin:2: user \"nobody\" does not exist\n",
			wantCode:   cmdutil.ExitNotFound,
		},
		{
			name:       "unknown user: exit 3 after answering every line",
			stdin:      "nobody blog.add_post\nbob blog.add_post\nalice blog.add_post\n",
			wantStdout: "nobody blog.add_post denied\nbob blog.add_post denied\nalice blog.add_post allowed\n",
			wantStderr: "authctl: stdin:1: user \"nobody\" does not exist\n",
			wantCode:   cmdutil.ExitNotFound,
		},
		{
			name:       "malformed line: answers before it, then exit 5",
			stdin:      "alice blog.add_post\nalice\nbob blog.add_post\n",
			wantStdout: "alice blog.add_post allowed\n",
			wantErr:    `stdin:2: no permission for user "alice": want "USER PERM [PERM...]" or {"user": ..., "perms": [...]}`,
			wantCode:   cmdutil.ExitInvalid,
		},
		{
			name:     "malformed JSON line",
			stdin:    "{\"user\": \"alice\", \"perm\": [\"blog.add_post\"]}\n",
			wantErr:  `stdin:1: not a question: json: unknown field "perm"`,
			wantCode: cmdutil.ExitInvalid,
		},
		{
			name:       "malformed permission: warned, denied",
			stdin:      "alice blog\nroot1 blog\n",
			wantStdout: "alice blog denied\nroot1 blog allowed\n",
			wantStderr: "authctl: warning: stdin:1: \"blog\" is not a permission (want app_label.codename): only a superuser passes it\n" +
				"authctl: warning: stdin:2: \"blog\" is not a permission (want app_label.codename): only a superuser passes it\n",
			wantCode: cmdutil.ExitDenied,
		},
		{
			name:       "from a file",
			opts:       checkOptions{File: file},
			wantStdout: "alice blog.add_post allowed\nbob blog.add_post denied\n",
			wantCode:   cmdutil.ExitDenied,
		},
		{
			name:     "quiet: the exit code only",
			flags:    []string{"-q"},
			stdin:    "alice blog.add_post\nbob blog.add_post\n",
			wantCode: cmdutil.ExitDenied,
		},
		{name: "empty input", stdin: ""},
		{
			name:     "missing file",
			opts:     checkOptions{File: filepath.Join(e.dir, "nope.txt")},
			wantErr:  "open " + filepath.Join(e.dir, "nope.txt") + ": no such file or directory",
			wantCode: cmdutil.ExitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory().globalFlags(tt.flags...)
			tf.in.WriteString(tt.stdin)
			opts := tt.opts
			opts.Batch = true
			opts.f = tf.Factory
			err := tf.call(func(c *cobra.Command) error { return checkBatchRun(c, &opts) })
			switch {
			case tt.wantErr != "":
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			case tt.wantCode == 0 && err != nil:
				t.Fatal(err)
			}
			wantCode(t, err, tt.wantCode)
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
}

func Test_checkModuleRun(t *testing.T) {
	e := newTestEnv(t)
	seedCheck(e)
	tests := []struct {
		name       string
		opts       checkOptions
		flags      []string
		wantStdout string
		wantCode   int
	}{
		{name: "holds one of the app's", opts: checkOptions{User: "alice", Module: "blog", Explain: true}, wantStdout: "allowed\n  module blog: allowed for alice (holds 2 permission(s) of blog)\n"},
		{name: "holds none", opts: checkOptions{User: "bob", Module: "blog"}, wantStdout: "denied\n", wantCode: cmdutil.ExitDenied},
		{name: "superuser, any app", opts: checkOptions{User: "root1", Module: "shop", Explain: true}, wantStdout: "allowed\n  module shop: allowed for root1 (superuser)\n"},
		{name: "inactive", opts: checkOptions{User: "off", Module: "blog", Explain: true}, wantStdout: "denied\n  module blog: denied for off (inactive user)\n", wantCode: cmdutil.ExitDenied},
		{name: "anonymous", opts: checkOptions{Module: "blog", Explain: true}, wantStdout: "denied\n  module blog: denied for anonymous (not logged in)\n", wantCode: cmdutil.ExitDenied},
		{
			name: "json", flags: []string{"-o", "json"}, opts: checkOptions{User: "alice", Module: "blog"},
			wantStdout: "{\n  \"user\": \"alice\",\n  \"module\": \"blog\",\n  \"allowed\": true,\n  \"reason\": \"holds 2 permission(s) of blog\",\n  \"permissions\": [\n    \"blog.add_post\",\n    \"blog.change_post\"\n  ]\n}\n",
		},
		{name: "unknown user", opts: checkOptions{User: "nobody", Module: "blog"}, wantCode: cmdutil.ExitNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			delete(e.env, sessionEnv)
			tf := e.factory().globalFlags(tt.flags...)
			opts := tt.opts
			opts.f = tf.Factory
			err := tf.call(func(c *cobra.Command) error { return checkModuleRun(c, &opts) })
			wantCode(t, err, tt.wantCode)
			tf.wantOutput(t, tt.wantStdout, "")
		})
	}
}
