package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type groupShowOptions struct {
	f    *cmdutil.Factory
	Name string
}

func newCmdGroupShow(f *cmdutil.Factory, runF func(*groupShowOptions) error) *cobra.Command {
	opts := &groupShowOptions{f: f}
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Show a group's permissions and members",
		Example: `  authctl group show editors
  authctl group show editors -o json`,
		Args: exactArgs(1, "one group name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return groupShowRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeGroups(f)),
	}
}

func groupShowRun(cmd *cobra.Command, opts *groupShowOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	info, err := svc.GetGroup(ctx, opts.Name)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, newGroupView(info))
	}
	list := func(s []string) string {
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, ", ")
	}
	_, err = fmt.Fprintf(f.IO.Out, "name:        %s\npermissions: %s\nmembers:     %s\n",
		output.Sanitize(info.Group.Name), list(info.Group.Permissions), list(info.Members))
	return err
}
