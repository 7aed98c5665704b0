package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userRenameOptions struct {
	f        *cmdutil.Factory
	From, To string
}

func newCmdUserRename(f *cmdutil.Factory, runF func(*userRenameOptions) error) *cobra.Command {
	opts := &userRenameOptions{f: f}
	return &cobra.Command{
		Use:   "rename OLD NEW",
		Short: "Give a user a new username",
		Long: `Give a user a new username, as usermod -l does. The groups, grants, password,
sessions and failed-login count go with it, in one transaction; the audit log
records the rename. The new name is NFKC-normalised and must be free.`,
		Example: `  authctl user rename alice alice.liddell
  authctl user rename bob robert -o json`,
		Args: exactArgs(2, "the old and the new username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.From, opts.To = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return userRenameRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
}

func userRenameRun(cmd *cobra.Command, opts *userRenameOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	u, err := svc.RenameUser(ctx, opts.From, opts.To)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, newUserView(u))
	}
	say(f, p, "Renamed user %s to %s", opts.From, u.Username)
	return nil
}
