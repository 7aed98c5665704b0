package cmd

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/seed"
)

type testOptions struct {
	f     *cmdutil.Factory
	File  string
	JUnit string
	// Plan is a seeding file: check the state that applying it would
	// leave (with Prune, as apply --prune would), writing nothing.
	Plan  string
	Prune bool
}

func newCmdTest(f *cmdutil.Factory, runF func(*testOptions) error) *cobra.Command {
	opts := &testOptions{f: f}
	cmd := &cobra.Command{
		Use:   "test -f FILE [--junit REPORT] [--plan SEED [--prune]]",
		Short: "Check a file of permission expectations (for CI)",
		Long: `Check every expectation of an assertion file against the database and print
each one that does not hold, with its line and the reason --explain would
give. The file is YAML or JSON: a list of entries, each naming a user (or a
group, meaning every member of it) and what it must and must not be allowed:

  - user: alice
    allowed: [blog.add_post, blog.change_post]   # has_perm must be true
    denied: [blog.delete_post]                    # has_perm must be false
    modules_allowed: [blog]                       # has_module_perms true
    modules_denied: [shop]                        # has_module_perms false
  - group: editors
    allowed: [blog.change_post]

A mapping with an "assert:" key holding such a list is read too, so a seeding
file's assert: section can be checked on its own. A user or group that does
not exist, or a group without members, is a failure.

Exit 0 when every expectation holds, 1 when any fails, 5 when the file is
malformed (every problem is printed, each with its line). --junit writes a
JUnit XML report of every check, for CI systems that show them.

--plan SEED checks the state that "authctl apply -f SEED" (with --prune, that
"apply -f SEED --prune") would leave, without writing anything: the seeding
file's plan layered over the database as it is (an empty one if there is no
database yet). The seeding file's problems are reported as apply reports
them (exit 5).`,
		Example: `  authctl test -f permissions.yaml
  authctl test -f permissions.yaml --junit report.xml -q
  authctl test -f permissions.yaml --plan seed.yaml --prune
  authctl test -f - <<'EOF'
  - user: alice
    allowed: [blog.add_post]
  EOF`,
		Args: exactArgs(0, "no arguments (the file is -f FILE)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" {
				return cmdutil.FlagErrorf("-f FILE is required (\"-\" for standard input)")
			}
			if opts.Prune && opts.Plan == "" {
				return cmdutil.FlagErrorf("--prune goes with --plan")
			}
			if opts.Plan == "-" && opts.File == "-" {
				return cmdutil.FlagErrorf("-f and --plan cannot both read standard input")
			}
			if runF != nil {
				return runF(opts)
			}
			return testRun(cmd, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "the assertion `FILE` (YAML or JSON; - for standard input)")
	cmd.Flags().StringVar(&opts.JUnit, "junit", "", "also write a JUnit XML report to `REPORT`")
	cmd.Flags().StringVar(&opts.Plan, "plan", "", "check the state applying the seeding file `SEED` would leave, writing nothing")
	cmd.Flags().BoolVar(&opts.Prune, "prune", false, "with --plan: as apply --prune would leave it")
	return cmd
}

func testRun(cmd *cobra.Command, opts *testOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	data, name, _, err := readInput(f, opts.File)
	if err != nil {
		return err
	}
	exps, err := decodeAssertions(data, name)
	if err != nil {
		return err
	}
	if opts.Plan != "" {
		rep, err := assertPlan(cmd, f, opts, exps)
		if err != nil {
			return err
		}
		return reportAssertions(f, p, name, rep, opts.JUnit)
	}
	svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	rep, err := svc.Assert(ctx, exps)
	if err != nil {
		return err
	}
	return reportAssertions(f, p, name, rep, opts.JUnit)
}

// reportAssertions prints the failures of rep and its summary, writes the
// JUnit report when asked, and returns the exit: ErrDenied when any case
// failed.
func reportAssertions(f *cmdutil.Factory, p printing, name string, rep auth.AssertReport, junit string) error {
	if junit != "" {
		if err := writeJUnit(junit, name, rep); err != nil {
			return err
		}
	}
	if p.Format == output.JSON {
		if err := output.WriteJSON(f.IO.Out, newAssertView(rep)); err != nil {
			return err
		}
	} else if err := printAssertions(f.IO.Out, p.Quiet, rep); err != nil {
		return err
	}
	if rep.Failed > 0 {
		return cmdutil.ErrDenied
	}
	return nil
}

func printAssertions(w io.Writer, quiet bool, rep auth.AssertReport) error {
	for _, c := range rep.Cases {
		if c.Passed() {
			continue
		}
		if _, err := fmt.Fprintln(w, describeFailure(c)); err != nil {
			return err
		}
	}
	if quiet {
		return nil
	}
	var err error
	if rep.Failed == 0 {
		_, err = fmt.Fprintf(w, "ok: %d checks passed\n", len(rep.Cases))
	} else {
		_, err = fmt.Fprintf(w, "FAIL: %d of %d checks failed\n", rep.Failed, len(rep.Cases))
	}
	return err
}

// describeFailure is one failed case on one line:
// "checks.yaml:3: alice: blog.delete_post: want denied, got allowed (direct grant)".
func describeFailure(c auth.AssertCase) string {
	if c.Problem != "" {
		return fmt.Sprintf("%s: %s", c.Where, output.Sanitize(c.Problem))
	}
	return fmt.Sprintf("%s: %s: want %s, got %s (%s)", c.Where, caseSubject(c), verdict(c.Want), verdict(c.Got), c.Reason)
}

// caseSubject is "alice: blog.add_post", "alice (group editors): module blog".
func caseSubject(c auth.AssertCase) string {
	who := output.Sanitize(c.User)
	if c.Group != "" {
		who += " (group " + output.Sanitize(c.Group) + ")"
	}
	what := output.Sanitize(c.Target)
	if c.Module {
		what = "module " + what
	}
	return who + ": " + what
}

func verdict(allowed bool) string {
	if allowed {
		return "allowed"
	}
	return "denied"
}

// assertView is test -o json.
type assertView struct {
	Checks   int              `json:"checks"`
	Failed   int              `json:"failed"`
	Failures []assertCaseView `json:"failures"`
}

type assertCaseView struct {
	Where      string `json:"where"`
	User       string `json:"user,omitempty"`
	Group      string `json:"group,omitempty"`
	Permission string `json:"permission,omitempty"`
	Module     string `json:"module,omitempty"`
	Want       string `json:"want,omitempty"`
	Got        string `json:"got,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Problem    string `json:"problem,omitempty"`
}

func newAssertView(rep auth.AssertReport) assertView {
	v := assertView{Checks: len(rep.Cases), Failed: rep.Failed, Failures: []assertCaseView{}}
	for _, c := range rep.Cases {
		if c.Passed() {
			continue
		}
		cv := assertCaseView{Where: c.Where, User: c.User, Group: c.Group, Problem: c.Problem}
		if c.Problem == "" {
			cv.Want, cv.Got, cv.Reason = verdict(c.Want), verdict(c.Got), c.Reason
			if c.Module {
				cv.Module = c.Target
			} else {
				cv.Permission = c.Target
			}
		}
		v.Failures = append(v.Failures, cv)
	}
	return v
}

// JUnit XML: one testsuite, one testcase per check. It is written by hand
// rather than with encoding/xml, whose package initialisation every
// authctl process would pay for (item: start-up time of check).
func writeJUnit(path, name string, rep auth.AssertReport) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\">\n", xmlText(name), len(rep.Cases), rep.Failed)
	for _, c := range rep.Cases {
		caseName := caseSubject(c) + " " + verdict(c.Want)
		if c.Problem != "" {
			caseName = c.Problem
			if c.User != "" {
				caseName = c.User
			}
		}
		fmt.Fprintf(&b, "  <testcase name=\"%s\" classname=\"%s\">", xmlText(caseName), xmlText(c.Where))
		if !c.Passed() {
			msg := xmlText(describeFailure(c))
			fmt.Fprintf(&b, "\n    <failure message=\"%s\">%s</failure>\n  ", msg, msg)
		}
		b.WriteString("</testcase>\n")
	}
	b.WriteString("</testsuite>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return cmdutil.FlagErrorf("--junit: %v", err)
	}
	return nil
}

// xmlText escapes s for XML text and attribute values, as encoding/xml's
// EscapeText does; characters XML cannot hold become U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '\t':
			b.WriteString("&#x9;")
		case r == '\n':
			b.WriteString("&#xA;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// assertPlan checks exps against the plan of the seeding file opts.Plan
// (apply's, as a dry run: a missing database reads as empty).
func assertPlan(cmd *cobra.Command, f *cmdutil.Factory, opts *testOptions, exps []auth.Expectation) (auth.AssertReport, error) {
	doc, _, _, err := decodeSeedInput(f, opts.Plan, seed.DecodeOptions{LookupEnv: f.Lookup})
	if err != nil {
		return auth.AssertReport{}, err
	}
	svc, ctx, err := serviceFor(cmd, f, cmdutil.Preview)
	if err != nil {
		return auth.AssertReport{}, err
	}
	ap, err := svc.PlanApply(ctx, doc, auth.ApplyOptions{Manage: true, Prune: opts.Prune, Origin: "test --plan"})
	if err != nil {
		return auth.AssertReport{}, err
	}
	return svc.AssertPlan(ctx, ap, exps)
}
