package cmd

import (
	"fmt"

	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
)

// errAborted is an empty answer at the password prompt: the person gave up,
// like Ctrl-C (exit 130).
var errAborted = fmt.Errorf("aborted: %w", prompt.ErrInterrupted)

// errCancelled is "no" to a confirmation: nothing was done (exit 130).
var errCancelled = fmt.Errorf("cancelled: %w", prompt.ErrInterrupted)

// confirm asks a yes/no question at the terminal; no is errCancelled.
func confirm(f *cmdutil.Factory, question string) error {
	pr, err := f.IO.Prompter()
	if err != nil {
		return err
	}
	ok, err := pr.Confirm(question, false)
	if err != nil {
		return err
	}
	if !ok {
		return errCancelled
	}
	return nil
}

// requireYes refuses a destructive command that has neither --yes nor a
// terminal to confirm on.
func requireYes(f *cmdutil.Factory, yes bool) error {
	if !yes && !f.IO.CanPrompt() {
		return cmdutil.FlagErrorf("--yes is required to delete without a terminal to confirm on")
	}
	return nil
}
