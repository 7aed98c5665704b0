package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type loginOptions struct {
	f          *cmdutil.Factory
	Username   string
	Password   cmdutil.PasswordSource
	PrintToken bool
}

func newCmdLogin(f *cmdutil.Factory, runF func(*loginOptions) error) *cobra.Command {
	opts := &loginOptions{f: f}
	cmd := &cobra.Command{
		Use:   "login [NAME]",
		Short: "Log in and start a session",
		Long: `Log in: check the password (asked for with echo off, or from a password flag),
start a session and save its token in the session file (session.file, default
$XDG_STATE_HOME/authctl/session, mode 0600), so that later commands such as
"check" and "whoami" run as you. --print-token prints the token on stdout
instead of saving it; set AUTHCTL_SESSION to it to use that session.

A failed login says "invalid username or password" whatever was wrong, and
exits 1; too many failures lock the account for a while (lockout.*).`,
		Example: `  authctl login alice
  export AUTHCTL_SESSION=$(authctl login alice --password-stdin --print-token < pw.txt)`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Username = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return loginRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completeUsers(f)),
	}
	opts.Password.AddFlags(cmd)
	cmd.Flags().BoolVar(&opts.PrintToken, "print-token", false, "print the session token on stdout instead of saving it")
	acceptsOutput(cmd, output.Table)
	return cmd
}

func loginRun(cmd *cobra.Command, opts *loginOptions) error {
	f := opts.f
	p, err := outputSettings(f, output.Table)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if err := sessionFileSafety(f, cfg); err != nil {
		return err
	}
	if opts.Username == "" {
		pr, err := f.IO.Prompter()
		if err != nil {
			return cmdutil.FlagErrorf("no terminal to ask for a username on: give it as an argument")
		}
		if opts.Username, err = pr.Line("Username: "); err != nil {
			return err
		}
		opts.Username = strings.TrimSpace(opts.Username)
	}
	pw, err := opts.Password.ReadExisting(f, "Password: ")
	if err != nil {
		return err
	}
	svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	res, err := svc.Login(ctx, opts.Username, pw)
	if err != nil {
		return err
	}
	if opts.PrintToken {
		if _, err := fmt.Fprintln(f.IO.Out, res.Token); err != nil {
			return err
		}
		say(f, p, "Logged in as %s", res.User.Username)
		return nil
	}
	// The saved session being replaced ends, as Django's login flushes or
	// cycles the previous session: otherwise it would stay valid in the
	// database with nobody holding its token.
	previous, _, err := savedSession(cfg.Session.File, cfg.DB)
	if err != nil {
		return err
	}
	if err := setSession(cfg.Session.File, cfg.DB, res.Token); err != nil {
		return err
	}
	if previous != "" && previous != res.Token {
		if _, err := svc.Logout(ctx, previous); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "authctl: warning: the previous session did not end: %v\n", err)
		}
	}
	say(f, p, "Logged in as %s", res.User.Username)
	return nil
}
