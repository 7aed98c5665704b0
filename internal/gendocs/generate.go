package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"authctl/cmd"
)

// manualDate is printed in every man page's header. It is fixed, not the
// day of generation, so that regenerating unchanged pages changes nothing;
// move it when a release changes the manual.
var manualDate = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

// generate replaces the contents of manDir and mdDir with pages for every
// command of m.Root.
func generate(m cmd.Manual, manDir, mdDir string) error {
	disableAutoGenTag(m.Root)
	for _, dir := range []string{manDir, mdDir} {
		if err := clearDir(dir); err != nil {
			return err
		}
	}
	header := &doc.GenManHeader{
		Title:   "AUTHCTL",
		Section: "1",
		Source:  "authctl",
		Manual:  "authctl manual",
		Date:    &manualDate,
	}
	if err := doc.GenManTreeFromOpts(m.Root, doc.GenManTreeOptions{Header: header, Path: manDir, CommandSeparator: "-"}); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	if err := finishManPages(m, manDir); err != nil {
		return err
	}
	link := func(name string) string { return name }
	if err := doc.GenMarkdownTreeCustom(m.Root, mdDir, func(string) string { return "" }, link); err != nil {
		return fmt.Errorf("command reference: %w", err)
	}
	return appendMarkdownSections(m, filepath.Join(mdDir, "authctl.md"))
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}

// clearDir makes dir exist and removes the pages a previous run wrote, so
// that a removed command loses its page.
func clearDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, pattern := range []string{"*.1", "*.md"} {
		old, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return err
		}
		for _, p := range old {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// finishManPages gives every page the sections shadow-utils' pages have
// and Cobra does not write: EXIT STATUS, ENVIRONMENT and FILES, before SEE
// ALSO. Cobra's singular EXAMPLE heading becomes EXAMPLES.
func finishManPages(m cmd.Manual, dir string) error {
	pages, err := filepath.Glob(filepath.Join(dir, "*.1"))
	if err != nil {
		return err
	}
	extra := manSections(m)
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b = bytes.Replace(b, []byte(".SH EXAMPLE\n"), []byte(".SH EXAMPLES\n"), 1)
		at := bytes.Index(b, []byte(".SH SEE ALSO"))
		if at < 0 {
			at = len(b)
		}
		out := append(append(append([]byte{}, b[:at]...), extra...), b[at:]...)
		if err := os.WriteFile(p, out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func manSections(m cmd.Manual) []byte {
	var b strings.Builder
	b.WriteString(".SH EXIT STATUS\n.nf\n")
	b.WriteString(roffEscape(m.ExitStatus))
	b.WriteString("\n.fi\n")
	b.WriteString(".SH ENVIRONMENT\n")
	writeTerms(&b, m.Environment)
	b.WriteString(".SH FILES\n")
	writeTerms(&b, m.Files)
	return []byte(b.String())
}

func writeTerms(b *strings.Builder, terms [][2]string) {
	for _, t := range terms {
		fmt.Fprintf(b, ".TP\n\\fB%s\\fR\n%s\n", roffEscape(t[0]), roffEscape(t[1]))
	}
}

// roffEscape protects backslashes and lines that roff would take for
// requests.
func roffEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// appendMarkdownSections adds the same sections to the reference's root
// page; the other pages link to it.
func appendMarkdownSections(m cmd.Manual, path string) error {
	var b strings.Builder
	b.WriteString("\n### Exit status\n\n```\n")
	b.WriteString(m.ExitStatus)
	b.WriteString("\n```\n\n### Environment\n\n")
	for _, t := range m.Environment {
		fmt.Fprintf(&b, "- `%s`: %s\n", t[0], t[1])
	}
	b.WriteString("\n### Files\n\n")
	for _, t := range m.Files {
		fmt.Fprintf(&b, "- `%s`: %s\n", t[0], t[1])
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
