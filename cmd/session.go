package cmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/store"
)

func newCmdSession(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "session <command>",
		RunE:  runParent,
		Short: "List and end login sessions",
		Example: `  authctl session list --user alice
  authctl session revoke --user alice`,
		Long: `Sessions are started by "authctl login". The database keeps only a digest of
each token, so this lists sessions by a short ID, never by token. A session
ends on logout, expiry (session.age), revocation, a password change,
deactivation, or deletion of its user.`,
	}
	cmd.AddCommand(newCmdSessionList(f, nil), newCmdSessionRevoke(f, nil), newCmdSessionClearExpired(f, nil))
	return cmd
}

type sessionView struct {
	ID       string    `json:"id"`
	Username string    `json:"username"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	Expired  bool      `json:"expired"`
}

func newSessionView(s store.Session, now time.Time) sessionView {
	return sessionView{ID: s.ID, Username: s.Username, Created: s.Created, Expires: s.Expires, Expired: !now.Before(s.Expires)}
}

// completeSessions completes session IDs (of the user given with --user,
// when there is one).
func completeSessions(f *cmdutil.Factory) completer {
	return completeFrom(f, func(ctx context.Context, svc *auth.Service, prefix string) ([]string, error) {
		var ids []string
		err := svc.ListSessions(ctx, "", func(s store.Session) error {
			if strings.HasPrefix(s.ID, prefix) && len(ids) < completionLimit {
				ids = append(ids, s.ID+"\t"+s.Username)
			}
			return nil
		})
		return ids, err
	})
}
