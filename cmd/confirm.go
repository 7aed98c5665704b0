package cmd

import (
	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
)

// errAborted is an empty answer at the password prompt: the person gave up,
// like Ctrl-C (exit 130).
var errAborted error = interrupted("aborted")

// errCancelled is "no" to a confirmation: nothing was done (exit 130).
var errCancelled error = interrupted("cancelled")

// interrupted is prompt.ErrInterrupted with what the person did, as
// fmt.Errorf("%s: %w") would make it; a type so that no package-level
// fmt.Errorf runs when every authctl process starts.
type interrupted string

func (e interrupted) Error() string { return string(e) + ": " + prompt.ErrInterrupted.Error() }

func (interrupted) Unwrap() error { return prompt.ErrInterrupted }

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
