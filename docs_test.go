package main

// TestDocs runs every example in README.md and docs/*.md, so that the
// manual cannot drift from the binary. An example is a fenced block marked
// "console":
//
//	```console
//	$ authctl group add editors
//	Created group editors
//	$ authctl check blog.add_post --user alice
//	denied
//	[exit 1]
//	```
//
// Lines starting with "$ " are commands (a line ending in "\" or an open
// here-document continues them); the lines after a command are what it
// prints, stdout and stderr together; "[exit N]" is a non-zero exit status
// and "..." alone on a line stands for any number of lines, within a line
// for any text (timestamps, hashes, tokens).
// The blocks of one file run in order, in one fresh environment: the
// testscript setup of the end-to-end scripts (its own database, home and
// cheap hasher), with $PW holding a password. "go run . " in a command
// stands for the authctl binary.

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

type docExample struct {
	line    int // where the command starts in the file
	command string
	want    []string
}

func TestDocs(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("docs", "*.md"))
	files = append([]string{"README.md"}, files...)
	scripts := t.TempDir()
	examples := map[string][]docExample{}
	for _, file := range files {
		ex, err := parseDocExamples(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(ex) == 0 {
			continue
		}
		name := strings.TrimSuffix(strings.ReplaceAll(file, string(filepath.Separator), "_"), ".md")
		examples[name] = ex
		var script strings.Builder
		for i := range ex {
			fmt.Fprintf(&script, "docexample %s %d\n", name, i)
		}
		if err := os.WriteFile(filepath.Join(scripts, name+".txtar"), []byte(script.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := scriptParams(t)
	p.Dir = scripts
	setup := p.Setup
	p.Setup = func(e *testscript.Env) error {
		// The password the docs' examples use, as a reader would have it
		// in a variable.
		e.Setenv("PW", "correct horse battery staple")
		e.Setenv("WRONG", "not the password")
		return setup(e)
	}
	p.Cmds["docexample"] = func(ts *testscript.TestScript, neg bool, args []string) {
		ex := examples[args[0]][atoi(ts, args[1])]
		runDocExample(ts, args[0], ex)
	}
	testscript.Run(t, p)
}

func atoi(ts *testscript.TestScript, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		ts.Fatalf("bad index %q", s)
	}
	return n
}

// runDocExample runs one command with bash, stdout and stderr together,
// and compares what it printed with the example.
func runDocExample(ts *testscript.TestScript, file string, ex docExample) {
	command := strings.ReplaceAll(ex.command, "go run . ", "authctl ")
	wrapped := "{\n" + command + "\n} 2>&1\nrc=$?\nif [ $rc -ne 0 ]; then echo \"[exit $rc]\"; fi\nexit 0\n"
	if err := ts.Exec("bash", "-c", wrapped); err != nil {
		ts.Fatalf("%s.md:%d: %v", file, ex.line, err)
	}
	got := strings.Split(strings.TrimRight(ts.ReadFile("stdout"), "\n"), "\n")
	if len(got) == 1 && got[0] == "" {
		got = nil
	}
	if !matchLines(ex.want, got) {
		ts.Fatalf("%s.md:%d: $ %s\nthe docs say:\n%s\nit printed:\n%s", file, ex.line, ex.command,
			strings.Join(ex.want, "\n"), strings.Join(got, "\n"))
	}
}

// matchLines matches got against want, in which a "..." line stands for
// any number of lines. Trailing spaces do not count.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && matchLine(strings.TrimRight(want[0], " "), strings.TrimRight(got[0], " ")) && matchLines(want[1:], got[1:])
}

// matchLine compares one line, in which "..." stands for any text.
func matchLine(want, got string) bool {
	parts := strings.Split(want, "...")
	if len(parts) == 1 {
		return want == got
	}
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	got = got[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(got, part)
		if i < 0 {
			return false
		}
		got = got[i+len(part):]
	}
	return strings.HasSuffix(got, parts[len(parts)-1])
}

var heredoc = regexp.MustCompile(`<<-?\s*'?"?([A-Za-z_]+)'?"?`)

// parseDocExamples reads the console blocks of a Markdown file.
func parseDocExamples(path string) ([]docExample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		out     []docExample
		inBlock bool
		cur     *docExample
		until   string // the here-document terminator still open
		cont    bool   // the command's last line ended in a backslash
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case !inBlock:
			inBlock = trimmed == "```console"
		case trimmed == "```" && until == "":
			inBlock, cur = false, nil
		case cur != nil && (cont || until != ""):
			cur.command += "\n" + line
			if until != "" && trimmed == until {
				until = ""
			}
			cont = until == "" && strings.HasSuffix(line, `\`)
		case strings.HasPrefix(line, "$ "):
			out = append(out, docExample{line: n, command: line[2:]})
			cur = &out[len(out)-1]
			if m := heredoc.FindStringSubmatch(line); m != nil {
				until = m[1]
			}
			cont = until == "" && strings.HasSuffix(line, `\`)
		case cur != nil:
			cur.want = append(cur.want, line)
		default:
			return nil, fmt.Errorf("%s:%d: output before any command in a console block", path, n)
		}
	}
	return out, sc.Err()
}
