package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
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
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	return listing[auth.GroupInfo]{
		header: []string{"NAME", "MEMBERS", "PERMISSIONS"},
		row: func(g auth.GroupInfo) []string {
			return []string{g.Group.Name, fmt.Sprint(len(g.Members)), strings.Join(g.Group.Permissions, ",")}
		},
		view:  func(g auth.GroupInfo) any { return newGroupView(g) },
		empty: "No groups.",
	}.print(f, p, func(fn func(auth.GroupInfo) error) error { return svc.ListGroups(ctx, true, fn) })
}
