//go:build unix

package bolt

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"authctl/internal/store"
)

// A staged write removes the stage and compact files a killed staged write
// left beside its database, and nothing else: not another database's, not
// a file some process holds a lock on, not a directory.
func TestStagedWriteRemovesStaleCopies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "auth.db")
	st, err := Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("left behind"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := []string{write(".auth.db.stage-123"), write(".auth.db.compact-456")}
	kept := []string{write(".other.db.stage-123"), write("auth.db.stage-1"), write(".auth.db.stagex-1")}
	held := write(".auth.db.stage-held")
	kept = append(kept, held)
	f, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".auth.db.stage-dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, filepath.Join(dir, ".auth.db.stage-dir"))

	err = store.UpdateStaged(context.Background(), st, func(stage func(func(store.Writer) error) error) error {
		return stage(func(w store.Writer) error { return w.PutUser(store.User{Username: "alice"}) })
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("%s: still there (%v)", filepath.Base(p), err)
		}
	}
	for _, p := range kept {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		}
	}
}
