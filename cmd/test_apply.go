package cmd

import (
	"context"
	"fmt"

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

// assertPlanned is runApply's vetter for a seeding file with assertions:
// it checks them on the planned state, so that the file is written only
// when every one holds. A failure prints each failed check (as "authctl
// test" does) and returns ErrDenied (exit 1) with nothing written; a dry
// run stops after the check either way.
func assertPlanned(f *cmdutil.Factory, p printing, exps []auth.Expectation) planVetter {
	return func(ctx context.Context, svc *auth.Service, ap *auth.ApplyPlan) error {
		rep, err := svc.AssertPlan(ctx, ap, exps)
		if err != nil {
			return err
		}
		if rep.Failed > 0 {
			if err := printAssertions(f.IO.Out, true, rep); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "authctl: %d of %d assertions fail on the planned state; nothing was written\n", rep.Failed, len(rep.Cases))
			return cmdutil.ErrDenied
		}
		say(f, p, "Assertions: %d checks pass on the planned state", len(rep.Cases))
		return nil
	}
}
