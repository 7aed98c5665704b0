package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type userCreateOptions struct {
	f              *cmdutil.Factory
	Username       string
	Email          string
	FirstName      string
	LastName       string
	Superuser      bool
	Staff          bool
	Inactive       bool
	Password       cmdutil.PasswordSource
	PasswordHash   string
	NoPassword     bool
	SkipValidation bool
	Groups         []string
	Permissions    []string
}

func newCmdUserCreate(f *cmdutil.Factory, runF func(*userCreateOptions) error) *cobra.Command {
	opts := &userCreateOptions{f: f}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a user",
		Long: `Create a user. The username is NFKC-normalised (as Django's create_user does) and
may hold at most 150 letters, digits and @ . + - _ characters.

The password is asked for twice at the terminal, or read from --password-stdin,
--password-file or --password-env; the password validators run unless
--skip-validation is given. --password-hash stores a Django-format hash as it is,
and --no-password makes the password unusable (the user cannot authenticate).`,
		Example: `  authctl user create alice --email alice@example.com
  printf '%s\n' "$PW" | authctl user create ci-bot --password-stdin
  authctl user create admin --superuser --password-env ADMIN_PASSWORD
  authctl user create carol --no-password --group editors --group writers --perm blog.publish
  authctl user create legacy --password-hash 'pbkdf2_sha256$260000$...'`,
		Args: exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Username = args[0]
			sources := 0
			for _, given := range []bool{opts.Password.Given(), opts.PasswordHash != "", opts.NoPassword} {
				if given {
					sources++
				}
			}
			if sources > 1 {
				return cmdutil.FlagErrorf("give at most one of --password-stdin, --password-file, --password-env, --password-hash and --no-password")
			}
			if runF != nil {
				return runF(opts)
			}
			return userCreateRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Email, "email", "", "email address `EMAIL`")
	fl.StringVar(&opts.FirstName, "first-name", "", "first `NAME`")
	fl.StringVar(&opts.LastName, "last-name", "", "last `NAME`")
	fl.BoolVar(&opts.Superuser, "superuser", false, "give every permission (also makes the user staff, as Django's createsuperuser does)")
	fl.BoolVar(&opts.Staff, "staff", false, "mark as staff (Django admin access; no effect on permissions)")
	fl.BoolVar(&opts.Inactive, "inactive", false, "create the user inactive (cannot authenticate, has no permissions)")
	opts.Password.AddFlags(cmd)
	fl.StringVar(&opts.PasswordHash, "password-hash", "", "store this Django-format password `HASH` as it is")
	fl.BoolVar(&opts.NoPassword, "no-password", false, "give the user an unusable password")
	fl.BoolVar(&opts.SkipValidation, "skip-validation", false, "do not run the password validators")
	fl.StringSliceVar(&opts.Groups, "group", nil, "add the user to `GROUP` (repeat, or separate with commas; it must exist)")
	fl.StringSliceVar(&opts.Permissions, "perm", nil, "grant the user `PERM` directly (repeat, or separate with commas; it must exist)")
	_ = cmd.RegisterFlagCompletionFunc("group", completeGroups(f))
	_ = cmd.RegisterFlagCompletionFunc("perm", completePerms(f))
	cmd.ValidArgsFunction = cobra.NoFileCompletions
	return cmd
}

func userCreateRun(cmd *cobra.Command, opts *userCreateOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	nu := auth.NewUser{
		Username:       opts.Username,
		Email:          opts.Email,
		FirstName:      opts.FirstName,
		LastName:       opts.LastName,
		IsSuperuser:    opts.Superuser,
		IsStaff:        opts.Staff,
		Inactive:       opts.Inactive,
		SkipValidation: opts.SkipValidation,
		Groups:         opts.Groups,
		Permissions:    opts.Permissions,
	}
	// Settle how the password will come before opening anything, so that a
	// script without a terminal fails fast with a usage error.
	interactive := false
	switch {
	case opts.NoPassword:
		nu.Password = auth.NoPassword()
	case opts.PasswordHash != "":
		nu.Password = auth.HashedPassword(opts.PasswordHash)
	case opts.Password.Given():
		pw, err := opts.Password.ReadNonInteractive(f)
		if err != nil {
			return err
		}
		nu.Password = auth.RawPassword(pw)
	case f.IO.CanPrompt():
		interactive = true
	default:
		return cmdutil.FlagErrorf("no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME, or use --password-hash HASH or --no-password")
	}

	svc, ctx, err := serviceFor(cmd, f, cmdutil.ReadWrite)
	if err != nil {
		return err
	}
	if interactive {
		if nu.Password, nu.SkipValidation, err = askNewUserPassword(ctx, f, svc, nu); err != nil {
			return err
		}
	}
	u, err := svc.CreateUser(ctx, nu)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, newUserView(u))
	}
	kind := "user"
	if u.IsSuperuser {
		kind = "superuser"
	}
	say(f, p, "Created %s %s", kind, u.Username)
	return nil
}

// askNewUserPassword is Django's createsuperuser password loop: ask twice;
// on a validation failure print every message and offer to bypass.
func askNewUserPassword(ctx context.Context, f *cmdutil.Factory, svc *auth.Service, nu auth.NewUser) (auth.Password, bool, error) {
	// Report problems with the name or email, and a name that is taken (as
	// createsuperuser does), before asking for a password.
	nu.Password = auth.NoPassword()
	if err := svc.CheckNewUser(ctx, nu); err != nil {
		return nu.Password, false, err
	}
	pr, err := f.IO.Prompter()
	if err != nil {
		return nu.Password, false, err
	}
	for {
		pw, err := cmdutil.AskNew(f, pr)
		if err != nil {
			return nu.Password, false, err
		}
		nu.Password = auth.RawPassword(pw)
		if nu.SkipValidation {
			return nu.Password, true, nil
		}
		err = svc.CheckNewUser(ctx, nu)
		if err == nil {
			return nu.Password, false, nil
		}
		if !errors.Is(err, auth.ErrInvalid) {
			return nu.Password, false, err
		}
		fmt.Fprintln(f.IO.ErrOut, err)
		bypass, err := pr.Confirm("Bypass password validation and create user anyway? [y/N]: ", false)
		if err != nil {
			return nu.Password, false, err
		}
		if bypass {
			return nu.Password, true, nil
		}
	}
}
