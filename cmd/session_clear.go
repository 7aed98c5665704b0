package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type sessionClearOptions struct {
	f *cmdutil.Factory
}

func newCmdSessionClearExpired(f *cmdutil.Factory, runF func(*sessionClearOptions) error) *cobra.Command {
	opts := &sessionClearOptions{f: f}
	return &cobra.Command{
		Use:   "clear-expired",
		Short: "Delete expired sessions (Django's clearsessions; run it from cron)",
		Example: `  authctl session clear-expired
  # crontab: every night at 03:17
  17 3 * * * authctl session clear-expired -q`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return sessionClearRun(cmd, opts)
		},
	}
}

func sessionClearRun(cmd *cobra.Command, opts *sessionClearOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	n, err := svc.ClearExpired(ctx)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]int{"deleted": n})
	}
	say(f, p, "Deleted %d expired session(s)", n)
	return nil
}
