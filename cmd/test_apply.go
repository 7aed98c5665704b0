package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
)

// seedAssertions reads the assert: section of a seeding file (nil when it
// has none), which seed.DecodeWithAssert returns as a YAML node; the syntax
// is that of "authctl test -f".
func seedAssertions(assert *yaml.Node, name string) ([]auth.Expectation, error) {
	if assert == nil {
		return nil, nil
	}
	return decodeExpectations(assert, name)
}

// runApplyAsserting is runApply for a seeding file with assertions: plan,
// check the assertions on the planned state, and write only when every one
// holds. A failure prints each failed check (as "authctl test" does) and
// returns ErrDenied (exit 1) with nothing written; a dry run stops after
// the check either way.
func runApplyAsserting(cmd *cobra.Command, f *cmdutil.Factory, p printing, doc *auth.Document, opts auth.ApplyOptions, exps []auth.Expectation) (auth.ApplyResult, error) {
	access := cmdutil.ReadWrite
	if opts.DryRun {
		access = cmdutil.Preview
	}
	svc, ctx, err := serviceFor(cmd, f, access)
	if err != nil {
		return auth.ApplyResult{}, err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	ap, err := svc.PlanApply(ctx, doc, opts)
	if err != nil {
		return auth.ApplyResult{}, err
	}
	rep, err := svc.AssertPlan(ctx, ap, exps)
	if err != nil {
		return auth.ApplyResult{}, err
	}
	if rep.Failed > 0 {
		if err := printAssertions(f.IO.Out, true, rep); err != nil {
			return auth.ApplyResult{}, err
		}
		fmt.Fprintf(f.IO.ErrOut, "authctl: %d of %d assertions fail on the planned state; nothing was written\n", rep.Failed, len(rep.Cases))
		return auth.ApplyResult{}, cmdutil.ErrDenied
	}
	say(f, p, "Assertions: %d checks pass on the planned state", len(rep.Cases))
	if opts.DryRun {
		return auth.ApplyResult{Changes: ap.Changes()}, nil
	}
	return svc.ExecuteApply(ctx, ap)
}
