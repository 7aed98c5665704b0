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

type userPasswdOptions struct {
	f              *cmdutil.Factory
	Username       string
	Password       cmdutil.PasswordSource
	SkipValidation bool
}

// passwdAttempts is Django's changepassword limit.
const passwdAttempts = 3

func newCmdUserPasswd(f *cmdutil.Factory, runF func(*userPasswdOptions) error) *cobra.Command {
	opts := &userPasswdOptions{f: f}
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Change a user's password",
		Long: `Change a user's password, like Django's changepassword: at a terminal it asks
twice, at most 3 times; the validators compare the password with this user's
name and email. The user's sessions end, except your own when you change your
own password while logged in.`,
		Example: `  authctl user passwd alice
  authctl user passwd ci-bot --password-file /run/secrets/ci-bot`,
		Args: exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Username = args[0]
			if runF != nil {
				return runF(opts)
			}
			return userPasswdRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
	opts.Password.AddFlags(cmd)
	cmd.Flags().BoolVar(&opts.SkipValidation, "skip-validation", false, "do not run the password validators")
	acceptsOutput(cmd, output.Table)
	return cmd
}

func userPasswdRun(cmd *cobra.Command, opts *userPasswdOptions) error {
	f := opts.f
	p, err := outputSettings(f, output.Table)
	if err != nil {
		return err
	}
	if !opts.Password.Given() && !f.IO.CanPrompt() {
		return cmdutil.ErrNoPasswordSource
	}
	var pw string
	if opts.Password.Given() {
		if pw, err = opts.Password.ReadNonInteractive(f); err != nil {
			return err
		}
	}
	svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	keep := ownSessionID(ctx, f, svc, opts.Username)
	setOpts := auth.SetPasswordOptions{SkipValidation: opts.SkipValidation, KeepSession: keep}
	if opts.Password.Given() {
		if err := svc.SetPassword(ctx, opts.Username, auth.RawPassword(pw), setOpts); err != nil {
			return err
		}
		say(f, p, "Password changed successfully for user '%s'", opts.Username)
		return nil
	}
	return changepassword(ctx, f, p, svc, opts.Username, setOpts)
}

// changepassword is Django's changepassword at the terminal: check the
// user exists first, then up to three tries; an empty answer aborts.
func changepassword(ctx context.Context, f *cmdutil.Factory, p printing, svc *auth.Service, username string, setOpts auth.SetPasswordOptions) error {
	if _, err := svc.GetUser(ctx, username); err != nil {
		return err
	}
	pr, err := f.IO.Prompter()
	if err != nil {
		return err
	}
	say(f, p, "Changing password for user '%s'", username)
	for try := 0; try < passwdAttempts; try++ {
		first, err := pr.Password("Password: ")
		if err != nil {
			return err
		}
		if first == "" {
			return errAborted
		}
		again, err := pr.Password("Password (again): ")
		if err != nil {
			return err
		}
		if again == "" {
			return errAborted
		}
		if first != again {
			fmt.Fprintln(f.IO.ErrOut, "Passwords do not match. Please try again.")
			continue
		}
		err = svc.SetPassword(ctx, username, auth.RawPassword(first), setOpts)
		if errors.Is(err, auth.ErrInvalid) {
			fmt.Fprintln(f.IO.ErrOut, err)
			continue
		}
		if err != nil {
			return err
		}
		say(f, p, "Password changed successfully for user '%s'", username)
		return nil
	}
	return &passwdAbortedError{username: username}
}

// passwdAbortedError is Django's message after three failed tries; it is
// invalid input (exit 5).
type passwdAbortedError struct{ username string }

func (e *passwdAbortedError) Error() string {
	return fmt.Sprintf("Aborting password change for user '%s' after %d attempts", e.username, passwdAttempts)
}
func (e *passwdAbortedError) Is(target error) bool { return target == auth.ErrInvalid }
