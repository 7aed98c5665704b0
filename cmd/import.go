package cmd

import (
	"bytes"

	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/seed"
)

type importOptions struct {
	f              *cmdutil.Factory
	Format         string
	File           string
	Hashes         bool
	Create         bool
	SkipValidation bool
	DryRun         bool
	Workers        int
	BatchSize      int
}

func newCmdImport(f *cmdutil.Factory, runF func(*importOptions) error) *cobra.Command {
	opts := &importOptions{f: f}
	cmd := &cobra.Command{
		Use:   "import --format django|passwd [FILE]",
		Short: "Import users from a Django dump or chpasswd-style lines",
		Long: `Import users, groups and permissions, all or nothing.

--format django reads Django's dumpdata JSON, natural keys
("dumpdata auth.user auth.group auth.permission --natural-foreign
--natural-primary") or numeric ones ("dumpdata contenttypes auth"). Users keep
their Django password hashes, so they log in here with the same passwords.
Objects that exist are updated to match the dump.

--format passwd reads "user:password" lines like chpasswd (with -e,
"user:HASH" lines in Django's hash format) and sets the passwords of existing
users (--create also creates missing ones); the validators run on plain
passwords unless --skip-validation. Every bad line is reported with its number.

FILE defaults to standard input.`,
		Example: `  python3 manage.py dumpdata auth.user auth.group auth.permission --natural-foreign --natural-primary > auth.json
  authctl import --format django auth.json
  printf 'alice:%s\n' "$NEW_PW" | authctl import --format passwd`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.BatchSize < 0 {
				return cmdutil.FlagErrorf("--batch-size must not be negative")
			}
			opts.File = "-"
			if len(args) == 1 {
				opts.File = args[0]
			}
			switch opts.Format {
			case "django", "passwd":
			case "":
				return cmdutil.FlagErrorf("--format is required: django or passwd")
			default:
				return cmdutil.FlagErrorf("--format must be django or passwd, not %q", opts.Format)
			}
			if opts.Hashes && opts.Format != "passwd" {
				return cmdutil.FlagErrorf("-e goes with --format passwd")
			}
			if opts.Workers < 0 {
				return cmdutil.FlagErrorf("--workers must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return importRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "", "input `FORMAT`: django or passwd")
	completeImport(cmd)
	fl.BoolVarP(&opts.Hashes, "encrypted", "e", false, "passwd lines carry Django-format hashes, not passwords")
	fl.BoolVar(&opts.Create, "create", false, "passwd: create users that do not exist (with an unusable password if none is given)")
	fl.BoolVar(&opts.SkipValidation, "skip-validation", false, "do not run the password validators")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan; change nothing")
	addBatchSizeFlag(fl, &opts.BatchSize)
	fl.IntVar(&opts.Workers, "workers", 0, "hash `N` passwords at once (default: the workers setting, else the number of CPUs, divided by argon2's lanes for argon2)")
	return cmd
}

func importRun(cmd *cobra.Command, opts *importOptions) (err error) {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	defer func() { err = listProblems(f, p, err) }()
	data, name, _, err := readInput(f, opts.File)
	if err != nil {
		return err
	}
	doc, err := decodeImport(cmd, opts, data, name)
	if err != nil {
		return err
	}
	bar := newProgress(f, p, "hashing passwords")
	defer bar.finish()
	aopts := auth.ApplyOptions{
		DryRun:          opts.DryRun,
		UpdatePasswords: true,
		SkipValidation:  opts.SkipValidation,
		OnlyExisting:    opts.Format == "passwd" && !opts.Create,
		AsStored:        opts.Format == "django",
		Workers:         workers(f, opts.Workers),
		Progress:        bar.update,
		Origin:          "import " + opts.Format,
		BatchSize:       opts.BatchSize,
		CountsOnly:      p.Format != output.JSON,
	}
	res, err := runApply(cmd, f, doc, aopts, nil, nil)
	bar.finish()
	if err != nil {
		return err
	}
	return reportApply(f, p, res, opts.DryRun)
}

// decodeImport reads an import's input in its format. A Django dump's bare
// numbers (a users-only numeric-key dump) resolve through the primary keys
// that earlier imports recorded in the database.
func decodeImport(cmd *cobra.Command, opts *importOptions, data []byte, name string) (*auth.Document, error) {
	if opts.Format == "passwd" {
		return seed.DecodePasswd(bytes.NewReader(data), name, opts.Hashes)
	}
	svc, ctx, err := serviceFor(cmd, opts.f, cmdutil.Preview)
	if err != nil {
		return nil, err
	}
	known, err := svc.DjangoKeys(ctx)
	if err != nil {
		return nil, err
	}
	return seed.DecodeDjangoKnown(data, name, known)
}
