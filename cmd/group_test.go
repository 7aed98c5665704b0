package cmd

import (
	"reflect"
	"strings"
	"testing"

	"authctl/internal/prompt"
)

// runCase is one command line run through the whole tree.
type runCase struct {
	name       string
	args       []string
	tty        bool
	wantCode   int
	wantStdout string
	wantStderr string
}

func runCases(t *testing.T, e *testEnv, tests []runCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory()
			tf.ios.SetTTY(false, tt.tty, false)
			if code := tf.run(tt.args...); code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, tf.errOut)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
}

func TestGroupListShow(t *testing.T) {
	e := newTestEnv(t)
	seedPeople(e)
	e.seed("group add empty", "perm grant blog.delete_post blog.view_post --group readers --create")
	runCases(t, e, []runCase{
		{
			name: "list on a terminal",
			args: []string{"group", "list"},
			tty:  true,
			wantStdout: "" +
				"NAME     MEMBERS  PERMISSIONS\n" +
				"editors  2        blog.change_post\n" +
				"empty    0\n" +
				"readers  1        blog.delete_post,blog.view_post\n",
		},
		{
			name: "list piped",
			args: []string{"group", "ls"},
			wantStdout: "" +
				"editors\t2\tblog.change_post\n" +
				"empty\t0\t\n" +
				"readers\t1\tblog.delete_post,blog.view_post\n",
		},
		{
			name: "list json",
			args: []string{"group", "list", "-o", "json"},
			tty:  true,
			wantStdout: `[
  {"name":"editors","permissions":["blog.change_post"],"members":["alice","carol"]},
  {"name":"empty","permissions":[],"members":[]},
  {"name":"readers","permissions":["blog.delete_post","blog.view_post"],"members":["alice"]}
]
`,
		},
		{
			name:       "show",
			args:       []string{"group", "show", "editors"},
			tty:        true,
			wantStdout: "name:        editors\npermissions: blog.change_post\nmembers:     alice, carol\n",
		},
		{
			name:       "show piped: the same",
			args:       []string{"group", "show", "editors"},
			wantStdout: "name:        editors\npermissions: blog.change_post\nmembers:     alice, carol\n",
		},
		{
			name:       "show empty",
			args:       []string{"group", "show", "empty"},
			wantStdout: "name:        empty\npermissions: -\nmembers:     -\n",
		},
		{
			name:       "show json",
			args:       []string{"group", "show", "empty", "-o", "json"},
			wantStdout: "{\n  \"name\": \"empty\",\n  \"permissions\": [],\n  \"members\": []\n}\n",
		},
		{
			name:       "show unknown",
			args:       []string{"group", "show", "nope"},
			wantCode:   3,
			wantStderr: "authctl: group \"nope\" does not exist\n",
		},
		{
			name:       "unknown subcommand",
			args:       []string{"group", "lst"},
			wantCode:   2,
			wantStderr: "authctl: unknown command \"lst\" for \"authctl group\"; did you mean \"list\"?\nRun 'authctl group --help' for usage.\n",
		},
	})
}

func TestGroupList_empty(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password")
	runCases(t, e, []runCase{
		{name: "terminal: says so", args: []string{"group", "list"}, tty: true, wantStderr: "No groups.\n"},
		{name: "piped", args: []string{"group", "list"}},
		{name: "json", args: []string{"group", "list", "-o", "json"}, wantStdout: "[]\n"},
	})
}

func TestGroupDelete_confirm(t *testing.T) {
	const question = "Delete group editors (2 members)? [y/N]: "
	for _, tt := range []struct {
		answer     string
		wantCode   int
		wantStderr string
	}{
		{"y", 0, "Deleted group editors\n"},
		{"n", 130, "authctl: cancelled\n"},
	} {
		t.Run(tt.answer, func(t *testing.T) {
			e := newTestEnv(t)
			seedPeople(e)
			tf := e.factory()
			pr := &prompt.Scripted{Answers: []string{tt.answer}}
			tf.ios.SetPrompter(pr)
			if code := tf.run("group", "delete", "editors"); code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			if !reflect.DeepEqual(pr.Asked, []string{question}) {
				t.Errorf("asked %q", pr.Asked)
			}
			tf.wantOutput(t, "", tt.wantStderr)
			code, _, _ := e.exec("group", "show", "editors")
			if (code == 0) != (tt.wantCode != 0) {
				t.Errorf("group show editors after answering %q: exit %d", tt.answer, code)
			}
		})
	}
	t.Run("no terminal", func(t *testing.T) {
		e := newTestEnv(t)
		seedPeople(e)
		tf := e.factory()
		if code := tf.run("group", "delete", "editors"); code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		tf.wantOutput(t, "", "authctl: --yes is required to delete without a terminal to confirm on\nRun 'authctl group delete --help' for usage.\n")
	})
}

func TestPermList(t *testing.T) {
	e := newTestEnv(t)
	e.seed(
		"user create alice --no-password",
		"perm grant blog.add_post blog.change_post shop.buy --user alice --create",
	)
	// Control characters are refused in names (they could rewrite a
	// terminal; output.Sanitize guards tables as well).
	if code, _, stderr := e.exec("perm", "create", "shop.odd", "--name", "Can\ttab\x1b[2J"); code != 5 || !strings.Contains(stderr, "control characters") {
		t.Fatalf("perm create with control characters: exit %d: %s", code, stderr)
	}
	runCases(t, e, []runCase{
		{
			name: "terminal",
			args: []string{"perm", "list", "--app", "blog"},
			tty:  true,
			wantStdout: "" +
				"PERMISSION        NAME\n" +
				"blog.add_post     Can add post\n" +
				"blog.change_post  Can change post\n",
		},
		{
			name:       "piped",
			args:       []string{"perm", "ls", "--app", "blog"},
			wantStdout: "blog.add_post\tCan add post\nblog.change_post\tCan change post\n",
		},

		{
			name:       "unknown app: nothing, and a terminal says so",
			args:       []string{"perm", "list", "--app", "nope"},
			tty:        true,
			wantStdout: "",
			wantStderr: "No permissions.\n",
		},
		{
			name:       "unknown app, json",
			args:       []string{"perm", "list", "--app", "nope", "-o", "json"},
			wantStdout: "[]\n",
		},
	})
}
