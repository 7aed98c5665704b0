package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"authctl/internal/store"
)

// --- View, Update, Close ---------------------------------------------------

func testReadOnlyUpdate(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	writeAll(t, s)
	closeStore(t, s)

	s = open(t, o, store.OpenOptions{ReadOnly: true})
	called := false
	err := s.Update(ctx, func(w store.Writer) error {
		called = true
		return w.PutUser(plainUser("bob"))
	})
	if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Update on a read-only store: got %v, want store.ErrReadOnly", err)
	}
	if called {
		t.Error("Update on a read-only store called fn")
	}
	view(t, s, func(r store.Reader) error {
		checkAll(t, r)
		_, err := r.User("bob")
		wantNotFound(t, "User(bob)", err)
		return nil
	})
}

func testContextDone(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()

	for _, c := range []struct {
		name string
		ctx  context.Context
		want error
	}{{"canceled", canceled, context.Canceled}, {"deadline", expired, context.DeadlineExceeded}} {
		called := false
		err := s.View(c.ctx, func(store.Reader) error { called = true; return nil })
		if !errors.Is(err, c.want) {
			t.Errorf("View with a %s context: got %v, want %v", c.name, err, c.want)
		}
		if called {
			t.Errorf("View with a %s context called fn", c.name)
		}
		err = s.Update(c.ctx, func(w store.Writer) error {
			called = true
			return w.PutUser(plainUser("bob"))
		})
		if !errors.Is(err, c.want) {
			t.Errorf("Update with a %s context: got %v, want %v", c.name, err, c.want)
		}
		if called {
			t.Errorf("Update with a %s context called fn", c.name)
		}
	}
	view(t, s, func(r store.Reader) error {
		_, err := r.User("bob")
		wantNotFound(t, "User(bob) after Updates with done contexts", err)
		return nil
	})
}

func testClosed(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	writeAll(t, s)
	closeStore(t, s)

	check := func(s store.Store, what string) {
		t.Helper()
		called := false
		if err := s.View(ctx, func(store.Reader) error { called = true; return nil }); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s: View after Close: got %v, want store.ErrClosed", what, err)
		}
		if err := s.Update(ctx, func(store.Writer) error { called = true; return nil }); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s: Update after Close: got %v, want store.ErrClosed", what, err)
		}
		if err := store.UpdateStaged(ctx, s, func(func(func(store.Writer) error) error) error { called = true; return nil }); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s: UpdateStaged after Close: got %v, want store.ErrClosed", what, err)
		}
		if err := s.Close(); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s: second Close: got %v, want store.ErrClosed", what, err)
		}
		if called {
			t.Errorf("%s: a closed store called fn", what)
		}
	}
	check(s, "writable")
	ro := open(t, o, store.OpenOptions{ReadOnly: true})
	closeStore(t, ro)
	check(ro, "read-only")
}

func testViewReturnsFnError(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	if err := s.View(ctx, func(store.Reader) error { return errSentinel }); err != errSentinel {
		t.Errorf("View returned %v, want fn's error unchanged", err)
	}
	ce := &customError{1}
	if err := s.View(ctx, func(store.Reader) error { return ce }); err != error(ce) {
		t.Errorf("View returned %#v, want fn's error unchanged", err)
	}
	// A not-found error from the Reader, returned by fn, comes back as is.
	var nf error
	err := s.View(ctx, func(r store.Reader) error {
		_, nf = r.User("nobody")
		return nf
	})
	if err != nf || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("View returned %v, want the Reader's not-found error %v", err, nf)
	}
}

func testUpdateReturnsFnError(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	if err := s.Update(ctx, func(store.Writer) error { return errSentinel }); err != errSentinel {
		t.Errorf("Update returned %v, want fn's error unchanged", err)
	}
	ce := &customError{2}
	err := s.Update(ctx, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(plainUser("bob")))
		return ce
	})
	if err != error(ce) {
		t.Errorf("Update returned %#v, want fn's error unchanged", err)
	}
	var target *customError
	if !errors.As(err, &target) || target.n != 2 {
		t.Errorf("errors.As on Update's error failed: %v", err)
	}
	wrapped := fmt.Errorf("context: %w", errSentinel)
	if err := s.Update(ctx, func(store.Writer) error { return wrapped }); err != wrapped || !errors.Is(err, errSentinel) {
		t.Errorf("Update returned %v, want fn's wrapped error unchanged", err)
	}
}

