//go:build linux

package bolt_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

// TestCreateOnFullDisk creates a database on a nearly full file system (a
// small tmpfs, so root only): the creation fails and leaves nothing behind,
// neither an empty file at the path nor a temporary file; once there is
// room, creating works.
func TestCreateOnFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	// Fill it but for three pages: less than a new bbolt file needs.
	filler := filepath.Join(dir, "filler")
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int(st.Bavail) * int(st.Bsize)
	if err := os.WriteFile(filler, make([]byte, free-12*1024), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "auth.db")
	s, err := bolt.Open(path, store.OpenOptions{Create: true})
	if err == nil {
		s.Close()
		t.Fatal("creating a database on a full disk succeeded")
	}
	t.Logf("Open: %v", err)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Open on a full disk: %v, want ENOSPC", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "filler" {
			t.Errorf("a failed creation left %s behind", e.Name())
		}
	}
	// Room again: the next creation works.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, store.OpenOptions{Create: true})
	if err := s.Update(ctx, func(w store.Writer) error { return w.PutUser(store.User{Username: "alice"}) }); err != nil {
		t.Fatal(err)
	}
}

// TestCreateNotThroughSymlink plants a symbolic link to a missing file
// where a database is to be created: nothing is created at its target.
func TestCreateNotThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere.db")
	path := filepath.Join(dir, "auth.db")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	_, err := bolt.Open(path, store.OpenOptions{Create: true})
	if err == nil {
		t.Fatal("created a database through a dangling symbolic link")
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the link's target was created: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left %d entries in the directory, want only the link", len(entries))
	}
}
