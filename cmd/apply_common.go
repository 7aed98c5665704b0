package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/output"
	"authctl/internal/seed"
)

// What apply and import share: reading the input, running the apply
// engine with Ctrl-C handling, and reporting its changes or problems.

// decodeSeedInput reads and decodes a seeding file argument ("-" meaning
// standard input), filling in opts.Name and opts.Dir. A named regular file
// is decoded by seed.DecodeFile, which does not hold a large JSON file
// whole; standard input and named pipes are read whole first (readInput's
// way). It returns the input's name for messages.
func decodeSeedInput(f *cmdutil.Factory, path string, opts seed.DecodeOptions) (doc *auth.Document, assert *yaml.Node, name string, err error) {
	if path == "-" {
		data, name, dir, err := readInput(f, path)
		if err != nil {
			return nil, nil, "", err
		}
		opts.Name, opts.Dir = name, dir
		doc, assert, err = seed.DecodeWithAssert(data, opts)
		return doc, assert, name, err
	}
	// Opened once: a named pipe opened a second time would wait for a
	// writer that may never come.
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, "", cmdutil.FlagErrorf("%v", err)
	}
	defer file.Close()
	opts.Name, opts.Dir = path, filepath.Dir(path)
	if _, regular := reserveForFile(file); regular {
		doc, assert, err = seed.DecodeFile(file, opts)
	} else {
		var data []byte
		if data, err = readBlocks(file); err == nil {
			doc, assert, err = seed.DecodeWithAssert(data, opts)
		}
	}
	if err != nil && !errors.Is(err, auth.ErrInvalid) {
		err = cmdutil.FlagErrorf("%v", err) // as readInput says it
	}
	return doc, assert, path, err
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
//
// vet, when not nil, runs on the plan before anything is hashed or written
// (the assertions of a seeding file): an error from it ends the apply.
// decoding, when not nil, is the collector's pace of the decode, ended
// once the plan is made (the caller ends it too, for an error before).
func runApply(cmd *cobra.Command, f *cmdutil.Factory, doc *auth.Document, opts auth.ApplyOptions, vet planVetter, decoding *decodePhase) (auth.ApplyResult, error) {
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
	ap, err := svc.PlanApply(ctx, doc, opts)
	decoding.end()
	if err != nil {
		return auth.ApplyResult{}, err
	}
	if vet != nil {
		if err := vet(ctx, svc, ap); err != nil {
			return auth.ApplyResult{}, err
		}
	}
	if opts.DryRun {
		return auth.ApplyResult{Changes: ap.Changes()}, nil
	}
	if ap.Hashes() == 0 {
		defer boundWriteHeap()()
	}
	return svc.ExecuteApply(ctx, ap)
}

// planVetter checks a plan before runApply executes it.
type planVetter func(ctx context.Context, svc *auth.Service, ap *auth.ApplyPlan) error

// interruptible returns a context that Ctrl-C (SIGINT) or SIGTERM cancels,
// so that an apply interrupted while hashing stops, writes nothing and exits
// 130 ("interrupted"). A write in one transaction, once begun, runs to its
// end: the database is then as after the apply. A large apply written in
// stages stops at the next stage and publishes nothing: the database is as
// before. A second signal kills the process at once, which leaves the
// database as before or after, never between.
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
