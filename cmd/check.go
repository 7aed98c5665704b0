package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// Batch reads questions from File ("" or "-": standard input).
	Batch bool
	File  string
	// Module asks Django's has_module_perms for this app label.
	Module string
}

func newCmdCheck(f *cmdutil.Factory, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{f: f}
	cmd := &cobra.Command{
		Use:   "check PERM... [--user U] [--explain] | --batch [FILE|-] | --module APP",
		Short: "Check whether a user has permissions (exit 0 allowed, 1 denied)",
		Long: `Check whether a user has every one of the permissions (Django's has_perms), and
print "allowed" or "denied". The exit code carries the answer: 0 allowed, 1
denied, so scripts can write "if authctl check blog.add_post --user alice -q".

Django's rules apply: an inactive user has no permission; an active superuser
has every permission, even one that does not exist; otherwise a permission is
granted directly or through one of the user's groups. --explain says which,
for each permission. Without --user, the logged-in user (see "authctl login")
is checked; with no session the caller is anonymous and denied. A string that
is not app_label.codename is never granted (except to a superuser): check
warns about it on stderr.

--module APP asks Django's has_module_perms instead: whether the user has any
permission of the app.

--batch reads one question a line from FILE (or standard input), either
"USER PERM [PERM...]" or a JSON line {"user": "alice", "perms": ["blog.add_post"]},
and prints one answer a line in the same order: "USER PERM... allowed|denied",
or JSON lines with -o json. Blank lines and lines starting with # are skipped.
Every answer comes from one read of the database, so they are consistent.
Exit 0 when every answer is allowed, 1 when any is denied, 3 (after every
line is answered) when a user does not exist, 5 at the first malformed line.`,
		Example: `  authctl check blog.add_post --user alice
  authctl check blog.add_post blog.change_post --user alice --explain
  authctl check blog.publish -q --user alice && publish.sh
  authctl check --module blog --user alice
  printf 'alice blog.add_post\nbob blog.add_post blog.change_post\n' | authctl check --batch
  authctl check --batch questions.txt -o json --explain`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.setArgs(cmd, args); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			switch {
			case opts.Batch:
				return checkBatchRun(cmd, opts)
			case opts.Module != "":
				return checkModuleRun(cmd, opts)
			}
			return checkRun(cmd, opts)
		},
		ValidArgsFunction: completePerms(f),
	}
	cmd.Flags().StringVarP(&opts.User, "user", "u", "", "the `USER` to check (default: the logged-in user)")
	cmd.Flags().BoolVar(&opts.Explain, "explain", false, "say why each permission is allowed or denied")
	cmd.Flags().BoolVar(&opts.Batch, "batch", false, "answer one question a line from `FILE` or standard input")
	cmd.Flags().StringVar(&opts.Module, "module", "", "whether the user has any permission of `APP` (Django's has_module_perms)")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	return cmd
}

// setArgs takes the arguments of check's three forms: PERM..., --batch
// [FILE], --module APP (none).
func (opts *checkOptions) setArgs(cmd *cobra.Command, args []string) error {
	switch {
	case opts.Batch:
		if opts.Module != "" || opts.User != "" {
			return cmdutil.FlagErrorf("--batch reads users from its input: it takes no --user or --module")
		}
		if len(args) > 1 {
			return cmdutil.FlagErrorf("%s --batch takes at most one file (got %d arguments)", commandName(cmd), len(args))
		}
		if len(args) == 1 {
			opts.File = args[0]
		}
	case opts.Module != "":
		if len(args) > 0 {
			return cmdutil.FlagErrorf("%s --module takes no permissions (got %d arguments)", commandName(cmd), len(args))
		}
	case len(args) == 0:
		return cmdutil.FlagErrorf("%s takes at least one permission (app_label.codename)", commandName(cmd))
	default:
		opts.Perms = args
	}
	return nil
}

func checkRun(cmd *cobra.Command, opts *checkOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
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
	warnMalformed(f, "", d)
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
	return printReasons(f.IO.Out, d)
}

// warnMalformed says on stderr which permissions of d are not
// app_label.codename strings (where names the input line, if any).
func warnMalformed(f *cmdutil.Factory, where string, d auth.Decision) {
	for _, r := range d.Results {
		if r.Malformed {
			fmt.Fprintf(f.IO.ErrOut, "authctl: warning: %s%q is not a permission (want app_label.codename): only a superuser passes it\n", where, r.Perm)
		}
	}
}

// printReasons prints the --explain lines of d.
func printReasons(w io.Writer, d auth.Decision) error {
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
		if _, err := fmt.Fprintf(w, "  %s: %s for %s (%s)\n", output.Sanitize(r.Perm), verdict, who, reason); err != nil {
			return err
		}
	}
	return nil
}
