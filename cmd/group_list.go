package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type groupListOptions struct {
	f *cmdutil.Factory
}

func newCmdGroupList(f *cmdutil.Factory, runF func(*groupListOptions) error) *cobra.Command {
	opts := &groupListOptions{f: f}
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List groups with their permissions and member counts",
		Example: `  authctl group list
  authctl group list -o json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return groupListRun(cmd, opts)
		},
	}
}

func groupListRun(cmd *cobra.Command, opts *groupListOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		arr := output.NewJSONArray(f.IO.Out)
		if err := svc.ListGroups(ctx, true, func(g auth.GroupInfo) error { return arr.Add(newGroupView(g)) }); err != nil {
			return err
		}
		return arr.Close()
	}
	t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "NAME", "MEMBERS", "PERMISSIONS")
	n := 0
	if err := svc.ListGroups(ctx, true, func(g auth.GroupInfo) error {
		n++
		return t.Row(g.Group.Name, fmt.Sprint(len(g.Members)), strings.Join(g.Group.Permissions, ","))
	}); err != nil {
		return err
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if n == 0 && f.IO.IsStdoutTTY() {
		say(f, p, "No groups.")
	}
	return nil
}
