package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/store"
)

func newCmdPerm(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "perm <command>",
		RunE:  runParent,
		Short: "Create permissions and grant them to users and groups",
		Long: `Permissions are named app_label.codename (lower-case letters, digits and _; the
app label starts with a letter), with a human name such as "Can eat ice cream".
A permission must exist before it is granted; "perm grant --create" creates it
on the way.`,
	}
	cmd.AddCommand(
		newCmdPermCreate(f),
		newCmdPermDelete(f),
		newCmdPermList(f),
		newCmdPermShow(f, nil),
		newCmdPermGrant(f, true),
		newCmdPermGrant(f, false),
	)
	return cmd
}

func newCmdPermCreate(f *cmdutil.Factory) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "create APP.CODENAME",
		Short:   "Create a permission",
		Example: `  authctl perm create treats.eat_ice_cream --name "Can eat ice cream"`,
		Args:    exactArgs(1, "one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadWrite)
			if err != nil {
				return err
			}
			perm, err := svc.CreatePermission(ctx, args[0], name)
			if err != nil {
				return err
			}
			if p.Format == output.JSON {
				return output.WriteJSON(f.IO.Out, permView{Permission: perm.Perm, Name: perm.Name})
			}
			say(f, p, "Created permission %s (%s)", perm.Perm, perm.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "human-readable `TEXT` (default: from the codename, \"Can eat ice cream\")")
	return cmd
}

func newCmdPermDelete(f *cmdutil.Factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete APP.CODENAME",
		Aliases: []string{"rm"},
		Short:   "Delete a permission and revoke it from everyone",
		Args:    exactArgs(1, "one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes && !f.IO.CanPrompt() {
				return cmdutil.FlagErrorf("--yes is required to delete without a terminal to confirm on")
			}
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
			if err != nil {
				return err
			}
			if !yes {
				if err := confirm(f, fmt.Sprintf("Delete permission %s and revoke it from every user and group? [y/N]: ", args[0])); err != nil {
					return err
				}
			}
			if err := svc.DeletePermission(ctx, args[0]); err != nil {
				return err
			}
			say(f, p, "Deleted permission %s", args[0])
			return nil
		},
		ValidArgsFunction: firstArg(completePerms(f)),
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

func newCmdPermList(f *cmdutil.Factory) *cobra.Command {
	var app string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List permissions",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
			if err != nil {
				return err
			}
			if p.Format == output.JSON {
				arr := output.NewJSONArray(f.IO.Out)
				if err := svc.ListPermissions(ctx, app, func(pm store.Permission) error {
					return arr.Add(permView{Permission: pm.Perm, Name: pm.Name})
				}); err != nil {
					return err
				}
				return arr.Close()
			}
			t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "PERMISSION", "NAME")
			if err := svc.ListPermissions(ctx, app, func(pm store.Permission) error { return t.Row(pm.Perm, pm.Name) }); err != nil {
				return err
			}
			return t.Flush()
		},
	}
	cmd.Flags().StringVar(&app, "app", "", "only permissions of app label `APP`")
	return cmd
}

// newCmdPermGrant builds grant or revoke.
func newCmdPermGrant(f *cmdutil.Factory, grant bool) *cobra.Command {
	var (
		to     auth.Grantee
		create bool
	)
	use, short := "grant PERM... (--user U | --group G)", "Grant permissions to a user or a group"
	if !grant {
		use, short = "revoke PERM... (--user U | --group G)", "Revoke permissions from a user or a group"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  short + ". All or nothing: if one permission is unknown, nothing changes.",
		Example: `  authctl perm grant treats.eat_ice_cream --group awesome_users --create
  authctl perm revoke blog.delete_post --user alice`,
		Args: minArgs(1, "at least one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (to.User == "") == (to.Group == "") {
				return cmdutil.FlagErrorf("give exactly one of --user and --group")
			}
			p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly, output.Table)
			if err != nil {
				return err
			}
			var done []string
			if grant {
				done, err = svc.Grant(ctx, to, args, create)
			} else {
				done, err = svc.Revoke(ctx, to, args)
			}
			var nf *auth.NotFoundError
			if grant && errors.As(err, &nf) && nf.Kind == "permission" {
				return fmt.Errorf("%w (create it with \"authctl perm create %s\", or grant with --create)", err, nf.Name)
			}
			if err != nil {
				return err
			}
			switch {
			case len(done) == 0:
				say(f, p, "Nothing to change for %s", to)
			case grant:
				say(f, p, "Granted %s to %s", strings.Join(done, ", "), to)
			default:
				say(f, p, "Revoked %s from %s", strings.Join(done, ", "), to)
			}
			return nil
		},
		ValidArgsFunction: completePerms(f),
	}
	cmd.Flags().StringVar(&to.User, "user", "", "the `USER` to change")
	cmd.Flags().StringVar(&to.Group, "group", "", "the `GROUP` to change")
	if grant {
		cmd.Flags().BoolVar(&create, "create", false, "create permissions that do not exist yet")
	}
	cmd.MarkFlagsMutuallyExclusive("user", "group")
	_ = cmd.RegisterFlagCompletionFunc("user", completeUsers(f))
	_ = cmd.RegisterFlagCompletionFunc("group", completeGroups(f))
	return cmd
}
