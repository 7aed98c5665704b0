package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userUnlockOptions struct {
	f     *cmdutil.Factory
	Users userSelection
}

func newCmdUserUnlock(f *cmdutil.Factory, runF func(*userUnlockOptions) error) *cobra.Command {
	opts := &userUnlockOptions{f: f}
	cmd := &cobra.Command{
		Use:   "unlock [NAME...]",
		Short: "Forget users' failed logins and lift a lockout",
		Long: `Reset users' failed-login counts and lift the lock that too many failures put
on their accounts (like faillock --reset), in one transaction.

Name the users as arguments, or select them with --group, --inactive and
--stdin (names one a line).`,
		Example: `  authctl user unlock alice
  authctl user unlock --group support`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Users.Names = args
			if runF != nil {
				return runF(opts)
			}
			return userUnlockRun(cmd, opts)
		},
		ValidArgsFunction: completeUsers(f),
	}
	opts.Users.addFlags(cmd, f)
	return cmd
}

func userUnlockRun(cmd *cobra.Command, opts *userUnlockOptions) error {
	f := opts.f
	sel, err := opts.Users.selector(f)
	if err != nil {
		return err
	}
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	names, err := svc.UnlockUsers(ctx, sel)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string][]string{"unlocked": names})
	}
	say(f, p, "Unlocked %s", describeUsers(names))
	return nil
}
