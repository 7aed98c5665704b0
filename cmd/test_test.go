package cmd

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
)

func TestNewCmdTest(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    testOptions
		wantErr string
	}{
		{name: "file", argv: "test -f checks.yaml", want: testOptions{File: "checks.yaml"}},
		{name: "junit", argv: "test --file checks.yaml --junit out.xml", want: testOptions{File: "checks.yaml", JUnit: "out.xml"}},
		{name: "plan", argv: "test -f checks.yaml --plan seed.yaml --prune", want: testOptions{File: "checks.yaml", Plan: "seed.yaml", Prune: true}},
		{name: "prune without plan", argv: "test -f checks.yaml --prune", wantErr: "--prune goes with --plan"},
		{name: "two stdins", argv: "test -f - --plan -", wantErr: "-f and --plan cannot both read standard input"},
		{name: "no file", argv: "test", wantErr: `-f FILE is required ("-" for standard input)`},
		{name: "an argument", argv: "test -f a.yaml b.yaml", wantErr: "test takes no arguments (the file is -f FILE) (got 1 argument(s))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *testOptions
			cmd := newCmdTest(tf.Factory, func(o *testOptions) error { got = o; return nil })
			err := tf.parseCmd(nil, cmd, tt.argv)
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

func Test_testRun(t *testing.T) {
	e := newTestEnv(t)
	seedQuery(e)
	e.seed("group add lonely")
	tests := []struct {
		name       string
		file       string
		flags      []string
		wantStdout string
		wantErr    string
		wantCode   int
		wantJUnit  string
	}{
		{
			name: "every expectation holds",
			file: `- user: alice
  allowed: [blog.add_post, blog.change_post]
  denied: blog.delete_post
  modules_allowed: [blog]
  modules_denied: [shop]
- user: root1
  allowed: [shop.anything]
`,
			wantStdout: "ok: 6 checks passed\n",
		},
		{
			name: "failures with their lines and reasons",
			file: `# alice's rights
- user: alice
  denied: [blog.add_post]
- group: editors
  allowed: [blog.change_post]
- user: bob
  modules_allowed: [shop]
- user: nobody
  allowed: [blog.add_post]
`,
			wantStdout: "checks.yaml:2: alice: blog.add_post: want denied, got allowed (direct grant; also via group editors)\n" +
				"checks.yaml:4: off (group editors): blog.change_post: want allowed, got denied (inactive user)\n" +
				"checks.yaml:6: bob: module shop: want allowed, got denied (no permission of shop)\n" +
				"checks.yaml:8: user \"nobody\" does not exist\n" +
				"FAIL: 4 of 5 checks failed\n",
			wantCode: cmdutil.ExitDenied,
			wantJUnit: `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="checks.yaml" tests="5" failures="4">
  <testcase name="alice: blog.add_post denied" classname="checks.yaml:2">
    <failure message="checks.yaml:2: alice: blog.add_post: want denied, got allowed (direct grant; also via group editors)">checks.yaml:2: alice: blog.add_post: want denied, got allowed (direct grant; also via group editors)</failure>
  </testcase>
  <testcase name="alice (group editors): blog.change_post allowed" classname="checks.yaml:4"></testcase>
  <testcase name="off (group editors): blog.change_post allowed" classname="checks.yaml:4">
    <failure message="checks.yaml:4: off (group editors): blog.change_post: want allowed, got denied (inactive user)">checks.yaml:4: off (group editors): blog.change_post: want allowed, got denied (inactive user)</failure>
  </testcase>
  <testcase name="bob: module shop allowed" classname="checks.yaml:6">
    <failure message="checks.yaml:6: bob: module shop: want allowed, got denied (no permission of shop)">checks.yaml:6: bob: module shop: want allowed, got denied (no permission of shop)</failure>
  </testcase>
  <testcase name="nobody" classname="checks.yaml:8">
    <failure message="checks.yaml:8: user &#34;nobody&#34; does not exist">checks.yaml:8: user &#34;nobody&#34; does not exist</failure>
  </testcase>
</testsuite>
`,
		},
		{
			name:       "JSON file, the assert: key",
			file:       `{"assert": [{"user": "bob", "allowed": ["blog.change_post"], "denied": ["blog.add_post"]}]}`,
			wantStdout: "ok: 2 checks passed\n",
		},
		{
			name:       "an unknown group, and a group without members, fail",
			file:       "- group: nogroup\n  allowed: [blog.add_post]\n- group: lonely\n  allowed: [blog.add_post]\n",
			wantStdout: "checks.yaml:1: group \"nogroup\" does not exist\nchecks.yaml:3: group \"lonely\" has no members: nothing would be checked\nFAIL: 2 of 2 checks failed\n",
			wantCode:   cmdutil.ExitDenied,
		},
		{
			name:       "quiet: failures only",
			flags:      []string{"-q"},
			file:       "- user: bob\n  allowed: [blog.add_post]\n",
			wantStdout: "checks.yaml:1: bob: blog.add_post: want allowed, got denied (not granted)\n",
			wantCode:   cmdutil.ExitDenied,
		},
		{
			name:  "json",
			flags: []string{"-o", "json"},
			file:  "- user: bob\n  allowed: [blog.add_post]\n",
			wantStdout: `{
  "checks": 1,
  "failed": 1,
  "failures": [
    {
      "where": "checks.yaml:1",
      "user": "bob",
      "permission": "blog.add_post",
      "want": "allowed",
      "got": "denied",
      "reason": "not granted"
    }
  ]
}
`,
			wantCode: cmdutil.ExitDenied,
		},
		{
			name: "malformed: every problem with its line",
			file: "- user: alice\n  alowed: [blog.add_post]\n- allowed: [blog]\n- user: bob\n  group: editors\n  modules_denied: [blog.x]\n",
			wantErr: "checks.yaml:2: unknown key \"alowed\" (want user, group, allowed, denied, modules_allowed, modules_denied)\n" +
				"checks.yaml:1: nothing to check: give allowed:, denied:, modules_allowed: or modules_denied:\n" +
				"checks.yaml:3: allowed: \"blog\" is not a permission (want app_label.codename)\n" +
				"checks.yaml:3: give user: or group:\n" +
				"checks.yaml:6: modules_denied: \"blog.x\" is not an app label\n" +
				"checks.yaml:4: give user: or group:, not both",
			wantCode: cmdutil.ExitInvalid,
		},
		{
			name: "malformed: shapes",
			file: "- just a string\n- user: [alice]\n  allowed: {a: b}\n- user: bob\n  user: carol\n  denied: [[blog.add_post]]\n  modules_allowed: ''\n",
			wantErr: "checks.yaml:1: expected an expectation (user: or group:, with allowed:, denied:, modules_allowed: or modules_denied:)\n" +
				"checks.yaml:2: user: expected a name\n" +
				"checks.yaml:3: allowed: expected a list of names\n" +
				"checks.yaml:2: give user: or group:\n" +
				"checks.yaml:5: user given twice\n" +
				"checks.yaml:6: denied: expected a list of names\n" +
				"checks.yaml:7: modules_allowed: \"\" is not an app label",
			wantCode: cmdutil.ExitInvalid,
		},
		{name: "no expectations", file: "[]\n", wantErr: "checks.yaml:1: no expectations", wantCode: cmdutil.ExitInvalid},
		{name: "not YAML", file: "- user: [alice\n", wantErr: "checks.yaml:1: not valid YAML or JSON: did not find expected ',' or ']'", wantCode: cmdutil.ExitInvalid},
		{name: "empty", file: "", wantErr: "checks.yaml: the file is empty", wantCode: cmdutil.ExitInvalid},
		// yaml.Unmarshal would check the first document's alone.
		{name: "two documents", file: "- user: alice\n  allowed: [blog.add_post]\n---\n- user: bob\n  allowed: [blog.add_post]\n", wantErr: "checks.yaml:4: not valid YAML or JSON: a second document starts here; a file holds one", wantCode: cmdutil.ExitInvalid},
		{name: "a mapping without assert", file: "users: []\n", wantErr: "checks.yaml:1: expected a list of expectations, or an assert: section holding one", wantCode: cmdutil.ExitInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "checks.yaml")
			if err := os.WriteFile(file, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			tf := e.factory().globalFlags(tt.flags...)
			opts := testOptions{f: tf.Factory, File: "checks.yaml"}
			if tt.wantJUnit != "" {
				opts.JUnit = "report.xml"
			}
			err := tf.call(func(c *cobra.Command) error { return testRun(c, &opts) })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			} else if tt.wantCode == 0 && err != nil {
				t.Fatal(err)
			}
			wantCode(t, err, tt.wantCode)
			tf.wantOutput(t, tt.wantStdout, "")
			if tt.wantJUnit != "" {
				got, err := os.ReadFile(filepath.Join(dir, "report.xml"))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.wantJUnit {
					t.Errorf("JUnit report:\n%s\nwant:\n%s", got, tt.wantJUnit)
				}
			}
		})
	}
}

