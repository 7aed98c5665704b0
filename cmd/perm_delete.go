package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type permDeleteOptions struct {
	f    *cmdutil.Factory
	Perm string
	Yes  bool
}

func newCmdPermDelete(f *cmdutil.Factory, runF func(*permDeleteOptions) error) *cobra.Command {
	opts := &permDeleteOptions{f: f}
	cmd := &cobra.Command{
		Use:     "delete APP.CODENAME",
		Aliases: []string{"rm"},
		Short:   "Delete a permission and revoke it from everyone",
		Long: `Delete a permission and revoke it from every user and group, in one
transaction. At a terminal it asks to confirm; without one, --yes is required.`,
		Example: `  authctl perm delete blog.legacy_export
  authctl perm rm blog.legacy_export --yes`,
		Args: exactArgs(1, "one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Perm = args[0]
			if err := requireYes(f, opts.Yes); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return permDeleteRun(cmd, opts)
		},
		ValidArgsFunction: firstArg(completePerms(f)),
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	return cmd
}

func permDeleteRun(cmd *cobra.Command, opts *permDeleteOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	if !opts.Yes {
		if err := confirm(f, fmt.Sprintf("Delete permission %s and revoke it from every user and group? [y/N]: ", opts.Perm)); err != nil {
			return err
		}
	}
	if err := svc.DeletePermission(ctx, opts.Perm); err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]string{"deleted": opts.Perm})
	}
	say(f, p, "Deleted permission %s", opts.Perm)
	return nil
}
