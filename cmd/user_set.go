package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/store"
)

type userSetOptions struct {
	f     *cmdutil.Factory
	Users userSelection
	Patch auth.UserPatch
}

func newCmdUserSet(f *cmdutil.Factory, runF func(*userSetOptions) error) *cobra.Command {
	opts := &userSetOptions{f: f}
	var email, first, last string
	var active, staff, superuser bool
	cmd := &cobra.Command{
		Use:   "set [NAME...] [--email EMAIL] [--first-name NAME] [--last-name NAME] [--active=BOOL] [--staff=BOOL] [--superuser=BOOL]",
		Short: "Change the fields of one user or many",
		Long: `Change users' fields; only the flags given are changed. Deactivating a user
(--active=false) ends all of the user's sessions.

Name the users as arguments, or select them with --group, --inactive and
--stdin (names one a line); the filters narrow the named users, or, alone,
pick from every user. All of them change in one transaction, or none does.`,
		Example: `  authctl user set alice --email alice@example.org
  authctl user set bob --active=false
  authctl user set --group contractors --active=false
  authctl user set --inactive --group editors --staff=false
  cut -d: -f1 leavers.txt | authctl user set --stdin --active=false`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Users.Names = args
			fl := cmd.Flags()
			if fl.Changed("email") {
				opts.Patch.Email = &email
			}
			if fl.Changed("first-name") {
				opts.Patch.FirstName = &first
			}
			if fl.Changed("last-name") {
				opts.Patch.LastName = &last
			}
			if fl.Changed("active") {
				opts.Patch.IsActive = &active
			}
			if fl.Changed("staff") {
				opts.Patch.IsStaff = &staff
			}
			if fl.Changed("superuser") {
				opts.Patch.IsSuperuser = &superuser
			}
			if opts.Patch == (auth.UserPatch{}) {
				return cmdutil.FlagErrorf("nothing to change: give at least one of --email, --first-name, --last-name, --active, --staff, --superuser")
			}
			if runF != nil {
				return runF(opts)
			}
			return userSetRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
	opts.Users.addFlags(cmd, f)
	fl := cmd.Flags()
	fl.StringVar(&email, "email", "", "email address `EMAIL`")
	fl.StringVar(&first, "first-name", "", "first `NAME`")
	fl.StringVar(&last, "last-name", "", "last `NAME`")
	fl.BoolVar(&active, "active", true, "active (false: cannot authenticate, has no permissions)")
	fl.BoolVar(&staff, "staff", false, "staff status")
	fl.BoolVar(&superuser, "superuser", false, "superuser status")
	return cmd
}

func userSetRun(cmd *cobra.Command, opts *userSetOptions) error {
	f := opts.f
	sel, err := opts.Users.selector(f)
	if err != nil {
		return err
	}
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	users, err := svc.UpdateUsers(ctx, sel, opts.Patch)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		if opts.Users.single() {
			return output.WriteJSON(f.IO.Out, newUserView(users[0]))
		}
		views := make([]userView, len(users))
		for i, u := range users {
			views[i] = newUserView(u)
		}
		return output.WriteJSON(f.IO.Out, views)
	}
	say(f, p, "Updated %s", describeUsers(usernamesOf(users)))
	return nil
}

func usernamesOf(users []store.User) []string {
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.Username
	}
	return names
}
