package cmd

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/store"
)

func newCmdAudit(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit <command>",
		RunE:  runParent,
		Short: "Read, verify and prune the audit log",
		Long: `Every change and every authentication attempt appends one record to the audit
log, in the same transaction as the change: time, action, target, result, the
OS user running the command and the logged-in user. Never a password, hash or
token. Records are chained by an HMAC-SHA256 under a key kept outside the
database (audit_key), so "audit verify" detects an edited, inserted or deleted
record; see docs/audit.md.`,
	}
	cmd.AddCommand(newCmdAuditList(f), newCmdAuditVerify(f), newCmdAuditPrune(f))
	return cmd
}

// parseWhen reads a time as RFC 3339, a date (YYYY-MM-DD, local), or a
// duration back from now ("24h", "7d").
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if len(s) > 1 && s[len(s)-1] == 'd' {
		if days, err := strconv.Atoi(s[:len(s)-1]); err == nil && days >= 0 {
			return now.Add(-time.Duration(days) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a time (2026-01-02, 2026-01-02T15:04:05Z) nor a duration (90m, 24h, 7d)", s)
}

type auditView struct {
	Seq         uint64    `json:"seq"`
	Time        time.Time `json:"time"`
	Action      string    `json:"action"`
	Target      string    `json:"target"`
	Result      string    `json:"result"`
	OSUser      string    `json:"os_user"`
	SessionUser string    `json:"session_user"`
	Detail      string    `json:"detail"`
	Hash        string    `json:"hash"`
}

func newAuditView(r store.AuditRecord) auditView {
	return auditView{r.Seq, r.Time, r.Action, r.Target, r.Result, r.OSUser, r.SessionUser, r.Detail, r.Hash}
}

func newCmdAuditList(f *cmdutil.Factory) *cobra.Command {
	var since string
	var filter auth.AuditFilter
	cmd := &cobra.Command{
		Use:     "list [--since DURATION|TIME] [--user U] [--action A] [--limit N]",
		Aliases: []string{"ls"},
		Short:   "List audit records, oldest first",
		Example: `  authctl audit list --since 24h --action auth.login
  authctl audit list --user alice -o jsonl | jq -c 'select(.result != "ok")'`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := outputSettings(f, output.Table, output.JSON, output.JSONL)
			if err != nil {
				return err
			}
			if since != "" {
				if filter.Since, err = parseWhen(since, f.Now()); err != nil {
					return cmdutil.FlagErrorf("--since: %v", err)
				}
			}
			if filter.Limit < 0 {
				return cmdutil.FlagErrorf("--limit must not be negative")
			}
			svc, ctx, err := serviceFor(cmd, f, cmdutil.ReadOnly)
			if err != nil {
				return err
			}
			switch p.Format {
			case output.JSON:
				arr := output.NewJSONArray(f.IO.Out)
				if err := svc.AuditList(ctx, filter, func(r store.AuditRecord) error { return arr.Add(newAuditView(r)) }); err != nil {
					return err
				}
				return arr.Close()
			case output.JSONL:
				return svc.AuditList(ctx, filter, func(r store.AuditRecord) error { return output.WriteJSONLine(f.IO.Out, newAuditView(r)) })
			}
			t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "SEQ", "TIME", "ACTION", "TARGET", "RESULT", "BY", "DETAIL")
			if err := svc.AuditList(ctx, filter, func(r store.AuditRecord) error {
				by := r.OSUser
				if r.SessionUser != "" {
					by += " as " + r.SessionUser
				}
				return t.Row(strconv.FormatUint(r.Seq, 10), r.Time.Local().Format(time.RFC3339), r.Action, r.Target, r.Result, by, r.Detail)
			}); err != nil {
				return err
			}
			return t.Flush()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&since, "since", "", "only records from `WHEN` on: a time (2026-01-02, RFC 3339) or a duration back from now (24h, 7d)")
	fl.StringVar(&filter.User, "user", "", "only records about `USER` (as target or logged-in user)")
	fl.StringVar(&filter.Action, "action", "", "only this `ACTION` (user.create, auth.login, ...), or a prefix ending in a dot (user.)")
	fl.IntVar(&filter.Limit, "limit", 0, "only the newest `N` records")
	return cmd
}

func newCmdAuditVerify(f *cmdutil.Factory) *cobra.Command {
	var head string
	cmd := &cobra.Command{
		Use:   "verify [--head SEQ:HASH]",
		Short: "Check the audit log's keyed hash chain (exit 0 intact, 5 tampered)",
		Long: `Walk the audit log's chain and check every record's MAC under the audit key,
the sequence numbers, and the stored head, so that an edited, inserted, moved
or missing record (middle, start or end) is found. Needs read access to the
audit key (audit_key, default the database path + ".audit-key").

-o json prints the head ("SEQ:HASH" of the newest record). Keep it somewhere
the database's holders cannot write; later, --head SEQ:HASH fails (exit 5)
unless the log still holds that very record, which shows a log cut back or
rewritten by someone holding both the database and the key.`,
		Example: `  authctl audit verify -o json | jq -r .head > /srv/audit-heads/$(date +%F)
  authctl audit verify --head "$(cat /srv/audit-heads/2026-01-02)"`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts auth.AuditVerifyOptions
			if head != "" {
				h, err := auth.ParseAuditHead(head)
				if err != nil {
					return cmdutil.FlagErrorf("--head: %v", err)
				}
				opts.Head = &h
			}
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
			if err != nil {
				return err
			}
			res, err := svc.AuditVerify(ctx, opts)
			var broken *auth.AuditVerifyError
			if err != nil && !errors.As(err, &broken) {
				return err
			}
			if p.Format == output.JSON {
				v := struct {
					Intact  bool   `json:"intact"`
					Records int    `json:"records"`
					Keyed   int    `json:"keyed"`
					Head    string `json:"head,omitempty"`
					Seq     uint64 `json:"broken_at,omitempty"`
					Reason  string `json:"reason,omitempty"`
				}{Intact: broken == nil, Records: res.Records, Keyed: res.Keyed}
				if broken != nil {
					v.Seq, v.Reason = broken.Seq, broken.Reason
				} else if res.Head.Seq > 0 {
					v.Head = res.Head.String()
				}
				if err := output.WriteJSON(f.IO.Out, v); err != nil {
					return err
				}
			}
			if broken != nil {
				return &auth.InvalidError{Problems: []error{broken}}
			}
			if !p.Quiet && p.Format != output.JSON {
				fmt.Fprintf(f.IO.Out, "audit log intact: %d records\n", res.Records)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&head, "head", "", "also require the record of a head exported earlier by -o json (`SEQ:HASH`)")
	return cmd
}

func newCmdAuditPrune(f *cmdutil.Factory) *cobra.Command {
	var before string
	cmd := &cobra.Command{
		Use:   "prune --before TIME",
		Short: "Delete audit records older than a time, keeping the chain verifiable",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if before == "" {
				return cmdutil.FlagErrorf("--before is required")
			}
			t, err := parseWhen(before, f.Now())
			if err != nil {
				return cmdutil.FlagErrorf("--before: %v", err)
			}
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
			if err != nil {
				return err
			}
			n, err := svc.AuditPrune(ctx, t)
			if err != nil {
				return err
			}
			say(f, p, "Pruned %d audit record(s)", n)
			return nil
		},
	}
	cmd.Flags().StringVar(&before, "before", "", "delete records older than `WHEN`: a time or a duration back from now (90d)")
	return cmd
}
