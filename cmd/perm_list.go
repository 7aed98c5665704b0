package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/store"
)

type permListOptions struct {
	f *cmdutil.Factory
	// App keeps only the permissions of one app label.
	App string
}

func newCmdPermList(f *cmdutil.Factory, runF func(*permListOptions) error) *cobra.Command {
	opts := &permListOptions{f: f}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List permissions",
		Example: `  authctl perm list
  authctl perm list --app blog -o json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return permListRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.App, "app", "", "only permissions of app label `APP`")
	return cmd
}

func permListRun(cmd *cobra.Command, opts *permListOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	return listing[store.Permission]{
		header: []string{"PERMISSION", "NAME"},
		row:    func(pm store.Permission) []string { return []string{pm.Perm, pm.Name} },
		view:   func(pm store.Permission) any { return permView{Permission: pm.Perm, Name: pm.Name} },
		empty:  "No permissions.",
	}.print(f, p, func(fn func(store.Permission) error) error { return svc.ListPermissions(ctx, opts.App, fn) })
}
