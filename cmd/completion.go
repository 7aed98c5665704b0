package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
)

// completionLimit bounds how many names a completion offers, so that a
// database of a million users completes instantly.
const completionLimit = 200

type completer func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// completeFrom completes names read from the database; any error (no
// database yet, say) completes nothing rather than printing.
func completeFrom(f *cmdutil.Factory, list func(ctx context.Context, svc *auth.Service, prefix string) ([]string, error)) completer {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		names, err := list(ctx, svc, toComplete)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

func completeUsers(f *cmdutil.Factory) completer {
	return completeFrom(f, func(ctx context.Context, svc *auth.Service, prefix string) ([]string, error) {
		return svc.Usernames(ctx, prefix, completionLimit)
	})
}

func completeGroups(f *cmdutil.Factory) completer {
	return completeFrom(f, func(ctx context.Context, svc *auth.Service, prefix string) ([]string, error) {
		return svc.GroupNames(ctx, prefix)
	})
}

func completePerms(f *cmdutil.Factory) completer {
	return completeFrom(f, func(ctx context.Context, svc *auth.Service, prefix string) ([]string, error) {
		names, err := svc.PermissionNames(ctx, prefix)
		if len(names) > completionLimit {
			names = names[:completionLimit]
		}
		return names, err
	})
}

// firstArg completes only the first argument, for commands that take one
// name: after "user show alice " there is nothing more to offer.
func firstArg(c completer) completer {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return c(cmd, args, toComplete)
	}
}
