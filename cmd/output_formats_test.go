package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// leafArgs are arguments that get each leaf command past its argument
// checks, to where it reads -o.
var leafArgs = map[string][]string{
	"apply":                 {"-f", "seed.json"},
	"audit prune":           {"--before", "24h"},
	"authenticate":          {"alice"},
	"check":                 {"blog.add_post", "--user", "alice"},
	"db copy":               {"a.db", "b.db"},
	"group add":             {"g"},
	"group add-members":     {"g", "alice"},
	"group delete":          {"g", "--yes"},
	"group remove-members":  {"g", "alice"},
	"group rename":          {"g", "h"},
	"group show":            {"g"},
	"import":                {"--format", "passwd"},
	"perm create":           {"blog.add_post"},
	"perm delete":           {"blog.add_post", "--yes"},
	"perm grant":            {"blog.add_post", "--user", "alice"},
	"perm revoke":           {"blog.add_post", "--user", "alice"},
	"perm show":             {"blog.add_post"},
	"session revoke":        {"--user", "alice"},
	"test":                  {"-f", "t.yaml"},
	"user create":           {"alice", "--no-password"},
	"user delete":           {"alice", "--yes"},
	"user passwd":           {"alice"},
	"user perms":            {"alice"},
	"user rename":           {"alice", "bob"},
	"user set":              {"alice", "--active=false"},
	"user show":             {"alice"},
	"user unlock":           {"alice"},
	"password validate":     {"--password-env", "TEST_PW"},
	"password hash":         {"--password-env", "TEST_PW"},
	"session clear-expired": {},
}

// leaves calls fn with every runnable command of the tree under c, Cobra's
// own included.
func leaves(c *cobra.Command, fn func(*cobra.Command)) {
	if c.Runnable() && !c.HasSubCommands() {
		fn(c)
	}
	for _, sub := range c.Commands() {
		leaves(sub, fn)
	}
}

// The -o values completion offers are the ones each command accepts: run
// with a format none accepts, a command names the same list, and a command
// offered none does not complain about -o at all.
func TestOutputCompletionMatchesRun(t *testing.T) {
	e := newTestEnv(t)
	e.seed("group add g") // doctor wants a database
	root := newRootCmd(e.factory().Factory, "")
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	leaves(root, func(c *cobra.Command) {
		path := strings.TrimPrefix(c.CommandPath(), "authctl ")
		t.Run(path, func(t *testing.T) {
			args := append(strings.Fields(path), leafArgs[path]...)
			args = append(args, "-o", "xml")
			tf := e.factory()
			tf.run(args...)
			stderr := tf.errOut.String()
			want := outputFormatsOf(c)
			if len(want) == 0 {
				if strings.Contains(stderr, "output format") {
					t.Errorf("completion offers no -o value, but the command checks -o: %q", stderr)
				}
				return
			}
			msg := `invalid output format "xml": use one of ` + strings.Join(want, ", ") + "\n"
			if !strings.Contains(stderr, msg) {
				t.Errorf("completion offers %v; the command says %q", want, stderr)
			}
		})
	})
}

// The --format values completion offers are the ones export and import
// accept: the error for a value neither takes names each of them.
func TestFormatCompletionMatchesRun(t *testing.T) {
	e := newTestEnv(t)
	for _, tt := range []struct {
		args   []string
		values []string
	}{
		{[]string{"export", "--format", "xml"}, exportFormats},
		{[]string{"import", "--format", "xml"}, importFormats},
	} {
		code, _, stderr := e.exec(tt.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", tt.args, code)
		}
		line, _, _ := strings.Cut(stderr, "\n")
		line = strings.TrimPrefix(line, "authctl: ")
		var named []string
		for _, w := range strings.Fields(strings.NewReplacer(",", " ", ":", " ").Replace(line)) {
			for _, v := range []string{"authctl", "django", "passwd", "json", "yaml"} {
				if w == v {
					named = append(named, w)
				}
			}
		}
		if strings.Join(named, " ") != strings.Join(tt.values, " ") {
			t.Errorf("%v: error %q names %v; completion offers %v", tt.args, line, named, tt.values)
		}
	}
}
