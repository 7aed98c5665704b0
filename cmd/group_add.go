package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type groupAddOptions struct {
	f    *cmdutil.Factory
	Name string
}

func newCmdGroupAdd(f *cmdutil.Factory, runF func(*groupAddOptions) error) *cobra.Command {
	opts := &groupAddOptions{f: f}
	return &cobra.Command{
		Use:     "add NAME",
		Short:   "Create a group",
		Example: `  authctl group add editors`,
		Args:    exactArgs(1, "one group name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return groupAddRun(cmd, opts)
		},
	}
}

func groupAddRun(cmd *cobra.Command, opts *groupAddOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadWrite)
	if err != nil {
		return err
	}
	if err := svc.CreateGroup(ctx, opts.Name); err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]string{"created": opts.Name})
	}
	say(f, p, "Created group %s", opts.Name)
	return nil
}
