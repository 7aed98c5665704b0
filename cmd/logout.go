package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type logoutOptions struct {
	f *cmdutil.Factory
}

func newCmdLogout(f *cmdutil.Factory, runF func(*logoutOptions) error) *cobra.Command {
	opts := &logoutOptions{f: f}
	return &cobra.Command{
		Use:   "logout",
		Short: "End the current session",
		Long: `End the session in use ($AUTHCTL_SESSION, else the one the session file keeps
for this database) in the database, and forget it in the session file. The
sessions of other databases in the file stay.`,
		Example: `  authctl logout
  AUTHCTL_SESSION=$TOKEN authctl logout -o json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(cmd, opts)
		},
	}
}

func logoutRun(cmd *cobra.Command, opts *logoutOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	token, err := sessionToken(f)
	if err != nil {
		return err
	}
	ended := ""
	if token != "" {
		svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
		if err != nil {
			return err
		}
		sess, err := svc.Logout(ctx, token)
		if err != nil {
			return err
		}
		ended = sess.Username
	}
	fromFile := f.Env(sessionEnv) == ""
	if fromFile && token != "" {
		if err := setSession(cfg.Session.File, cfg.DB, ""); err != nil {
			return err
		}
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]any{"logged_out": ended != "", "username": ended})
	}
	switch {
	case token == "":
		say(f, p, "Not logged in")
	case ended == "" && fromFile:
		say(f, p, "The saved session had already ended (revoked, expired or ended by a password change); forgot it")
	case ended == "":
		say(f, p, "The session had already ended")
	default:
		say(f, p, "Logged out")
	}
	return nil
}
