package auth

import (
	"errors"
	"fmt"
	"testing"

	"authctl/internal/store"
)

// ErrChangedDuringApply is a type rather than a package-level fmt.Errorf
// (no formatting at start-up); it reads and matches as the wrapped error
// did.
func TestErrChangedDuringApply(t *testing.T) {
	want := fmt.Errorf("%w: the database changed while applying; nothing was written, run it again", store.ErrConflict)
	if ErrChangedDuringApply.Error() != want.Error() {
		t.Errorf("ErrChangedDuringApply = %q, want %q", ErrChangedDuringApply, want)
	}
	if !errors.Is(ErrChangedDuringApply, store.ErrConflict) {
		t.Error("ErrChangedDuringApply does not wrap store.ErrConflict")
	}
	if !errors.Is(fmt.Errorf("apply: %w", ErrChangedDuringApply), ErrChangedDuringApply) {
		t.Error("a wrapped ErrChangedDuringApply is not found by errors.Is")
	}
}

// bookkeepingMeta holds exactly the meta keys whose writes need no audit
// record.
func TestBookkeepingMeta(t *testing.T) {
	var got []string
	for _, k := range MetaKeys {
		if bookkeepingMeta(k) {
			got = append(got, k)
		}
	}
	if len(got) != 2 || got[0] != djangoKeysMeta || got[1] != verifyCostMeta {
		t.Errorf("bookkeeping meta keys = %q, want %q and %q", got, djangoKeysMeta, verifyCostMeta)
	}
}
