package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type auditPruneOptions struct {
	f *cmdutil.Factory
	// Before is --before as given.
	Before string
}

func newCmdAuditPrune(f *cmdutil.Factory, runF func(*auditPruneOptions) error) *cobra.Command {
	opts := &auditPruneOptions{f: f}
	cmd := &cobra.Command{
		Use:   "prune --before WHEN",
		Short: "Delete audit records older than a time, keeping the chain verifiable",
		Long: `Delete audit records older than a time, in one transaction. The last deleted
record is kept as the chain's anchor, so "audit verify" still checks what is
left; a prune always appends its own record.`,
		Example: `  authctl audit prune --before 90d
  authctl audit prune --before 2026-01-01 -o json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Before == "" {
				return cmdutil.FlagErrorf("--before is required")
			}
			if runF != nil {
				return runF(opts)
			}
			return auditPruneRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Before, "before", "", "delete records older than `WHEN`: a time or a duration back from now (90d)")
	return cmd
}

func auditPruneRun(cmd *cobra.Command, opts *auditPruneOptions) error {
	f := opts.f
	t, err := parseWhen(opts.Before, f.Now())
	if err != nil {
		return cmdutil.FlagErrorf("--before: %v", err)
	}
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	n, err := svc.AuditPrune(ctx, t)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]int{"pruned": n})
	}
	say(f, p, "Pruned %d audit record(s)", n)
	return nil
}
