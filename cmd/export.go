package cmd

import (
	"bufio"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/seed"
)

type exportOptions struct {
	f *cmdutil.Factory
	// Format is authctl (the seeding format apply reads) or django
	// (dumpdata JSON).
	Format    string
	UsersOnly bool
}

func newCmdExport(f *cmdutil.Factory, runF func(*exportOptions) error) *cobra.Command {
	opts := &exportOptions{f: f}
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
			if opts.Format != "authctl" && opts.Format != "django" {
				return cmdutil.FlagErrorf("--format must be authctl or django")
			}
			if runF != nil {
				return runF(opts)
			}
			return exportRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "authctl", "`FORMAT`: authctl (the apply format) or django (dumpdata JSON)")
	completeExport(cmd)
	cmd.Flags().BoolVar(&opts.UsersOnly, "users-only", false, "only users (they still name their groups and permissions)")
	return cmd
}

func exportRun(cmd *cobra.Command, opts *exportOptions) error {
	f := opts.f
	p, err := outputSettings(f, output.JSON, output.YAML)
	if err != nil {
		return err
	}
	if opts.Format == "django" && p.Format == output.YAML {
		return cmdutil.FlagErrorf("--format django writes JSON only")
	}
	svc, ctx, err := serviceFor(cmd, f, cmdutil.MustExist)
	if err != nil {
		return err
	}
	// One large buffer: a million users are a million writes otherwise.
	// On an error nothing more is flushed.
	out := bufio.NewWriterSize(f.IO.Out, listBufferSize)
	if opts.Format == "django" {
		err = seed.ExportDjango(ctx, svc, out, opts.UsersOnly)
	} else {
		err = seed.Export(ctx, svc, out, seed.ExportOptions{UsersOnly: opts.UsersOnly, YAML: p.Format == output.YAML})
	}
	if err != nil {
		return err
	}
	return out.Flush()
}
