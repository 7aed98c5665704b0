package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userUnlockOptions struct {
	f        *cmdutil.Factory
	Username string
}

func newCmdUserUnlock(f *cmdutil.Factory, runF func(*userUnlockOptions) error) *cobra.Command {
	opts := &userUnlockOptions{f: f}
	return &cobra.Command{
		Use:   "unlock NAME",
		Short: "Forget a user's failed logins and lift a lockout",
		Long: `Reset a user's failed-login count and lift the lock that too many failures
put on the account (like faillock --reset).`,
		Args: exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Username = args[0]
			if runF != nil {
				return runF(opts)
			}
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
			if err != nil {
				return err
			}
			if err := svc.Unlock(ctx, opts.Username); err != nil {
				return err
			}
			say(f, p, "Unlocked user %s", opts.Username)
			return nil
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
}
