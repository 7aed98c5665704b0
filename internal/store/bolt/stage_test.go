package bolt_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

type stageFunc = func(func(store.Writer) error) error

// stageFiles lists the stage copies beside the database at path.
func stageFiles(t testing.TB, path string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.stage-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// putUsers is a stage that writes users prefix0..prefix<n-1>.
func putUsers(prefix string, n int) func(store.Writer) error {
	return func(w store.Writer) error {
		for i := range n {
			if err := w.PutUser(store.User{Username: fmt.Sprintf("%s%d", prefix, i), Groups: []string{prefix}}); err != nil {
				return err
			}
		}
		return nil
	}
}

// wantUsers checks that s has the users prefix0..prefix<n-1> and that the
// group index lists them.
func wantUsers(t testing.TB, s store.Store, prefix string, n int) {
	t.Helper()
	err := s.View(ctx, func(r store.Reader) error {
		for i := range n {
			if _, err := r.User(fmt.Sprintf("%s%d", prefix, i)); err != nil {
				return err
			}
		}
		members := 0
		if err := r.GroupMembers(prefix, func(string) error { members++; return nil }); err != nil {
			return err
		}
		if members != n {
			return fmt.Errorf("group %s has %d members, want %d", prefix, members, n)
		}
		return nil
	})
	if err != nil {
		t.Errorf("users %s*: %v", prefix, err)
	}
}

func mustCheck(t testing.TB, s store.Store) {
	t.Helper()
	if err := s.(store.Checker).Check(ctx); err != nil {
		t.Errorf("Check after a staged write: %v", err)
	}
}

func TestStagedWritePublishesACopy(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	before, _ := os.Stat(path)
	var during []string
	err := store.UpdateStaged(ctx, s, func(stage stageFunc) error {
		if err := stage(putUsers("a", 500)); err != nil {
			return err
		}
		// The stages are on a copy beside the database...
		during = stageFiles(t, path)
		return stage(putUsers("b", 500))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(during) != 1 {
		t.Errorf("stage copies during the stages: %q, want one", during)
	}
	// ... which is now the database: another file, with the same mode,
	// and no copy left.
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Error("the staged write did not replace the file")
	}
	if after.Mode().Perm() != 0o600 {
		t.Errorf("mode after a staged write %v, want 0600", after.Mode().Perm())
	}
	if left := stageFiles(t, path); len(left) != 0 {
		t.Errorf("stage copies left after success: %q", left)
	}
	wantUsers(t, s, "a", 500)
	wantUsers(t, s, "b", 500)
	mustCheck(t, s)

	// The store keeps working on the new file: View, Update, another
	// staged write, Close, and a reopen sees it all.
	if err := s.Update(ctx, putUsers("c", 10)); err != nil {
		t.Fatalf("Update after a staged write: %v", err)
	}
	err = store.UpdateStaged(ctx, s, func(stage stageFunc) error { return stage(putUsers("d", 10)) })
	if err != nil {
		t.Fatalf("second staged write: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close after a staged write: %v", err)
	}
	s = mustOpen(t, path, store.OpenOptions{ReadOnly: true})
	for _, p := range []string{"a", "b"} {
		wantUsers(t, s, p, 500)
	}
	for _, p := range []string{"c", "d"} {
		wantUsers(t, s, p, 10)
	}
	err = s.View(ctx, func(r store.Reader) error {
		_, err := r.User("alice")
		return err
	})
	if err != nil {
		t.Errorf("the user from before the staged writes: %v", err)
	}
	mustCheck(t, s)
}

func TestStagedFailureLeavesTheFile(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	fi, _ := os.Stat(path)
	content, _ := os.ReadFile(path)
	unchanged := func(what string) {
		t.Helper()
		if left := stageFiles(t, path); len(left) != 0 {
			t.Errorf("%s: stage copies left: %q", what, left)
		}
		now, err := os.Stat(path)
		if err != nil || !os.SameFile(fi, now) {
			t.Errorf("%s: the database file was replaced (%v)", what, err)
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b, content) {
			t.Errorf("%s: the database file changed", what)
		}
	}

	err := store.UpdateStaged(ctx, s, func(stage stageFunc) error {
		if err := stage(putUsers("a", 100)); err != nil {
			return err
		}
		return stage(func(store.Writer) error { return errSentinel })
	})
	if err != errSentinel {
		t.Fatalf("UpdateStaged: %v, want the stage's error", err)
	}
	unchanged("a failed stage")

	// A panic in fn propagates, and the copy is still removed.
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want fn's panic", p)
			}
		}()
		_ = store.UpdateStaged(ctx, s, func(stage stageFunc) error {
			_ = stage(putUsers("a", 100))
			panic("boom")
		})
	}()
	unchanged("a panic in fn")

	// The store is still usable after both.
	if err := s.Update(ctx, putUsers("z", 3)); err != nil {
		t.Fatalf("Update after failed staged writes: %v", err)
	}
	wantUsers(t, s, "z", 3)
}

