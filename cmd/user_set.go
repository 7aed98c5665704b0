package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userSetOptions struct {
	f        *cmdutil.Factory
	Username string
	Patch    auth.UserPatch
}

func newCmdUserSet(f *cmdutil.Factory, runF func(*userSetOptions) error) *cobra.Command {
	opts := &userSetOptions{f: f}
	var email, first, last string
	var active, staff, superuser bool
	cmd := &cobra.Command{
		Use:   "set NAME [--email E] [--first-name F] [--last-name L] [--active=BOOL] [--staff=BOOL] [--superuser=BOOL]",
		Short: "Change a user's fields",
		Long: `Change a user's fields; only the flags given are changed. Deactivating a user
(--active=false) ends all of the user's sessions.`,
		Example: `  authctl user set alice --email alice@example.org
  authctl user set bob --active=false`,
		Args: exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Username = args[0]
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
	fl := cmd.Flags()
	fl.StringVar(&email, "email", "", "email address")
	fl.StringVar(&first, "first-name", "", "first name")
	fl.StringVar(&last, "last-name", "", "last name")
	fl.BoolVar(&active, "active", true, "active (false: cannot authenticate, has no permissions)")
	fl.BoolVar(&staff, "staff", false, "staff status")
	fl.BoolVar(&superuser, "superuser", false, "superuser status")
	return cmd
}

func userSetRun(cmd *cobra.Command, opts *userSetOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	u, err := svc.UpdateUser(ctx, opts.Username, opts.Patch)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, newUserView(u))
	}
	say(f, p, "Updated user %s", u.Username)
	return nil
}