func Test_testRun_plan(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("seed.yaml", "permissions:\n  - permission: blog.add_post\ngroups:\n  - name: editors\n    permissions: [blog.add_post]\nusers:\n  - username: alice\n    groups: [editors]\n  - username: bob\n")
	write("checks.yaml", "- user: alice\n  allowed: [blog.add_post]\n- group: editors\n  modules_allowed: [blog]\n- user: bob\n  allowed: [blog.add_post]\n")
	write("bad-seed.yaml", "users:\n  - username: carol\n    groups: [nope]\n")
	tests := []struct {
		name       string
		plan       string
		wantStdout string
		wantErr    string
		wantCode   int
	}{
		{
			name:       "the planned state, no database yet",
			plan:       "seed.yaml",
			wantStdout: "checks.yaml:5: bob: blog.add_post: want allowed, got denied (not granted)\nFAIL: 1 of 3 checks failed\n",
			wantCode:   cmdutil.ExitDenied,
		},
		{name: "a seeding file with problems", plan: "bad-seed.yaml", wantErr: "bad-seed.yaml", wantCode: cmdutil.ExitInvalid},
		{name: "a missing seeding file", plan: "nope.yaml", wantErr: "open nope.yaml: no such file or directory", wantCode: cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := e.factory()
			opts := testOptions{f: tf.Factory, File: "checks.yaml", Plan: tt.plan}
			err := tf.call(func(c *cobra.Command) error { return testRun(c, &opts) })
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			wantCode(t, err, tt.wantCode)
			tf.wantOutput(t, tt.wantStdout, "")
			if _, err := os.Stat(e.env["AUTHCTL_DB"]); !os.IsNotExist(err) {
				t.Fatalf("test --plan left a database behind: %v", err)
			}
		})
	}
}

// TestWriteJUnitEscapes: the hand-written report is well-formed XML that
// reads back to the same text, whatever the names hold.
func TestWriteJUnitEscapes(t *testing.T) {
	odd := "a<b>&\"c'\td\x01\n"
	rep := auth.AssertReport{Failed: 1, Cases: []auth.AssertCase{{Where: odd, User: odd, Target: "x.y", Want: true, Reason: odd}}}
	path := filepath.Join(t.TempDir(), "r.xml")
	if err := writeJUnit(path, odd, rep); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			ClassName string `xml:"classname,attr"`
			Failure   struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
		} `xml:"testcase"`
	}
	if err := xml.Unmarshal(data, &suite); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	want := strings.ReplaceAll(odd, "\x01", "\uFFFD")
	if suite.Name != want || len(suite.Cases) != 1 || suite.Cases[0].ClassName != want ||
		!strings.HasPrefix(suite.Cases[0].Failure.Message, want+": ") {
		t.Errorf("read back %+v", suite)
	}
}
