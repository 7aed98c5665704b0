package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type sessionRevokeOptions struct {
	f   *cmdutil.Factory
	IDs []string
	// User, when set, revokes every session of that user instead.
	User string
}

func newCmdSessionRevoke(f *cmdutil.Factory, runF func(*sessionRevokeOptions) error) *cobra.Command {
	opts := &sessionRevokeOptions{f: f}
	cmd := &cobra.Command{
		Use:   "revoke (ID... | --user USER)",
		Short: "End sessions by ID, or every session of a user",
		Example: `  authctl session revoke 3f9a0c1d2e4b
  authctl session revoke --user alice`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0 && opts.User == "":
				return cmdutil.FlagErrorf("give the session IDs to revoke, or --user USER")
			case len(args) > 0 && opts.User != "":
				return cmdutil.FlagErrorf("give session IDs or --user, not both")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			// The same ID twice is one session, not a missing one.
			seen := map[string]bool{}
			opts.IDs = nil
			for _, id := range args {
				if !seen[id] {
					seen[id] = true
					opts.IDs = append(opts.IDs, id)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return sessionRevokeRun(cmd, opts)
		},
		ValidArgsFunction: completeSessions(f),
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "revoke every session of `USER`")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	return cmd
}

func sessionRevokeRun(cmd *cobra.Command, opts *sessionRevokeOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	n := len(opts.IDs)
	if opts.User != "" {
		if n, err = svc.RevokeUserSessions(ctx, opts.User); err != nil {
			return err
		}
	} else if err := svc.RevokeSessions(ctx, opts.IDs); err != nil {
		return err
	}
	if p.Format == output.JSON {
		out := map[string]any{"revoked": n}
		if opts.User != "" {
			out["user"] = opts.User
		} else {
			out["ids"] = opts.IDs
		}
		return output.WriteJSON(f.IO.Out, out)
	}
	if opts.User != "" {
		say(f, p, "Revoked %d session(s) of %s", n, opts.User)
	} else {
		say(f, p, "Revoked %d session(s)", n)
	}
	return nil
}