func testUpdateRollback(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	writeAll(t, s)

	err := s.Update(ctx, func(w store.Writer) error {
		// Change every kind of record: add, replace and delete.
		must(t, "PutUser new", w.PutUser(plainUser("bob")))
		changed := fullUser("alice")
		changed.Email = "changed@example.org"
		changed.Groups = nil
		must(t, "PutUser replace", w.PutUser(changed))
		must(t, "DeleteGroup", w.DeleteGroup("admins"))
		must(t, "PutGroup", w.PutGroup(fullGroup("new")))
		must(t, "DeletePermission", w.DeletePermission("auth.add_user"))
		must(t, "PutPermission", w.PutPermission(fullPermission("x.y")))
		must(t, "DeleteSession", w.DeleteSession("s1"))
		must(t, "PutSession", w.PutSession(fullSession("s2")))
		must(t, "DeleteFailure", w.DeleteFailure("mallory"))
		must(t, "PutFailure", w.PutFailure(fullFailure("eve")))
		if _, err := w.AppendAudit(fullAudit("rolled-back")); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		must(t, "DeleteAuditThrough", w.DeleteAuditThrough(1))
		must(t, "PutMeta", w.PutMeta("secret", []byte("changed")))
		must(t, "PutMeta new", w.PutMeta("new", []byte("x")))
		return errSentinel
	})
	if err != errSentinel {
		t.Fatalf("Update returned %v, want the sentinel", err)
	}

	checkUnchanged := func(r store.Reader) error {
		checkAll(t, r)
		_, err := r.User("bob")
		wantNotFound(t, "rolled-back user", err)
		_, err = r.Group("new")
		wantNotFound(t, "rolled-back group", err)
		_, err = r.Permission("x.y")
		wantNotFound(t, "rolled-back permission", err)
		_, err = r.Session("s2")
		wantNotFound(t, "rolled-back session", err)
		_, err = r.Failure("eve")
		wantNotFound(t, "rolled-back failure", err)
		_, err = r.Meta("new")
		wantNotFound(t, "rolled-back meta", err)
		var seqs []uint64
		must(t, "Audit", r.Audit(0, func(a store.AuditRecord) error {
			seqs = append(seqs, a.Seq)
			return nil
		}))
		if !slices.Equal(seqs, []uint64{1, 2}) {
			t.Errorf("audit after rollback: %v, want [1 2]", seqs)
		}
		return nil
	}
	view(t, s, checkUnchanged)
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	view(t, s, checkUnchanged)
}

func testReadYourWrites(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	writeAll(t, s)
	update(t, s, func(w store.Writer) error {
		checkAll(t, w)

		must(t, "PutUser", w.PutUser(fullUser("bob")))
		u, err := w.User("bob")
		must(t, "User(bob) after PutUser", err)
		wantEqual(t, "User(bob)", u, fullUser("bob"), normUser)
		var names []string
		must(t, "Users", w.Users("", func(u store.User) error { names = append(names, u.Username); return nil }))
		if !slices.Equal(names, []string{"alice", "bob"}) {
			t.Errorf("Users after PutUser = %q, want [alice bob]", names)
		}

		must(t, "DeleteUser", w.DeleteUser("alice"))
		_, err = w.User("alice")
		wantNotFound(t, "User(alice) after DeleteUser", err)
		names = nil
		must(t, "Users", w.Users("", func(u store.User) error { names = append(names, u.Username); return nil }))
		if !slices.Equal(names, []string{"bob"}) {
			t.Errorf("Users after DeleteUser = %q, want [bob]", names)
		}

		must(t, "PutGroup", w.PutGroup(fullGroup("b")))
		if _, err := w.Group("b"); err != nil {
			t.Errorf("Group after PutGroup: %v", err)
		}
		must(t, "DeleteGroup", w.DeleteGroup("admins"))
		var groups []string
		must(t, "Groups", w.Groups(func(g store.Group) error { groups = append(groups, g.Name); return nil }))
		if !slices.Equal(groups, []string{"b"}) {
			t.Errorf("Groups = %q, want [b]", groups)
		}

		must(t, "PutPermission", w.PutPermission(fullPermission("auth.b")))
		var perms []string
		must(t, "Permissions", w.Permissions("auth.", func(p store.Permission) error { perms = append(perms, p.Perm); return nil }))
		if !slices.Equal(perms, []string{"auth.add_user", "auth.b"}) {
			t.Errorf("Permissions = %q", perms)
		}

		must(t, "PutSession", w.PutSession(fullSession("s2")))
		must(t, "DeleteSession", w.DeleteSession("s1"))
		var sessions []string
		must(t, "Sessions", w.Sessions(func(s store.Session) error { sessions = append(sessions, s.ID); return nil }))
		if !slices.Equal(sessions, []string{"s2"}) {
			t.Errorf("Sessions = %q, want [s2]", sessions)
		}

		f := fullFailure("mallory")
		f.Count = 8
		must(t, "PutFailure", w.PutFailure(f))
		got, err := w.Failure("mallory")
		must(t, "Failure", err)
		if got.Count != 8 {
			t.Errorf("Failure.Count = %d after PutFailure, want 8", got.Count)
		}
		var failures []int
		must(t, "Failures", w.Failures(func(f store.Failure) error { failures = append(failures, f.Count); return nil }))
		if !slices.Equal(failures, []int{8}) {
			t.Errorf("Failures counts = %v, want [8]", failures)
		}

		seq, err := w.AppendAudit(fullAudit("third"))
		must(t, "AppendAudit", err)
		last, err := w.LastAudit()
		must(t, "LastAudit", err)
		if last.Seq != seq || last.Action != "third" {
			t.Errorf("LastAudit after AppendAudit = %d %q, want %d third", last.Seq, last.Action, seq)
		}
		var seqs []uint64
		must(t, "Audit", w.Audit(0, func(a store.AuditRecord) error { seqs = append(seqs, a.Seq); return nil }))
		if !slices.Equal(seqs, []uint64{1, 2, 3}) {
			t.Errorf("Audit = %v, want [1 2 3]", seqs)
		}
		must(t, "DeleteAuditThrough", w.DeleteAuditThrough(2))
		seqs = nil
		must(t, "Audit", w.Audit(0, func(a store.AuditRecord) error { seqs = append(seqs, a.Seq); return nil }))
		if !slices.Equal(seqs, []uint64{3}) {
			t.Errorf("Audit after DeleteAuditThrough(2) = %v, want [3]", seqs)
		}

		must(t, "PutMeta", w.PutMeta("secret", []byte("new")))
		m, err := w.Meta("secret")
		must(t, "Meta", err)
		if string(m) != "new" {
			t.Errorf("Meta after PutMeta = %q, want new", m)
		}
		return nil
	})
}

