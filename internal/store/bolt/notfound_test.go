package bolt

import (
	"errors"
	"fmt"
	"testing"

	"authctl/internal/store"
)

// A miss reads as it did when it was made with fmt.Errorf, and is
// store.ErrNotFound to errors.Is.
func TestNotFoundError(t *testing.T) {
	err := notFound("user", "al\"ice")
	want := fmt.Errorf("%s %q: %w", "user", "al\"ice", store.ErrNotFound)
	if err.Error() != want.Error() {
		t.Errorf("message %q, want %q", err, want)
	}
	if !errors.Is(err, store.ErrNotFound) {
		t.Error("not store.ErrNotFound")
	}
}
