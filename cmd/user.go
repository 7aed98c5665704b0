package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func newCmdUser(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user <command>",
		RunE:  runParent,
		Short: "Create, list, show, change and delete users",
		Example: `  authctl user create alice --email alice@example.com
  authctl user list --group editors
  authctl user set bob --active=false`,
	}
	cmd.AddCommand(
		newCmdUserCreate(f, nil),
		newCmdUserList(f, nil),
		newCmdUserShow(f, nil),
		newCmdUserPerms(f, nil),
		newCmdUserSet(f, nil),
		newCmdUserPasswd(f, nil),
		newCmdUserDelete(f, nil),
		newCmdUserUnlock(f, nil),
		newCmdUserRename(f, nil),
	)
	return cmd
}
