package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
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
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadOnly)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		arr := output.NewJSONArray(f.IO.Out)
		if err := svc.ListPermissions(ctx, opts.App, func(pm store.Permission) error {
			return arr.Add(permView{Permission: pm.Perm, Name: pm.Name})
		}); err != nil {
			return err
		}
		return arr.Close()
	}
	t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), "PERMISSION", "NAME")
	n := 0
	if err := svc.ListPermissions(ctx, opts.App, func(pm store.Permission) error {
		n++
		return t.Row(pm.Perm, pm.Name)
	}); err != nil {
		return err
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if n == 0 && f.IO.IsStdoutTTY() {
		say(f, p, "No permissions.")
	}
	return nil
}
