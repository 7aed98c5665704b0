package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/seed"
)

// seedAssertions reads the assert: section of a seeding file (nil when it
// has none). The seeding decoder skips that key; the syntax is that of
// "authctl test -f".
func seedAssertions(data []byte, name string) ([]auth.Expectation, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil || root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		return nil, nil // the seeding decoder has reported it
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == seed.AssertKey {
			return decodeExpectations(top.Content[i+1], name)
		}
	}
	return nil, nil
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
