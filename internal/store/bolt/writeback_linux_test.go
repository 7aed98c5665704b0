package bolt

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"authctl/internal/store"
)

// startWriteback starts the writeback of a file's dirty pages: the call
// is accepted for a regular file opened read-only, as the stage copy's
// handle is (an error would leave all the writing to publish's fsync).
func TestStartWriteback(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := startWriteback(f); err != nil {
		t.Errorf("startWriteback: %v", err)
	}
	if err := startWriteback(nil); err != nil {
		t.Errorf("startWriteback(nil): %v", err)
	}
}

// The published copy becomes the store's database: its later writes sync
// their commits and their growth as a store opened on the file would.
func TestPublishedCopySyncs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	st, err := Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = store.UpdateStaged(context.Background(), st, func(stage func(func(store.Writer) error) error) error {
		return stage(func(w store.Writer) error { return w.PutUser(store.User{Username: "alice"}) })
	})
	if err != nil {
		t.Fatal(err)
	}
	db := st.(*boltStore).db
	if db.NoSync || db.NoGrowSync {
		t.Errorf("after a staged write: NoSync %v, NoGrowSync %v; want both false", db.NoSync, db.NoGrowSync)
	}
}
