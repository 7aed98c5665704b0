package cmd

import (
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/store"
)

func newCmdSession(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "session <command>",
		RunE:  runParent,
		Short: "List and end login sessions",
		Long: `Sessions are started by "authctl login". The database keeps only a digest of
each token, so this lists sessions by a short ID, never by token. A session
ends on logout, expiry (session.age), revocation, a password change,
deactivation, or deletion of its user.`,
	}
	cmd.AddCommand(newCmdSessionList(f), newCmdSessionRevoke(f), newCmdSessionClearExpired(f))
	return cmd
}

type sessionView struct {
	ID       string    `json:"id"`
	Username string    `json:"username"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	Expired  bool      `json:"expired"`
}

func newCmdSessionList(f *cmdutil.Factory) *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:     "list [--user U]",
		Aliases: []string{"ls"},
		Short:   "List sessions (id, user, created, expires)",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
			if err != nil {
				return err
			}
			now := f.Now()
			view := func(s store.Session) sessionView {
				return sessionView{ID: s.ID, Username: s.Username, Created: s.Created, Expires: s.Expires, Expired: !now.Before(s.Expires)}
			}
			if p.Format == output.JSON {
				arr := output.NewJSONArray(f.IO.Out)
				if err := svc.ListSessions(ctx, user, func(s store.Session) error { return arr.Add(view(s)) }); err != nil {
					return err
				}
				return arr.Close()
			}
			t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "ID", "USER", "CREATED", "EXPIRES")
			if err := svc.ListSessions(ctx, user, func(s store.Session) error {
				exp := formatTime(&s.Expires)
				if view(s).Expired {
					exp += " (expired)"
				}
				return t.Row(s.ID, s.Username, formatTime(&s.Created), exp)
			}); err != nil {
				return err
			}
			return t.Flush()
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "only sessions of `USER`")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	return cmd
}

func newCmdSessionRevoke(f *cmdutil.Factory) *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   "revoke (ID... | --user U)",
		Short: "End sessions by ID, or every session of a user",
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0 && user == "":
				return cmdutil.FlagErrorf("give the session IDs to revoke, or --user USER")
			case len(args) > 0 && user != "":
				return cmdutil.FlagErrorf("give session IDs or --user, not both")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
			if err != nil {
				return err
			}
			if user != "" {
				n, err := svc.RevokeUserSessions(ctx, user)
				if err != nil {
					return err
				}
				say(f, p, "Revoked %d session(s) of %s", n, user)
				return nil
			}
			// The same ID twice is one session, not a missing one.
			var ids []string
			seen := map[string]bool{}
			for _, id := range args {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			if err := svc.RevokeSessions(ctx, ids); err != nil {
				return err
			}
			say(f, p, "Revoked %d session(s)", len(ids))
			return nil
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "revoke every session of `USER`")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	return cmd
}

func newCmdSessionClearExpired(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "clear-expired",
		Short: "Delete expired sessions (Django's clearsessions; run it from cron)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
			if err != nil {
				return err
			}
			n, err := svc.ClearExpired(ctx)
			if err != nil {
				return err
			}
			say(f, p, "Deleted %d expired session(s)", n)
			return nil
		},
	}
}
