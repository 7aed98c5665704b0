package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

type permCreateOptions struct {
	f    *cmdutil.Factory
	Perm string
	// Name is the human name; "" derives it from the codename.
	Name string
}

func newCmdPermCreate(f *cmdutil.Factory, runF func(*permCreateOptions) error) *cobra.Command {
	opts := &permCreateOptions{f: f}
	cmd := &cobra.Command{
		Use:     "create APP.CODENAME",
		Short:   "Create a permission",
		Example: `  authctl perm create treats.eat_ice_cream --name "Can eat ice cream"`,
		Args:    exactArgs(1, "one permission (app_label.codename)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Perm = args[0]
			if runF != nil {
				return runF(opts)
			}
			return permCreateRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "human-readable `TEXT` (default: from the codename, \"Can eat ice cream\")")
	return cmd
}

func permCreateRun(cmd *cobra.Command, opts *permCreateOptions) error {
	f := opts.f
	p, svc, ctx, err := begin(cmd, f, cmdutil.ReadWrite)
	if err != nil {
		return err
	}
	perm, err := svc.CreatePermission(ctx, opts.Perm, opts.Name)
	if err != nil {
		return err
	}
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, permView{Permission: perm.Perm, Name: perm.Name})
	}
	say(f, p, "Created permission %s (%s)", perm.Perm, perm.Name)
	return nil
}