func testConcurrentViews(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	const users = 200
	update(t, s, func(w store.Writer) error {
		for i := range users {
			must(t, "PutUser", w.PutUser(fullUser(fmt.Sprintf("user%03d", i))))
		}
		return nil
	})

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	stop := make(chan struct{})
	// One writer keeps changing other records meanwhile.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := s.Update(ctx, func(w store.Writer) error {
				_, err := w.AppendAudit(fullAudit("tick"))
				if err != nil {
					return err
				}
				return w.PutGroup(fullGroup(fmt.Sprintf("g%d", i%10)))
			})
			if err != nil {
				errs <- fmt.Errorf("Update: %w", err)
				return
			}
		}
	}()
	var readers sync.WaitGroup
	for g := range 8 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := range 20 {
				err := s.View(ctx, func(r store.Reader) error {
					name := fmt.Sprintf("user%03d", (g*31+i*7)%users)
					u, err := r.User(name)
					if err != nil {
						return err
					}
					if u.Username != name || u.Email != name+"@example.org" {
						return fmt.Errorf("User(%s) returned %+v", name, u)
					}
					n := 0
					if err := r.Users("", func(store.User) error { n++; return nil }); err != nil {
						return err
					}
					if n != users {
						return fmt.Errorf("Users visited %d, want %d", n, users)
					}
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("View: %w", err)
					return
				}
			}
		}()
	}
	readers.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testConcurrentUpdates(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	const workers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := s.Update(ctx, func(w store.Writer) error {
					n := 0
					v, err := w.Meta("counter")
					if err == nil {
						if n, err = strconv.Atoi(string(v)); err != nil {
							return err
						}
					} else if !errors.Is(err, store.ErrNotFound) {
						return err
					}
					if err := w.PutMeta("counter", []byte(strconv.Itoa(n+1))); err != nil {
						return err
					}
					_, err = w.AppendAudit(fullAudit("inc"))
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Update: %v", err)
	}
	view(t, s, func(r store.Reader) error {
		v, err := r.Meta("counter")
		must(t, "Meta(counter)", err)
		if string(v) != strconv.Itoa(workers*each) {
			t.Errorf("counter = %s after %d increments: an Update was lost", v, workers*each)
		}
		var want, got []uint64
		for i := range workers * each {
			want = append(want, uint64(i+1))
		}
		must(t, "Audit", r.Audit(0, func(a store.AuditRecord) error { got = append(got, a.Seq); return nil }))
		if !slices.Equal(got, want) {
			t.Errorf("audit seqs after concurrent appends = %v, want 1..%d", got, workers*each)
		}
		return nil
	})
}

// testTxDone: a Reader or Writer kept past its callback fails with
// ErrTxDone (which wraps ErrClosed) instead of reading or writing.
func testTxDone(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	writeAll(t, s)
	var kept store.Reader
	view(t, s, func(r store.Reader) error { kept = r; return nil })
	if _, err := kept.User("bob"); !errors.Is(err, store.ErrTxDone) || !errors.Is(err, store.ErrClosed) {
		t.Errorf("User on a Reader after View returned: got %v, want store.ErrTxDone", err)
	}
	var w store.Writer
	if err := s.Update(ctx, func(u store.Writer) error { w = u; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := w.PutUser(plainUser("carol")); !errors.Is(err, store.ErrTxDone) {
		t.Errorf("PutUser on a Writer after Update returned: got %v, want store.ErrTxDone", err)
	}
	view(t, s, func(r store.Reader) error {
		_, err := r.User("carol")
		wantNotFound(t, "User(carol) after a Writer was used late", err)
		return nil
	})
}
