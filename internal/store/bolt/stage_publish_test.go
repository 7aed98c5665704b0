package bolt

import (
	"context"
	"path/filepath"
	"testing"

	"authctl/internal/store"
)

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
