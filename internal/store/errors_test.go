package store

import (
	"errors"
	"fmt"
	"testing"
)

// ErrTxDone is a type rather than a package-level fmt.Errorf (no
// formatting at start-up); it reads and matches as the wrapped error did.
func TestErrTxDone(t *testing.T) {
	want := fmt.Errorf("%w: transaction already ended (Reader or Writer used after fn returned)", ErrClosed)
	if ErrTxDone.Error() != want.Error() {
		t.Errorf("ErrTxDone = %q, want %q", ErrTxDone, want)
	}
	if !errors.Is(ErrTxDone, ErrClosed) {
		t.Error("ErrTxDone does not wrap ErrClosed")
	}
}
