package cmd

import (
	"github.com/spf13/cobra"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/seed"
)

type applyOptions struct {
	f               *cmdutil.Factory
	File            string
	DryRun          bool
	Prune           bool
	UpdatePasswords bool
	SkipValidation  bool
	Workers         int
	AllowOutside    bool
	CRLF            bool
	BatchSize       int
}

func newCmdApply(f *cmdutil.Factory, runF func(*applyOptions) error) *cobra.Command {
	opts := &applyOptions{f: f}
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make the database match a seeding file (idempotent)",
		Long: `Make the database match a declarative file of permissions, groups and users
(YAML or JSON, Django's field names, as "authctl export" writes). Applying the same file
again changes nothing and says so.

Everything is checked before anything is written — names, references, hash
formats, password validators — and every problem is reported with its line
(exit 5). Passwords (password_env, password_file; or password_hash as is) are
set only when a user is created, unless --update-passwords. A password_file is
read only if it is a regular file of at most 64 KiB inside the seeding file's
directory (--allow-password-files-outside lifts that), owned by you or root
and writable by no one else. Hashing runs on every
core, before the write, which is all or nothing: one transaction, or for
more than 10,000 changes, stages on a copy of the database file beside it
(as large as the database; compacted if the stages freed pages) that
replaces the file in one rename.

--dry-run prints the plan and changes nothing. --prune deletes users, groups and
permissions that an earlier apply created and the file no longer declares
(never ones made by hand).`,
		Example: `  authctl apply -f seed.yaml
  authctl apply -f seed.yaml --dry-run
  authctl export | ssh other-host authctl apply -f -`,
		Args: exactArgs(0, "no arguments (the file is given with -f)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" {
				return cmdutil.FlagErrorf("-f FILE is required (use -f - for standard input)")
			}
			if opts.BatchSize < 0 {
				return cmdutil.FlagErrorf("--batch-size must not be negative")
			}
			if opts.Workers < 0 {
				return cmdutil.FlagErrorf("--workers must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return applyRun(cmd, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "the seeding `FILE` (YAML or JSON; - for standard input)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan; change nothing")
	fl.BoolVar(&opts.Prune, "prune", false, "delete objects an earlier apply created that the file no longer declares")
	fl.BoolVar(&opts.UpdatePasswords, "update-passwords", false, "also set declared passwords of existing users (compared by verifying)")
	fl.BoolVar(&opts.SkipValidation, "skip-validation", false, "do not run the password validators")
	addBatchSizeFlag(fl, &opts.BatchSize)
	fl.IntVar(&opts.Workers, "workers", 0, "hash `N` passwords at once (default: the workers setting, else the number of CPUs, divided by argon2's lanes for argon2)")
	fl.BoolVar(&opts.AllowOutside, "allow-password-files-outside", false, "let password_file name files outside the seeding file's directory")
	fl.BoolVar(&opts.CRLF, "crlf", false, "password_file lines end in \\r\\n: strip the \\r too (else only \\n is stripped)")
	return cmd
}

func applyRun(cmd *cobra.Command, opts *applyOptions) (err error) {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	defer func() { err = listProblems(f, p, err) }()
	decoding := &decodePhase{}
	defer decoding.end()
	doc, assert, name, err := decodeSeedInput(f, opts.File, seed.DecodeOptions{LookupEnv: f.Lookup, AllowOutside: opts.AllowOutside, CRLF: opts.CRLF, BeforeYAML: decoding.collectSooner})
	if err != nil {
		return err
	}
	exps, err := seedAssertions(assert, name)
	if err != nil {
		return err
	}
	bar := newProgress(f, p, "hashing passwords")
	defer bar.finish()
	aopts := auth.ApplyOptions{
		DryRun:          opts.DryRun,
		Prune:           opts.Prune,
		UpdatePasswords: opts.UpdatePasswords,
		SkipValidation:  opts.SkipValidation,
		Manage:          true,
		Workers:         workers(f, opts.Workers),
		Progress:        bar.update,
		Origin:          "apply",
		BatchSize:       opts.BatchSize,
		CountsOnly:      p.Format != output.JSON,
	}
	var vet planVetter
	if exps != nil {
		vet = assertPlanned(f, p, exps)
	}
	res, err := runApply(cmd, f, doc, aopts, vet, decoding)
	bar.finish()
	if err != nil {
		return err
	}
	return reportApply(f, p, res, opts.DryRun)
}
