package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
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
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	now := f.Now()
	if p.Format == output.JSON {
		arr := output.NewJSONArray(f.IO.Out)
		if err := svc.ListSessions(ctx, opts.User, func(s store.Session) error { return arr.Add(newSessionView(s, now)) }); err != nil {
			return err
		}
		return arr.Close()
	}
	t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "ID", "USER", "CREATED", "EXPIRES")
	n := 0
	if err := svc.ListSessions(ctx, opts.User, func(s store.Session) error {
		n++
		exp := formatTime(&s.Expires)
		if newSessionView(s, now).Expired {
			exp += " (expired)"
		}
		return t.Row(s.ID, s.Username, formatTime(&s.Created), exp)
	}); err != nil {
		return err
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if n == 0 && f.IO.IsStdoutTTY() {
		say(f, p, "No sessions.")
	}
	return nil
}
