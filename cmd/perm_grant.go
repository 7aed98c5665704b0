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

// permGrantOptions is what grant and revoke take.
type permGrantOptions struct {
	f     *cmdutil.Factory
	Perms []string
	To    auth.Grantee
	// Create (grant only) creates permissions that do not exist yet.
	Create bool
}

func newCmdPermGrant(f *cmdutil.Factory, runF func(*permGrantOptions) error) *cobra.Command {
	opts := &permGrantOptions{f: f}
	cmd := &cobra.Command{
		Use:   "grant PERM... (--user USER | --group GROUP)",
		Short: "Grant permissions to a user or a group",
		Long:  "Grant permissions to a user or a group. All or nothing: if one permission is unknown, nothing changes.",
		Example: `  authctl perm grant treats.eat_ice_cream --group awesome_users --create
  authctl perm grant blog.add_post blog.change_post --user alice`,
		Args: minArgs(1, "at least one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Perms = args
			if err := checkGrantee(opts.To); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return permGrantRun(cmd, opts)
		},
		ValidArgsFunction: completePerms(f),
	}
	addGranteeFlags(cmd, f, &opts.To)
	cmd.Flags().BoolVar(&opts.Create, "create", false, "create permissions that do not exist yet")
	return cmd
}

func newCmdPermRevoke(f *cmdutil.Factory, runF func(*permGrantOptions) error) *cobra.Command {
	opts := &permGrantOptions{f: f}
	cmd := &cobra.Command{
		Use:     "revoke PERM... (--user USER | --group GROUP)",
		Short:   "Revoke permissions from a user or a group",
		Long:    "Revoke permissions from a user or a group. All or nothing: if one permission is unknown, nothing changes.",
		Example: `  authctl perm revoke blog.delete_post --user alice`,
		Args:    minArgs(1, "at least one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Perms = args
			if err := checkGrantee(opts.To); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return permRevokeRun(cmd, opts)
		},
		ValidArgsFunction: completeHeld(f, &opts.To),
	}
	addGranteeFlags(cmd, f, &opts.To)
	return cmd
}

func addGranteeFlags(cmd *cobra.Command, f *cmdutil.Factory, to *auth.Grantee) {
	cmd.Flags().StringVar(&to.User, "user", "", "the `USER` to change")
	cmd.Flags().StringVar(&to.Group, "group", "", "the `GROUP` to change")
	cmd.MarkFlagsMutuallyExclusive("user", "group")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	_ = cmd.RegisterFlagCompletionFunc("group", completeGroups(f))
}

func checkGrantee(to auth.Grantee) error {
	if (to.User == "") == (to.Group == "") {
		return cmdutil.FlagErrorf("give exactly one of --user and --group")
	}
	return nil
}

func permGrantRun(cmd *cobra.Command, opts *permGrantOptions) error {
	p, svc, ctx, err := begin(cmd, opts.f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	done, err := svc.Grant(ctx, opts.To, opts.Perms, opts.Create)
	var nf *auth.NotFoundError
	if errors.As(err, &nf) && nf.Kind == "permission" {
		return fmt.Errorf("%w (create it with \"authctl perm create %s\", or grant with --create)", err, nf.Name)
	}
	if err != nil {
		return err
	}
	return reportGrants(opts, p, "granted", "Granted %s to %s", done)
}

func permRevokeRun(cmd *cobra.Command, opts *permGrantOptions) error {
	p, svc, ctx, err := begin(cmd, opts.f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	done, err := svc.Revoke(ctx, opts.To, opts.Perms)
	if err != nil {
		return err
	}
	return reportGrants(opts, p, "revoked", "Revoked %s from %s", done)
}

func reportGrants(opts *permGrantOptions, p printing, key, message string, done []string) error {
	f := opts.f
	if p.Format == output.JSON {
		out := map[string]any{key: nonNil(done)}
		if opts.To.User != "" {
			out["user"] = opts.To.User
		} else {
			out["group"] = opts.To.Group
		}
		return output.WriteJSON(f.IO.Out, out)
	}
	if len(done) == 0 {
		say(f, p, "Nothing to change for %s", opts.To)
		return nil
	}
	say(f, p, message, strings.Join(done, ", "), opts.To)
	return nil
}

// completeHeld completes, for revoke, only the permissions granted
// directly to the --user or --group given so far; without either, every
// permission.
func completeHeld(f *cmdutil.Factory, to *auth.Grantee) completer {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if to.User == "" && to.Group == "" {
			return completePerms(f)(cmd, args, toComplete)
		}
		return completeFrom(f, func(ctx context.Context, svc *auth.Service, prefix string) ([]string, error) {
			var held []string
			if to.User != "" {
				info, err := svc.GetUser(ctx, to.User)
				if err != nil {
					return nil, err
				}
				held = info.User.Permissions
			} else {
				info, err := svc.GetGroup(ctx, to.Group)
				if err != nil {
					return nil, err
				}
				held = info.Group.Permissions
			}
			var out []string
			for _, p := range held {
				if strings.HasPrefix(p, prefix) {
					out = append(out, p)
				}
			}
			return out, nil
		})(cmd, args, toComplete)
	}
}
