package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
)

func TestNewCmdAuditVerbs(t *testing.T) {
	for _, tt := range []struct {
		argv    string
		want    any
		wantErr string
	}{
		{argv: "audit list --since 24h --user alice --action user. --limit 5", want: auditListOptions{Since: "24h", Filter: auth.AuditFilter{User: "alice", Action: "user.", Limit: 5}}},
		{argv: "audit list --limit -1", wantErr: "--limit must not be negative"},
		{argv: "audit verify --head 3:abc", want: auditVerifyOptions{Head: "3:abc"}},
		{argv: "audit verify x", wantErr: "audit verify takes no arguments (got 1 argument(s))"},
		{argv: "audit prune --before 90d", want: auditPruneOptions{Before: "90d"}},
		{argv: "audit prune", wantErr: "--before is required"},
	} {
		t.Run(tt.argv, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			var cmd *cobra.Command
			switch strings.Fields(tt.argv)[1] {
			case "list":
				cmd = newCmdAuditList(tf.Factory, func(o *auditListOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "verify":
				cmd = newCmdAuditVerify(tf.Factory, func(o *auditVerifyOptions) error { c := *o; c.f = nil; got = c; return nil })
			case "prune":
				cmd = newCmdAuditPrune(tf.Factory, func(o *auditPruneOptions) error { c := *o; c.f = nil; got = c; return nil })
			}
			tf.checkParse(t, []string{"audit"}, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

func TestAuditRuns(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "group add editors")
	runCases(t, e, []runCase{
		{name: "list, bad --since", args: []string{"audit", "list", "--since", "soon"}, wantCode: 2,
			wantStderr: "authctl: --since: \"soon\" is neither a time (2026-01-02, 2026-01-02T15:04:05Z) nor a duration (90m, 24h, 7d)\nRun 'authctl audit list --help' for usage.\n"},
		{name: "nothing on a terminal", args: []string{"audit", "list", "--action", "perm."}, tty: true, wantStderr: "No audit records.\n"},
		{name: "verify", args: []string{"audit", "verify"}, wantStdout: "audit log intact: 2 records\n"},
		{name: "verify, bad head", args: []string{"audit", "verify", "--head", "x"}, wantCode: 2,
			wantStderr: "authctl: --head: head \"x\" is not SEQ:HASH (as \"audit verify -o json\" prints it)\nRun 'authctl audit verify --help' for usage.\n"},
		{name: "prune none, json", args: []string{"audit", "prune", "--before", "2000-01-01", "-o", "json"}, wantStdout: "{\n  \"pruned\": 0\n}\n"},
	})
}

func TestAuditListFormats(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password", "group add editors")
	code, out, _ := e.exec("audit", "list", "--action", "group.")
	if code != 0 || !strings.HasPrefix(out, "2\t2024-05-17T09:30:00Z\tgroup.create\teditors\tok\t") || strings.Count(out, "\n") != 1 {
		t.Errorf("audit list --action group.: exit %d, %q", code, out)
	}
	code, out, _ = e.exec("audit", "list", "--user", "alice", "-o", "jsonl")
	if code != 0 || !strings.HasPrefix(out, `{"seq":1,"time":"2024-05-17T09:30:00Z","action":"user.create","target":"alice","result":"ok",`) {
		t.Errorf("audit list -o jsonl: exit %d, %q", code, out)
	}
	code, out, _ = e.exec("audit", "list", "--limit", "1", "-o", "json")
	if code != 0 || !strings.Contains(out, `"action":"group.create"`) || strings.Contains(out, "user.create") {
		t.Errorf("audit list --limit 1: exit %d, %q", code, out)
	}
}
