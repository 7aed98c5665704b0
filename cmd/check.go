package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type checkOptions struct {
	f       *cmdutil.Factory
	Perms   []string
	User    string
	Explain bool
}

func newCmdCheck(f *cmdutil.Factory, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{f: f}
	cmd := &cobra.Command{
		Use:   "check PERM... [--user U] [--explain]",
		Short: "Check whether a user has permissions (exit 0 allowed, 1 denied)",
		Long: `Check whether a user has every one of the permissions (Django's has_perms), and
print "allowed" or "denied". The exit code carries the answer: 0 allowed, 1
denied, so scripts can write "if authctl check blog.add_post --user alice -q".

Django's rules apply: an inactive user has no permission; an active superuser
has every permission, even one that does not exist; otherwise a permission is
granted directly or through one of the user's groups. --explain says which,
for each permission. Without --user, the logged-in user (see "authctl login")
is checked; with no session the caller is anonymous and denied.`,
		Example: `  authctl check blog.add_post --user alice
  authctl check blog.add_post blog.change_post --user alice --explain
  authctl check blog.publish -q --user alice && publish.sh`,
		Args: minArgs(1, "at least one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Perms = args
			if runF != nil {
				return runF(opts)
			}
			return checkRun(cmd, opts)
		},
		ValidArgsFunction: completePerms(f),
	}
	cmd.Flags().StringVarP(&opts.User, "user", "u", "", "the `USER` to check (default: the logged-in user)")
	cmd.Flags().BoolVar(&opts.Explain, "explain", false, "say why each permission is allowed or denied")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	return cmd
}

func checkRun(cmd *cobra.Command, opts *checkOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	var d auth.Decision
	if opts.User != "" {
		d, err = svc.Check(ctx, opts.User, opts.Perms, opts.Explain)
	} else {
		d, err = checkSessionUser(ctx, f, svc, opts)
	}
	if err != nil {
		return err
	}
	// -q silences the human answer; JSON asked for is always printed.
	if !p.Quiet || p.Format == output.JSON {
		if err := printDecision(f, p, d, opts.Explain); err != nil {
			return err
		}
	}
	if !d.Allowed {
		return cmdutil.ErrDenied
	}
	return nil
}

// checkSessionUser checks the logged-in user, or the anonymous user when
// there is no valid session.
func checkSessionUser(ctx context.Context, f *cmdutil.Factory, svc *auth.Service, opts *checkOptions) (auth.Decision, error) {
	token, err := sessionToken(f)
	if err != nil {
		return auth.Decision{}, err
	}
	_, u, err := svc.Whoami(ctx, token)
	if errors.Is(err, auth.ErrNotLoggedIn) {
		return auth.Anonymous(opts.Perms), nil
	}
	if err != nil {
		return auth.Decision{}, err
	}
	return svc.Check(ctx, u.Username, opts.Perms, opts.Explain)
}

func printDecision(f *cmdutil.Factory, p printing, d auth.Decision, explain bool) error {
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, d)
	}
	answer := "denied"
	if d.Allowed {
		answer = "allowed"
	}
	if _, err := fmt.Fprintln(f.IO.Out, answer); err != nil {
		return err
	}
	if !explain {
		return nil
	}
	who := d.User
	if who == "" {
		who = "anonymous"
	}
	for _, r := range d.Results {
		verdict := "denied"
		if r.Allowed {
			verdict = "allowed"
		}
		reason := r.Reason
		if len(r.Groups) > 0 {
			reason = "via group " + strings.Join(r.Groups, ", ")
			if r.Reason == auth.ReasonDirect {
				reason = auth.ReasonDirect + "; also " + reason
			}
		}
		if _, err := fmt.Fprintf(f.IO.Out, "  %s: %s for %s (%s)\n", r.Perm, verdict, who, reason); err != nil {
			return err
		}
	}
	return nil
}
