package bolt

import (
	"errors"
	"fmt"
	"testing"

	"authctl/internal/store"
)

// errTxDone is a type rather than a package-level fmt.Errorf (no
// formatting at start-up); it reads and matches as the wrapped error did.
func TestErrTxDone(t *testing.T) {
	want := fmt.Errorf("%w: transaction already ended (Reader or Writer used after fn returned)", store.ErrClosed)
	if errTxDone.Error() != want.Error() {
		t.Errorf("errTxDone = %q, want %q", errTxDone, want)
	}
	if !errors.Is(errTxDone, store.ErrClosed) {
		t.Error("errTxDone does not wrap store.ErrClosed")
	}
}
