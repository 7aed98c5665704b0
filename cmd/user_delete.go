package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userDeleteOptions struct {
	f     *cmdutil.Factory
	Users userSelection
	Yes   bool
}

func newCmdUserDelete(f *cmdutil.Factory, runF func(*userDeleteOptions) error) *cobra.Command {
	opts := &userDeleteOptions{f: f}
	cmd := &cobra.Command{
		Use:     "delete [NAME...]",
		Aliases: []string{"rm"},
		Short:   "Delete one user or many",
		Long: `Delete users with their group memberships, direct permissions and sessions,
in one transaction. At a terminal it asks to confirm; without one, --yes is
required.

Name the users as arguments, or select them with --group, --inactive and
--stdin (names one a line); the filters narrow the named users, or, alone,
pick from every user.`,
		Example: `  authctl user delete alice
  authctl user delete --inactive --yes
  printf '%s\n' bob carol | authctl user delete --stdin --yes`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Users.Names = args
			if err := requireYes(f, opts.Yes); err != nil {
				return err
			}
			if opts.Users.Stdin && !opts.Yes {
				return cmdutil.FlagErrorf("--stdin takes the names from standard input, so the confirmation cannot: give --yes")
			}
			if runF != nil {
				return runF(opts)
			}
			return userDeleteRun(cmd, opts)
		},
		ValidArgsFunction: completeUsers(f),
	}
	opts.Users.addFlags(cmd, f)
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	return cmd
}

func userDeleteRun(cmd *cobra.Command, opts *userDeleteOptions) error {
	f := opts.f
	sel, err := opts.Users.selector(f)
	if err != nil {
		return err
	}
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	if !opts.Yes {
		names, err := svc.SelectedUsers(ctx, sel)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			return auth.ErrEmptySelection
		}
		if err := confirm(f, fmt.Sprintf("Delete %s? [y/N]: ", describeUsers(names))); err != nil {
			return err
		}
	}
	names, err := svc.DeleteUsers(ctx, sel)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string][]string{"deleted": names})
	}
	say(f, p, "Deleted %s", describeUsers(names))
	return nil
}
