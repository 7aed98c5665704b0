package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

func newCmdGroup(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "group <command>",
		RunE:  runParent,
		Short: "Create and delete groups, and manage their members",
		Long: `Groups are flat, named sets of permissions (Django's auth.Group): a user has
every permission of every group it belongs to.`,
	}
	cmd.AddCommand(
		newCmdGroupAdd(f),
		newCmdGroupDelete(f),
		newCmdGroupList(f),
		newCmdGroupShow(f),
		newCmdGroupMembers(f, true),
		newCmdGroupMembers(f, false),
		newCmdGroupRename(f, nil),
	)
	return cmd
}

func newCmdGroupAdd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "add NAME",
		Short: "Create a group",
		Args:  exactArgs(1, "one group name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadWrite, output.Table)
			if err != nil {
				return err
			}
			if err := svc.CreateGroup(ctx, args[0]); err != nil {
				return err
			}
			say(f, p, "Created group %s", args[0])
			return nil
		},
	}
}

func newCmdGroupDelete(f *cmdutil.Factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete NAME",
		Aliases: []string{"rm"},
		Short:   "Delete a group (its members stay, without it)",
		Long: `Delete a group and remove it from every user, in one transaction. At a terminal
it asks to confirm; without one, --yes is required.`,
		Args: exactArgs(1, "one group name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes && !f.IO.CanPrompt() {
				return cmdutil.FlagErrorf("--yes is required to delete without a terminal to confirm on")
			}
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
			if err != nil {
				return err
			}
			if !yes {
				info, err := svc.GetGroup(ctx, args[0])
				if err != nil {
					return err
				}
				if err := confirm(f, fmt.Sprintf("Delete group %s (%d members)? [y/N]: ", args[0], len(info.Members))); err != nil {
					return err
				}
			}
			if err := svc.DeleteGroup(ctx, args[0]); err != nil {
				return err
			}
			say(f, p, "Deleted group %s", args[0])
			return nil
		},
		ValidArgsFunction: firstArg(completeGroups(f)),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

// confirm asks a yes/no question at the terminal; no is errCancelled.
func confirm(f *cmdutil.Factory, question string) error {
	pr, err := f.IO.Prompter()
	if err != nil {
		return err
	}
	ok, err := pr.Confirm(question, false)
	if err != nil {
		return err
	}
	if !ok {
		return errCancelled
	}
	return nil
}

func newCmdGroupList(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List groups with their permissions and member counts",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			if err := svc.ListGroups(ctx, true, func(g auth.GroupInfo) error {
				return t.Row(g.Group.Name, fmt.Sprint(len(g.Members)), strings.Join(g.Group.Permissions, ","))
			}); err != nil {
				return err
			}
			return t.Flush()
		},
	}
}

func newCmdGroupShow(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Show a group's permissions and members",
		Args:  exactArgs(1, "one group name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
			if err != nil {
				return err
			}
			info, err := svc.GetGroup(ctx, args[0])
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
		},
		ValidArgsFunction: firstArg(completeGroups(f)),
	}
}

// newCmdGroupMembers builds add-members (add) or remove-members.
func newCmdGroupMembers(f *cmdutil.Factory, add bool) *cobra.Command {
	use, short, verb := "add-members GROUP USER...", "Add users to a group", "Added"
	if !add {
		use, short, verb = "remove-members GROUP USER...", "Remove users from a group", "Removed"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `. All or nothing: if any user does not exist, nothing changes.
Users already in (or already out of) the group are left as they are.`,
		Args: minArgs(2, "a group and at least one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
			if err != nil {
				return err
			}
			var done []string
			if add {
				done, err = svc.AddMembers(ctx, args[0], args[1:])
			} else {
				done, err = svc.RemoveMembers(ctx, args[0], args[1:])
			}
			if err != nil {
				return err
			}
			if len(done) == 0 {
				say(f, p, "Nothing to change in group %s", args[0])
				return nil
			}
			prep := "to"
			if !add {
				prep = "from"
			}
			say(f, p, "%s %s %s group %s", verb, strings.Join(done, ", "), prep, args[0])
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return completeGroups(f)(cmd, args, toComplete)
			}
			return completeUsers(f)(cmd, args, toComplete)
		},
	}
}
