package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type groupRenameOptions struct {
	f        *cmdutil.Factory
	From, To string
}

func newCmdGroupRename(f *cmdutil.Factory, runF func(*groupRenameOptions) error) *cobra.Command {
	opts := &groupRenameOptions{f: f}
	return &cobra.Command{
		Use:   "rename OLD NEW",
		Short: "Give a group a new name",
		Long: `Give a group a new name, as groupmod -n does. Its grants and members go with it,
in one transaction; the audit log records the rename.`,
		Example: `  authctl group rename editors writers`,
		Args:    exactArgs(2, "the old and the new group name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.From, opts.To = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return groupRenameRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeGroups(f)),
	}
}

func groupRenameRun(cmd *cobra.Command, opts *groupRenameOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	if err := svc.RenameGroup(ctx, opts.From, opts.To); err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]string{"renamed": opts.From, "name": opts.To})
	}
	say(f, p, "Renamed group %s to %s", opts.From, opts.To)
	return nil
}
