package cmd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/store"
)

type whoamiOptions struct {
	f *cmdutil.Factory
}

func newCmdWhoami(f *cmdutil.Factory, runF func(*whoamiOptions) error) *cobra.Command {
	opts := &whoamiOptions{f: f}
	return &cobra.Command{
		Use:   "whoami",
		Short: "Print the logged-in user (exit 1 and \"anonymous\" when none)",
		Long: `Print the user of the session in use ($AUTHCTL_SESSION, else the one the
session file keeps for this database). Without one, print "anonymous" and exit
1. A saved session that has ended (revoked, expired, or ended by a password
change) is said so on stderr and forgotten.`,
		Example: `  authctl whoami
  authctl whoami -q && echo "logged in"`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return whoamiRun(cmd, opts)
		},
	}
}

type whoamiView struct {
	Username    string     `json:"username"`
	Anonymous   bool       `json:"anonymous"`
	SessionID   string     `json:"session_id,omitempty"`
	Expires     *time.Time `json:"expires,omitempty"`
	IsSuperuser bool       `json:"is_superuser"`
}

func whoamiRun(cmd *cobra.Command, opts *whoamiOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	token, err := sessionToken(f)
	if err != nil {
		return err
	}
	fromFile := f.Env(sessionEnv) == ""
	v := whoamiView{Anonymous: true}
	if token != "" {
		svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
		if err != nil {
			return err
		}
		sess, u, err := svc.Whoami(ctx, token)
		switch {
		case err == nil:
			v = whoamiView{Username: u.Username, SessionID: sess.ID, Expires: &sess.Expires, IsSuperuser: u.IsSuperuser}
		case errors.Is(err, auth.ErrNotLoggedIn) && fromFile:
			if err := forgetSession(f); err != nil {
				return err
			}
			say(f, p, "authctl: the saved session has ended (revoked, expired, or ended by a password change); forgot it")
		case errors.Is(err, auth.ErrNotLoggedIn), errors.Is(err, store.ErrNoDatabase):
			// No such session, or no database for it to be in.
		default:
			return err
		}
	} else if fromFile {
		if note := otherDatabasesNote(f); note != "" {
			say(f, p, "%s", note)
		}
	}
	switch {
	case p.Format == output.JSON:
		if err := output.WriteJSON(f.IO.Out, v); err != nil {
			return err
		}
	case p.Quiet:
	case v.Anonymous:
		fmt.Fprintln(f.IO.Out, "anonymous")
	default:
		fmt.Fprintln(f.IO.Out, v.Username)
	}
	if v.Anonymous {
		return cmdutil.ErrDenied
	}
	return nil
}

func forgetSession(f *cmdutil.Factory) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	return setSession(cfg.Session.File, cfg.DB, "")
}

// otherDatabasesNote says, when the session file holds sessions of other
// databases only, which ones: a login there does not count here.
func otherDatabasesNote(f *cmdutil.Factory) string {
	cfg, err := f.Config()
	if err != nil {
		return ""
	}
	_, others, err := savedSession(cfg.Session.File, cfg.DB)
	if err != nil || len(others) == 0 {
		return ""
	}
	return "authctl: not logged in to this database (the saved session is for " + strings.Join(others, ", ") + ")"
}
