package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/seed"
)

func newCmdExport(f *cmdutil.Factory) *cobra.Command {
	var (
		format    string
		usersOnly bool
	)
	cmd := &cobra.Command{
		Use:   "export [-o json|yaml] [--format django] [--users-only]",
		Short: "Write the whole database as a seeding file or a Django dump",
		Long: `Write the whole database — users with their password hashes, groups,
permissions and memberships — on stdout in the seeding format that "apply"
reads (JSON by default, or -o yaml), so that "authctl export | authctl apply -f -"
on another machine reproduces it.

--format django writes Django's dumpdata JSON with natural keys, including the
content types its permissions need, for "manage.py loaddata". The output holds
password hashes: treat it as a secret.`,
		Example: `  authctl export > backup.json
  authctl export --format django > auth.json && python3 manage.py loaddata auth.json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := outputSettings(f, output.JSON, output.YAML)
			if err != nil {
				return err
			}
			if format != "authctl" && format != "django" {
				return cmdutil.FlagErrorf("--format must be authctl or django")
			}
			if format == "django" && p.Format == "yaml" {
				return cmdutil.FlagErrorf("--format django writes JSON only")
			}
			svc, ctx, err := serviceFor(cmd, f, cmdutil.ReadOnly)
			if err != nil {
				return err
			}
			if format == "django" {
				return seed.ExportDjango(ctx, svc, f.IO.Out, usersOnly)
			}
			return seed.Export(ctx, svc, f.IO.Out, seed.ExportOptions{UsersOnly: usersOnly, YAML: p.Format == "yaml"})
		},
	}
	cmd.Flags().StringVar(&format, "format", "authctl", "`FORMAT`: authctl (the apply format) or django (dumpdata JSON)")
	completeExport(cmd)
	cmd.Flags().BoolVar(&usersOnly, "users-only", false, "only users (they still name their groups and permissions)")
	return cmd
}
