package bolt_test

import (
	"os"
	"testing"

	"authctl/internal/store"
)

// A stage copy grows by what its stages write, not by bbolt's 16 MiB
// steps, each of which bbolt would fsync in the middle of the stage
// (NoGrowSync): publish syncs the copy once.
func TestStageCopyGrowsByItsPages(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	var sizes []int64
	err := store.UpdateStaged(ctx, s, func(stage stageFunc) error {
		for _, p := range []string{"a", "b", "c"} {
			if err := stage(putUsers(p, 300)); err != nil {
				return err
			}
			copies := stageFiles(t, path)
			if len(copies) != 1 {
				t.Fatalf("stage copies: %q, want one", copies)
			}
			fi, err := os.Stat(copies[0])
			if err != nil {
				return err
			}
			sizes = append(sizes, fi.Size())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range sizes {
		if n > 1<<20 {
			t.Errorf("stage copy after stage %d: %d bytes, want under 1 MiB (900 small users)", i+1, n)
		}
	}
	wantUsers(t, s, "a", 300)
	wantUsers(t, s, "c", 300)
	mustCheck(t, s)
}
