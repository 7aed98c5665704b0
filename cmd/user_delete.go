package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userDeleteOptions struct {
	f        *cmdutil.Factory
	Username string
	Yes      bool
}

func newCmdUserDelete(f *cmdutil.Factory, runF func(*userDeleteOptions) error) *cobra.Command {
	opts := &userDeleteOptions{f: f}
	cmd := &cobra.Command{
		Use:     "delete NAME",
		Aliases: []string{"rm"},
		Short:   "Delete a user",
		Long: `Delete a user with the user's group memberships, direct permissions and
sessions, in one transaction. At a terminal it asks to confirm; without one,
--yes is required.`,
		Args: exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Username = args[0]
			if !opts.Yes && !f.IO.CanPrompt() {
				return cmdutil.FlagErrorf("--yes is required to delete without a terminal to confirm on")
			}
			if runF != nil {
				return runF(opts)
			}
			return userDeleteRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	return cmd
}

func userDeleteRun(cmd *cobra.Command, opts *userDeleteOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
	if err != nil {
		return err
	}
	if !opts.Yes {
		if _, err := svc.GetUser(ctx, opts.Username); err != nil {
			return err
		}
		if err := confirm(f, fmt.Sprintf("Delete user %s? [y/N]: ", opts.Username)); err != nil {
			return err
		}
	}
	if err := svc.DeleteUser(ctx, opts.Username); err != nil {
		return err
	}
	say(f, p, "Deleted user %s", opts.Username)
	return nil
}
