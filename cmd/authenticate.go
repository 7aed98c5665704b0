package cmd

import (
	"errors"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type authenticateOptions struct {
	f        *cmdutil.Factory
	Username string
	Password cmdutil.PasswordSource
}

func newCmdAuthenticate(f *cmdutil.Factory, runF func(*authenticateOptions) error) *cobra.Command {
	opts := &authenticateOptions{f: f}
	cmd := &cobra.Command{
		Use:   "authenticate NAME",
		Short: "Verify a user's password (exit 0 right, 1 wrong)",
		Long: `Verify a user's password like Django's authenticate(), or htpasswd -v: exit 0
when the password is right and the user active and not locked out, 1 otherwise,
with the same message whatever was wrong. A correct password stored with an
outdated hasher or cost is re-hashed with the preferred one. Every attempt is
recorded in the audit log and counts toward the lockout.`,
		Example: `  authctl authenticate alice
  printf '%s\n' "$PW" | authctl authenticate alice --password-stdin -q`,
		Args: exactArgs(1, "one username"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Username = args[0]
			if runF != nil {
				return runF(opts)
			}
			return authenticateRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
	opts.Password.AddFlags(cmd)
	return cmd
}

func authenticateRun(cmd *cobra.Command, opts *authenticateOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	pw, err := opts.Password.ReadExisting(f, "Password: ")
	if err != nil {
		return err
	}
	svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	u, err := svc.Authenticate(ctx, opts.Username, pw)
	ok := err == nil
	if err != nil && !errors.Is(err, auth.ErrAuthFailed) {
		return err
	}
	if p.Format == output.JSON {
		v := struct {
			Username      string `json:"username"`
			Authenticated bool   `json:"authenticated"`
		}{opts.Username, ok}
		if err := output.WriteJSON(f.IO.Out, v); err != nil {
			return err
		}
		if !ok {
			return cmdutil.ErrDenied
		}
		return nil
	}
	if !ok {
		if p.Quiet {
			// The answer is the exit code, as with check -q.
			return cmdutil.ErrDenied
		}
		return err
	}
	say(f, p, "Authenticated %s", u.Username)
	return nil
}
