package bolt_test

import (
	"os"
	"testing"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
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

// A small database stays small: bbolt grows a file 16 MiB beyond its last
// page by default, which made a database of one user a 16 MiB file. A
// writer's step is an eighth of the file, at least 256 KiB, so a file
// grows with what it holds.
func TestSmallDatabaseStaysSmall(t *testing.T) {
	path := newDB(t)
	small := sizeAfter(t, path, putUsers("x", 100))
	if small > 1<<20 {
		t.Errorf("a database of 101 users is %d bytes, want under 1 MiB", small)
	}
	// It still grows, by what is written, not by 16 MiB steps.
	big := sizeAfter(t, path, putUsers("a", 2000), putUsers("b", 2000), putUsers("c", 2000))
	if big <= small || big > 8<<20 {
		t.Errorf("after 6,000 more users the file is %d bytes (was %d), want more, and under 8 MiB", big, small)
	}
	t.Logf("101 users: %d bytes; 6,101 users: %d bytes", small, big)
}

// sizeAfter opens the database at path, runs each update in its own
// transaction, closes it and returns the file's size.
func sizeAfter(t *testing.T, path string, updates ...func(store.Writer) error) int64 {
	t.Helper()
	s := mustOpen(t, path, store.OpenOptions{})
	for _, fn := range updates {
		if err := s.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestGrowStep(t *testing.T) {
	for _, c := range []struct{ size, want int64 }{
		{0, 256 << 10}, {32 << 10, 256 << 10}, {2 << 20, 256 << 10}, {8 << 20, 1 << 20}, {128 << 20, 16 << 20}, {1 << 40, 16 << 20},
	} {
		if got := bolt.GrowStep(c.size); int64(got) != c.want {
			t.Errorf("growStep(%d) = %d, want %d", c.size, got, c.want)
		}
	}
}
