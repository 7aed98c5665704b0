package cmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

// groupMembersOptions is what add-members and remove-members take.
type groupMembersOptions struct {
	f     *cmdutil.Factory
	Group string
	Users []string
}

func newCmdGroupAddMembers(f *cmdutil.Factory, runF func(*groupMembersOptions) error) *cobra.Command {
	opts := &groupMembersOptions{f: f}
	return &cobra.Command{
		Use:   "add-members GROUP USER...",
		Short: "Add users to a group",
		Long: `Add users to a group. All or nothing: if any user does not exist, nothing
changes. Users already in the group are left as they are (like gpasswd -a).`,
		Example: `  authctl group add-members editors alice bob`,
		Args:    minArgs(2, "a group and at least one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group, opts.Users = args[0], args[1:]
			if runF != nil {
				return runF(opts)
			}
			return groupMembersRun(cmd, opts, "added", "Added %s to group %s", (*auth.Service).AddMembers)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return completeGroups(f)(cmd, args, toComplete)
			}
			return completeUsers(f)(cmd, args, toComplete)
		},
	}
}

func newCmdGroupRemoveMembers(f *cmdutil.Factory, runF func(*groupMembersOptions) error) *cobra.Command {
	opts := &groupMembersOptions{f: f}
	return &cobra.Command{
		Use:   "remove-members GROUP USER...",
		Short: "Remove users from a group",
		Long: `Remove users from a group. All or nothing: if any user does not exist, nothing
changes. Users already out of the group are left as they are (like gpasswd -d).`,
		Example: `  authctl group remove-members editors bob`,
		Args:    minArgs(2, "a group and at least one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Group, opts.Users = args[0], args[1:]
			if runF != nil {
				return runF(opts)
			}
			return groupMembersRun(cmd, opts, "removed", "Removed %s from group %s", (*auth.Service).RemoveMembers)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return completeGroups(f)(cmd, args, toComplete)
			}
			return completeMembers(f, args[0])(cmd, args, toComplete)
		},
	}
}

// groupMembersRun changes the membership with change and reports what it
// did: key names the JSON list, message the line for people.
func groupMembersRun(cmd *cobra.Command, opts *groupMembersOptions, key, message string,
	change func(*auth.Service, context.Context, string, []string) ([]string, error)) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	done, err := change(svc, ctx, opts.Group, opts.Users)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]any{"group": opts.Group, key: nonNil(done)})
	}
	if len(done) == 0 {
		say(f, p, "Nothing to change in group %s", opts.Group)
		return nil
	}
	say(f, p, message, strings.Join(done, ", "), opts.Group)
	return nil
}

// completeMembers completes only the members of group, for
// remove-members: nobody else can be removed.
func completeMembers(f *cmdutil.Factory, group string) completer {
	return completeFrom(f, func(ctx context.Context, svc *auth.Service, prefix string) ([]string, error) {
		info, err := svc.GetGroup(ctx, group)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, m := range info.Members {
			if strings.HasPrefix(m, prefix) && len(out) < completionLimit {
				out = append(out, m)
			}
		}
		return out, nil
	})
}
