package cmd

import (
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/store"
)

// auditListFormats are the -o values of audit list: jsonl too, for logs.
var auditListFormats = []output.Format{output.Table, output.JSON, output.JSONL}

type auditListOptions struct {
	f *cmdutil.Factory
	// Since is --since as given; the run function resolves it against the
	// clock.
	Since  string
	Filter auth.AuditFilter
}

func newCmdAuditList(f *cmdutil.Factory, runF func(*auditListOptions) error) *cobra.Command {
	opts := &auditListOptions{f: f}
	cmd := &cobra.Command{
		Use:     "list [--since WHEN] [--user USER] [--action ACTION] [--limit N]",
		Aliases: []string{"ls"},
		Short:   "List audit records, oldest first",
		Example: `  authctl audit list --since 24h --action auth.login
  authctl audit list --user alice -o jsonl | jq -c 'select(.result != "ok")'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Filter.Limit < 0 {
				return cmdutil.FlagErrorf("--limit must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return auditListRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Since, "since", "", "only records from `WHEN` on: a time (2026-01-02, RFC 3339) or a duration back from now (24h, 7d)")
	fl.StringVar(&opts.Filter.User, "user", "", "only records about `USER` (as target or logged-in user)")
	fl.StringVar(&opts.Filter.Action, "action", "", "only this `ACTION` (user.create, auth.login, ...), or a prefix ending in a dot (user.)")
	fl.IntVar(&opts.Filter.Limit, "limit", 0, "only the newest `N` records")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	_ = cmd.RegisterFlagCompletionFunc("action", cobra.FixedCompletions(auditActions, cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace))
	acceptsOutput(cmd, auditListFormats...)
	return cmd
}

func auditListRun(cmd *cobra.Command, opts *auditListOptions) error {
	f := opts.f
	p, err := outputSettings(f, auditListFormats...)
	if err != nil {
		return err
	}
	filter := opts.Filter
	if opts.Since != "" {
		if filter.Since, err = parseWhen(opts.Since, f.Now()); err != nil {
			return cmdutil.FlagErrorf("--since: %v", err)
		}
	}
	svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	return listing[store.AuditRecord]{
		header: []string{"SEQ", "TIME", "ACTION", "TARGET", "RESULT", "BY", "DETAIL"},
		row: func(r store.AuditRecord) []string {
			by := r.OSUser
			if r.SessionUser != "" {
				by += " as " + r.SessionUser
			}
			return []string{strconv.FormatUint(r.Seq, 10), r.Time.Local().Format(time.RFC3339), r.Action, r.Target, r.Result, by, r.Detail}
		},
		view:  func(r store.AuditRecord) any { return newAuditView(r) },
		empty: "No audit records.",
	}.print(f, p, func(fn func(store.AuditRecord) error) error { return svc.AuditList(ctx, filter, fn) })
}
