package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/cmd"
)

// TestCommittedDocsAreCurrent regenerates the man pages and the command
// reference and compares them with the committed ones.
func TestCommittedDocsAreCurrent(t *testing.T) {
	tmp := t.TempDir()
	man, md := filepath.Join(tmp, "man"), filepath.Join(tmp, "commands")
	if err := generate(cmd.NewManual(), man, md); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{man, "../../docs/man"}, {md, "../../docs/commands"}} {
		compareDirs(t, pair[0], pair[1])
	}
}

func compareDirs(t *testing.T, fresh, committed string) {
	t.Helper()
	names := func(dir string) map[string]bool {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, e := range entries {
			m[e.Name()] = true
		}
		return m
	}
	want, got := names(fresh), names(committed)
	for name := range want {
		a, _ := os.ReadFile(filepath.Join(fresh, name))
		b, err := os.ReadFile(filepath.Join(committed, name))
		switch {
		case err != nil:
			t.Errorf("%s/%s is missing: run go generate", committed, name)
		case !bytes.Equal(a, b):
			t.Errorf("%s/%s is stale: run go generate", committed, name)
		}
	}
	for name := range got {
		if !want[name] && (strings.HasSuffix(name, ".1") || strings.HasSuffix(name, ".md")) {
			t.Errorf("%s/%s belongs to no command: run go generate", committed, name)
		}
	}
}

// Every man page carries the sections a sysadmin looks for.
func TestManPageSections(t *testing.T) {
	dir := t.TempDir()
	if err := generate(cmd.NewManual(), dir, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "authctl-user-create.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH EXAMPLES", ".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH FILES", ".SH SEE ALSO", "AUTHCTL_DB", "/etc/authctl/config.yaml"} {
		if !bytes.Contains(page, []byte(section)) {
			t.Errorf("authctl-user-create.1 lacks %q", section)
		}
	}
}

// Every command's help, and so its man page, has an example.
func TestEveryCommandHasAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if !c.Hidden && c.Name() != "help" && c.Name() != "completion" && !strings.HasPrefix(c.Name(), "__") {
			if strings.TrimSpace(c.Example) == "" && c.Parent() != nil && c.Parent().Name() != "completion" {
				t.Errorf("%q has no example", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd.NewManual().Root)
}
