package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
)

func newCmdPerm(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "perm <command>",
		RunE:  runParent,
		Short: "Create permissions and grant them to users and groups",
		Long: `Permissions are named app_label.codename (lower-case letters, digits and _; the
app label starts with a letter), with a human name such as "Can eat ice cream".
A permission must exist before it is granted; "perm grant --create" creates it
on the way.`,
		Example: `  authctl perm create blog.publish_post --name "Can publish a post"
  authctl perm grant blog.publish_post --group editors
  authctl perm show blog.publish_post`,
	}
	cmd.AddCommand(
		newCmdPermCreate(f, nil),
		newCmdPermDelete(f, nil),
		newCmdPermList(f, nil),
		newCmdPermShow(f, nil),
		newCmdPermGrant(f, nil),
		newCmdPermRevoke(f, nil),
	)
	return cmd
}
