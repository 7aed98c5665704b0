package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

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
(YAML or JSON, Django's field names; see docs/seeding.md). Applying the same file
again changes nothing and says so.

Everything is checked before anything is written — names, references, hash
formats, password validators — and every problem is reported with its line
(exit 5). Passwords (password_env, password_file; or password_hash as is) are
set only when a user is created, unless --update-passwords. A password_file is
read only if it is a regular file of at most 64 KiB inside the seeding file's
directory (--allow-password-files-outside lifts that), owned by you or root
and writable by no one else. Hashing runs on every
core, outside the single transaction that writes the whole file.

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
	fl.IntVar(&opts.Workers, "workers", 0, "passwords hashed at once (default: the workers setting, else the number of CPUs, divided by argon2's lanes for argon2)")
	fl.BoolVar(&opts.AllowOutside, "allow-password-files-outside", false, "let password_file name files outside the seeding file's directory")
	fl.BoolVar(&opts.CRLF, "crlf", false, "password_file lines end in \\r\\n: strip the \\r too (else only \\n is stripped)")
	return cmd
}

// readInput reads a file argument, "-" meaning standard input, and
// returns its name for messages and its directory.
func readInput(f *cmdutil.Factory, path string) (data []byte, name, dir string, err error) {
	if path == "-" {
		data, err = io.ReadAll(f.IO.In)
		return data, "stdin", "", err
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, "", "", cmdutil.FlagErrorf("%v", err)
	}
	return data, path, filepath.Dir(path), nil
}

func applyRun(cmd *cobra.Command, opts *applyOptions) (err error) {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	defer func() { err = listProblems(f, p, err) }()
	data, name, dir, err := readInput(f, opts.File)
	if err != nil {
		return err
	}
	doc, assert, err := seed.DecodeWithAssert(data, seed.DecodeOptions{Name: name, Dir: dir, LookupEnv: f.Lookup, AllowOutside: opts.AllowOutside, CRLF: opts.CRLF})
	if err != nil {
		return err
	}
	data = nil // the document holds what apply needs
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
	}
	var res auth.ApplyResult
	if exps != nil {
		res, err = runApplyAsserting(cmd, f, p, doc, aopts, exps)
	} else {
		res, err = runApply(cmd, f, doc, aopts)
	}
	bar.finish()
	if err != nil {
		return err
	}
	return reportApply(f, p, res, opts.DryRun)
}

// listProblems writes, with -o json, every problem of an invalid input to
// stdout as {"problems": [...]} (stderr shows the first
// auth.MaxPrintedProblems of them), and returns err unchanged.
func listProblems(f *cmdutil.Factory, p printing, err error) error {
	var ie *auth.InvalidError
	if p.Format != output.JSON || !errors.As(err, &ie) {
		return err
	}
	msgs := make([]string, len(ie.Problems))
	for i, pr := range ie.Problems {
		msgs[i] = pr.Error()
	}
	if werr := output.WriteJSON(f.IO.Out, map[string]any{"problems": msgs}); werr != nil {
		return werr
	}
	return err
}

// runApply runs an apply or import of doc: plan against the database (read
// in one short read transaction; a database not created yet reads as
// empty), hash the passwords with nothing open — other authctl processes
// read and write meanwhile — then write in one transaction, creating the
// database if need be. What someone else changed meanwhile to a declared
// object fails the apply, writing nothing. A file with problems (exit 5)
// leaves nothing behind, not even an empty database. A dry run stops after
// the plan.
func runApply(cmd *cobra.Command, f *cmdutil.Factory, doc *auth.Document, opts auth.ApplyOptions) (auth.ApplyResult, error) {
	access := cmdutil.ReadWrite
	if opts.DryRun {
		access = cmdutil.Preview
	}
	svc, ctx, err := serviceFor(cmd, f, access)
	if err != nil {
		return auth.ApplyResult{}, err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	return svc.Apply(ctx, doc, opts)
}

// interruptible returns a context that Ctrl-C (SIGINT) or SIGTERM cancels,
// so that an apply interrupted while hashing stops, writes nothing and exits
// 130 ("interrupted"). Once the write transaction has begun it runs to its
// end: the database is then as after the apply. A second signal kills the
// process at once, which leaves the database as before or after, never
// between (one transaction).
func interruptible(ctx context.Context) (context.Context, func()) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the next signal takes its default action
	}()
	return ctx, stop
}

// workers is the --workers flag, else the workers setting, else 0: the
// apply engine then sizes the pool by the CPUs and the hasher.
func workers(f *cmdutil.Factory, flag int) int {
	if flag > 0 {
		return flag
	}
	if cfg, err := f.Config(); err == nil {
		return cfg.Workers
	}
	return 0
}

// reportApply prints the per-object results (JSON) or the plan (dry run),
// and the summary on stderr.
func reportApply(f *cmdutil.Factory, p printing, res auth.ApplyResult, dryRun bool) error {
	changes := res.Changes
	if changes == nil {
		changes = []auth.Change{}
	}
	switch {
	case p.Format == output.JSON:
		if err := output.WriteJSON(f.IO.Out, changes); err != nil {
			return err
		}
	case dryRun:
		for _, c := range changes {
			sign := map[auth.ChangeAction]string{auth.ActionCreate: "+", auth.ActionUpdate: "~", auth.ActionDelete: "-"}[c.Action]
			if sign == "" {
				continue
			}
			line := fmt.Sprintf("%s %s %s", sign, c.Kind, c.Name)
			if len(c.Fields) > 0 {
				line += " (" + strings.Join(c.Fields, ", ") + ")"
			}
			fmt.Fprintln(f.IO.Out, line)
		}
	}
	warnings := 0
	for _, c := range changes {
		for _, w := range c.Warnings {
			say(f, p, "authctl: warning: %s", w)
			warnings++
		}
	}
	created, updated := res.Count(auth.ActionCreate), res.Count(auth.ActionUpdate)
	unchanged, deleted := res.Count(auth.ActionUnchanged), res.Count(auth.ActionDelete)
	summary := fmt.Sprintf("created %d, updated %d, unchanged %d", created, updated, unchanged)
	if deleted > 0 {
		summary += fmt.Sprintf(", deleted %d", deleted)
	}
	if warnings > 0 {
		summary += fmt.Sprintf("; %d values kept as stored with a warning", warnings)
	}
	switch {
	case dryRun:
		say(f, p, "Plan (nothing written): %s", strings.NewReplacer("created", "to create", "updated", "to update", "deleted", "to delete").Replace(summary))
	case created+updated+deleted == 0:
		say(f, p, "No changes: %d unchanged", unchanged)
	default:
		say(f, p, "%s", summary)
	}
	return nil
}
