package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// typeNames are the placeholders pflag falls back to when a flag's usage
// names none in backquotes.
var typeNames = map[string]bool{
	"string": true, "strings": true, "stringArray": true, "stringToString": true,
	"int": true, "ints": true, "int64": true, "uint": true, "uint32": true, "uint64": true,
	"float": true, "float64": true, "duration": true, "durationSlice": true,
	"bytesHex": true, "ip": true, "ipMask": true, "ipNet": true,
}

// Help is all a binary user has: it must not send them to docs/*.md files,
// which are not installed (the man pages are); every flag that takes a
// value names what it takes; every leaf command shows an example.
func TestHelpText(t *testing.T) {
	e := newTestEnv(t)
	root := newRootCmd(e.factory().Factory, "")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		for field, text := range map[string]string{"Short": c.Short, "Long": c.Long, "Example": c.Example} {
			if strings.Contains(text, "docs/") {
				t.Errorf("%s: %s sends the reader to docs/: %q", path, field, text)
			}
		}
		flags := func(fs *pflag.FlagSet) {
			fs.VisitAll(func(fl *pflag.Flag) {
				if strings.Contains(fl.Usage, "docs/") {
					t.Errorf("%s --%s: usage sends the reader to docs/: %q", path, fl.Name, fl.Usage)
				}
				name, _ := pflag.UnquoteUsage(fl)
				if typeNames[name] {
					t.Errorf("%s --%s: the value is shown as %q; name it in the usage with backquotes", path, fl.Name, name)
				}
			})
		}
		flags(c.LocalFlags())
		if !c.HasSubCommands() && c.Runnable() && strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no example", path)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