var errSentinel = errors.New("sentinel")

func TestStagedModeAndOwner(t *testing.T) {
	path := newDB(t)
	// A database its owner let its group read keeps that mode: the copy
	// changes the contents, nothing else (a staged write made it 0600
	// before, which shut out an audit verifier's group).
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	wantOwner := -1
	if os.Geteuid() == 0 {
		// The copy gets the owner of the file it replaces.
		wantOwner = 4242
		if err := os.Chown(path, wantOwner, wantOwner); err != nil {
			t.Fatal(err)
		}
	}
	s := mustOpen(t, path, store.OpenOptions{})
	err := store.UpdateStaged(ctx, s, func(stage stageFunc) error { return stage(putUsers("a", 10)) })
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 as before the staged write", fi.Mode().Perm())
	}
	if st := fi.Sys().(*syscall.Stat_t); wantOwner >= 0 && (int(st.Uid) != wantOwner || int(st.Gid) != wantOwner) {
		t.Errorf("owner %d:%d after a staged write, want %d:%d", st.Uid, st.Gid, wantOwner, wantOwner)
	}
	wantUsers(t, s, "a", 10)
}

// TestStagedFallback: where a rename would change more than the contents,
// the stages run in one transaction on the file itself, with the same
// result.
func TestStagedFallback(t *testing.T) {
	for _, c := range []struct {
		name string
		// setup returns the path to open and the other names that must
		// show the change.
		setup func(t *testing.T, db string) (string, []string)
	}{
		{"symbolic link", func(t *testing.T, db string) (string, []string) {
			link := filepath.Join(filepath.Dir(db), "link.db")
			if err := os.Symlink(db, link); err != nil {
				t.Fatal(err)
			}
			return link, []string{db}
		}},
		{"hard link", func(t *testing.T, db string) (string, []string) {
			other := filepath.Join(t.TempDir(), "other.db")
			if err := os.Link(db, other); err != nil {
				t.Fatal(err)
			}
			return db, []string{other}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := newDB(t)
			path, others := c.setup(t, db)
			lfi, _ := os.Lstat(path)
			s := mustOpen(t, path, store.OpenOptions{})
			var during []string
			err := store.UpdateStaged(ctx, s, func(stage stageFunc) error {
				if err := stage(putUsers("a", 50)); err != nil {
					return err
				}
				during = append(stageFiles(t, path), stageFiles(t, db)...)
				return stage(putUsers("b", 50))
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(during) != 0 {
				t.Errorf("a stage copy was made: %q", during)
			}
			if now, _ := os.Lstat(path); !os.SameFile(lfi, now) {
				t.Error("the path was replaced")
			}
			wantUsers(t, s, "a", 50)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			for _, p := range append(others, path) {
				r := mustOpen(t, p, store.OpenOptions{ReadOnly: true})
				wantUsers(t, r, "a", 50)
				wantUsers(t, r, "b", 50)
				_ = r.Close()
			}
			// A failed staged write leaves it as it was here too.
			s = mustOpen(t, path, store.OpenOptions{})
			err = store.UpdateStaged(ctx, s, func(stage stageFunc) error {
				_ = stage(putUsers("c", 5))
				return errSentinel
			})
			if err != errSentinel {
				t.Fatalf("UpdateStaged: %v, want fn's error", err)
			}
			err = s.View(ctx, func(r store.Reader) error {
				_, err := r.User("c0")
				return err
			})
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a failed fallback staged write left its records: %v", err)
			}
		})
	}
}

// TestOpenAfterStagedReplace: a process that opened the database file and
// waited for its lock while a staged write replaced the file must not go
// on with the old, nameless file: it opens the path again.
func TestOpenAfterStagedReplace(t *testing.T) {
	for _, readOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("readOnly=%v", readOnly), func(t *testing.T) {
			path := newDB(t)
			s, err := bolt.Open(path, store.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			opened := make(chan struct{})
			first := true
			restore := bolt.SetOpenHook(func(name string) {
				if name == path && first {
					first = false
					close(opened)
				}
			})
			defer restore()
			type result struct {
				s   store.Store
				err error
			}
			done := make(chan result)
			go func() {
				s2, err := bolt.Open(path, store.OpenOptions{ReadOnly: readOnly, LockTimeout: 10 * time.Second})
				done <- result{s2, err}
			}()
			// The second opener has the old file open and waits for
			// its lock, which s holds.
			<-opened
			err = store.UpdateStaged(ctx, s, func(stage stageFunc) error { return stage(putUsers("a", 10)) })
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.err != nil {
				t.Fatalf("second open: %v", r.err)
			}
			defer r.s.Close()
			wantUsers(t, r.s, "a", 10)
			if !readOnly {
				// Its writes land in the database, not the old file.
				if err := r.s.Update(ctx, putUsers("b", 3)); err != nil {
					t.Fatal(err)
				}
				if err := r.s.Close(); err != nil {
					t.Fatal(err)
				}
				s3 := mustOpen(t, path, store.OpenOptions{ReadOnly: true})
				wantUsers(t, s3, "b", 3)
			}
		})
	}
}

