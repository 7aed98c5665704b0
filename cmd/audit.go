package cmd

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
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
record.`,
		Example: `  authctl audit list --since 24h
  authctl audit verify`,
	}
	cmd.AddCommand(newCmdAuditList(f, nil), newCmdAuditVerify(f, nil), newCmdAuditPrune(f, nil))
	return cmd
}

// auditActions are the actions the audit log records, for completion.
var auditActions = []string{
	"audit.prune", "auth.authenticate", "auth.login", "doctor.fix",
	"group.add-members", "group.create", "group.delete", "group.remove-members", "group.rename", "group.update",
	"perm.create", "perm.delete", "perm.grant", "perm.revoke", "perm.update",
	"session.end", "session.start",
	"user.create", "user.delete", "user.passwd", "user.rehash", "user.rename", "user.unlock", "user.update",
	"audit.", "auth.", "group.", "perm.", "session.", "user.",
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
