package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type groupDeleteOptions struct {
	f    *cmdutil.Factory
	Name string
	Yes  bool
}

func newCmdGroupDelete(f *cmdutil.Factory, runF func(*groupDeleteOptions) error) *cobra.Command {
	opts := &groupDeleteOptions{f: f}
	cmd := &cobra.Command{
		Use:     "delete NAME",
		Aliases: []string{"rm"},
		Short:   "Delete a group (its members stay, without it)",
		Long: `Delete a group and remove it from every user, in one transaction. At a terminal
it asks to confirm; without one, --yes is required.`,
		Example: `  authctl group delete interns
  authctl group rm interns --yes`,
		Args: exactArgs(1, "one group name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if err := requireYes(f, opts.Yes); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return groupDeleteRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeGroups(f)),
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	return cmd
}

func groupDeleteRun(cmd *cobra.Command, opts *groupDeleteOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	if !opts.Yes {
		info, err := svc.GetGroup(ctx, opts.Name)
		if err != nil {
			return err
		}
		if err := confirm(f, fmt.Sprintf("Delete group %s (%d members)? [y/N]: ", opts.Name, len(info.Members))); err != nil {
			return err
		}
	}
	if err := svc.DeleteGroup(ctx, opts.Name); err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]string{"deleted": opts.Name})
	}
	say(f, p, "Deleted group %s", opts.Name)
	return nil
}