// TestOpenReplacedTimesOut: the reopening after a replaced file is bounded
// by the same lock timeout: a path that is replaced at every open ends in
// ErrBusy, not a loop.
func TestOpenReplacedTimesOut(t *testing.T) {
	path := newDB(t)
	spare := filepath.Join(t.TempDir(), "spare.db")
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opens := 0
	restore := bolt.SetOpenHook(func(name string) {
		if name != path {
			return
		}
		opens++
		// Put another copy in place after each open.
		if err := os.WriteFile(spare, content, 0o600); err != nil {
			t.Error(err)
		}
		if err := os.Rename(spare, path); err != nil {
			t.Error(err)
		}
		time.Sleep(20 * time.Millisecond)
	})
	defer restore()
	s, err := bolt.Open(path, store.OpenOptions{LockTimeout: time.Second})
	if err == nil {
		s.Close()
		t.Fatal("open of a path replaced at every open succeeded")
	}
	if !errors.Is(err, store.ErrBusy) {
		t.Errorf("got %v, want ErrBusy", err)
	}
	if opens < 2 {
		t.Errorf("opened %d times, want a retry", opens)
	}
}

// TestStagedConcurrentUpdate: an Update of the same handle that runs while
// an UpdateStaged stages waits for it, and is not lost when the copy
// replaces the file it would otherwise have written to; Views keep reading.
func TestStagedConcurrentUpdate(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	updated := make(chan error, 1)
	err := store.UpdateStaged(ctx, s, func(stage stageFunc) error {
		if err := stage(putUsers("a", 10)); err != nil {
			return err
		}
		go func() { updated <- s.Update(ctx, putUsers("x", 1)) }()
		// A View meanwhile reads the database as it was.
		err := s.View(ctx, func(r store.Reader) error {
			_, err := r.User("alice")
			return err
		})
		if err != nil {
			t.Errorf("View during a staged write: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
		select {
		case err := <-updated:
			t.Errorf("an Update finished during a staged write (%v)", err)
			updated <- err
		default:
		}
		return stage(putUsers("b", 10))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-updated; err != nil {
		t.Fatalf("the concurrent Update: %v", err)
	}
	wantUsers(t, s, "x", 1)
	wantUsers(t, s, "a", 10)
	wantUsers(t, s, "b", 10)
}

// A file with extended attributes (an ACL, a security label) is not
// replaced by a copy that would lack them: the stages run in one
// transaction on the file itself.
func TestStagedKeepsExtendedAttributes(t *testing.T) {
	path := newDB(t)
	if err := syscall.Setxattr(path, "user.authctl-test", []byte("x"), 0); err != nil {
		t.Skipf("extended attributes not supported here: %v", err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, path, store.OpenOptions{})
	if err := store.UpdateStaged(ctx, s, func(stage stageFunc) error { return stage(putUsers("x", 5)) }); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("the file with an extended attribute was replaced by a copy")
	}
	buf := make([]byte, 8)
	if n, err := syscall.Getxattr(path, "user.authctl-test", buf); err != nil || string(buf[:n]) != "x" {
		t.Errorf("attribute after the write: %q, %v", buf[:n], err)
	}
	wantUsers(t, s, "x", 5)
}

// A file moved over the database's path while a staged write ran is not
// replaced by the copy, which was made from the file the store opened:
// the write fails with ErrBusy and changes neither file.
func TestStagedRefusesAReplacedPath(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	restored := filepath.Join(filepath.Dir(path), "restored.db")
	err := store.UpdateStaged(ctx, s, func(stage stageFunc) error {
		if err := stage(putUsers("r", 3)); err != nil {
			return err
		}
		// A backup restored by hand, mid-write.
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(restored, b, 0o600); err != nil {
			return err
		}
		return os.Rename(restored, path)
	})
	if !errors.Is(err, store.ErrBusy) {
		t.Fatalf("UpdateStaged: %v, want ErrBusy", err)
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.stage-*"))
	if len(matches) != 0 {
		t.Errorf("copies left behind: %v", matches)
	}
}
