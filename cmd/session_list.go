package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/store"
)

type sessionListOptions struct {
	f    *cmdutil.Factory
	User string
}

func newCmdSessionList(f *cmdutil.Factory, runF func(*sessionListOptions) error) *cobra.Command {
	opts := &sessionListOptions{f: f}
	cmd := &cobra.Command{
		Use:     "list [--user USER]",
		Aliases: []string{"ls"},
		Short:   "List sessions (id, user, created, expires)",
		Example: `  authctl session list
  authctl session list --user alice -o json | jq -r '.[] | select(.expired | not) | .id'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return sessionListRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "only sessions of `USER`")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	return cmd
}

func sessionListRun(cmd *cobra.Command, opts *sessionListOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	now := f.Now()
	return listing[store.Session]{
		header: []string{"ID", "USER", "CREATED", "EXPIRES"},
		row: func(s store.Session) []string {
			exp := formatTime(&s.Expires)
			if newSessionView(s, now).Expired {
				exp += " (expired)"
			}
			return []string{s.ID, s.Username, formatTime(&s.Created), exp}
		},
		view:  func(s store.Session) any { return newSessionView(s, now) },
		empty: "No sessions.",
	}.print(f, p, func(fn func(store.Session) error) error { return svc.ListSessions(ctx, opts.User, fn) })
}
