package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func newCmdGroup(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "group <command>",
		RunE:  runParent,
		Short: "Create and delete groups, and manage their members",
		Long: `Groups are flat, named sets of permissions (Django's auth.Group): a user has
every permission of every group it belongs to.`,
		Example: `  authctl group add editors
  authctl perm grant blog.add_post --group editors --create
  authctl group add-members editors alice bob`,
	}
	cmd.AddCommand(
		newCmdGroupAdd(f, nil),
		newCmdGroupDelete(f, nil),
		newCmdGroupList(f, nil),
		newCmdGroupShow(f, nil),
		newCmdGroupAddMembers(f, nil),
		newCmdGroupRemoveMembers(f, nil),
		newCmdGroupRename(f, nil),
	)
	return cmd
}
