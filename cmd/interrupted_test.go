package cmd

import (
	"errors"
	"fmt"
	"testing"

	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
)

// errAborted and errCancelled are a type rather than package-level
// fmt.Errorf calls (no formatting at start-up); they read, match and exit
// as the wrapped errors did.
func TestInterruptedErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		word string
	}{{errAborted, "aborted"}, {errCancelled, "cancelled"}} {
		want := fmt.Errorf("%s: %w", c.word, prompt.ErrInterrupted)
		if c.err.Error() != want.Error() {
			t.Errorf("%s: Error() = %q, want %q", c.word, c.err, want)
		}
		if !errors.Is(c.err, prompt.ErrInterrupted) {
			t.Errorf("%s does not wrap prompt.ErrInterrupted", c.word)
		}
		if got := cmdutil.ExitCode(c.err); got != cmdutil.ExitCode(want) {
			t.Errorf("%s: exit code %d, want %d", c.word, got, cmdutil.ExitCode(want))
		}
	}
	if errors.Is(errAborted, errCancelled) {
		t.Error("errAborted matches errCancelled")
	}
}
