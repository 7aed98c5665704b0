package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"authctl/internal/store"
)

// tests is the conformance suite, in the order of the contract.
var tests = []testCase{
	// Opening.
	{"OpenMissing", testOpenMissing},
	{"OpenMissingReadOnly", testOpenMissingReadOnly},
	{"CreateKeepsExisting", testCreateKeepsExisting},
	{"CreateReadOnly", testCreateReadOnly},
	{"Persistence", testPersistence},
	{"ReadOnlyOpensShare", testReadOnlyOpensShare},

	// Store: View, Update, Close.
	{"ReadOnlyUpdate", testReadOnlyUpdate},
	{"ContextDone", testContextDone},
	{"Closed", testClosed},
	{"ViewReturnsFnError", testViewReturnsFnError},
	{"UpdateReturnsFnError", testUpdateReturnsFnError},
	{"UpdateRollback", testUpdateRollback},
	{"ReadYourWrites", testReadYourWrites},
	{"ConcurrentViews", testConcurrentViews},
	{"ConcurrentUpdates", testConcurrentUpdates},

	// Records.
	{"EmptyStore", testEmptyStore},
	{"RoundTrip", testRoundTrip},
	{"ZeroValues", testZeroValues},
	{"PutReplaces", testPutReplaces},
	{"Delete", testDelete},
	{"DeleteMissing", testDeleteMissing},
	{"ExactKeys", testExactKeys},
	{"InvalidKeys", testInvalidKeys},
	{"ReturnedRecordsAreCopies", testReturnedRecordsAreCopies},
	{"PutCopies", testPutCopies},

	// Iteration.
	{"IterationOrder", testIterationOrder},
	{"UsersPrefix", testUsersPrefix},
	{"PermissionsPrefix", testPermissionsPrefix},
	{"IterationStops", testIterationStops},
	{"NestedReads", testNestedReads},
	{"WriteDuringIteration", testWriteDuringIteration},
	{"LargeIteration", testLargeIteration},

	// Audit log.
	{"AuditEmpty", testAuditEmpty},
	{"AuditSequence", testAuditSequence},
	{"AuditAfter", testAuditAfter},
	{"AuditNeverReused", testAuditNeverReused},
	{"AuditSeq", testAuditSeq},
	{"AuditRollback", testAuditRollback},

	// Meta.
	{"Meta", testMeta},
	{"MetaKeysAreTheCallers", testMetaKeysAreTheCallers},
}

// --- opening ---------------------------------------------------------------

func testOpenMissing(t *testing.T, newOpener NewOpener) {
	o := newOpener(t)
	s, err := o(store.OpenOptions{})
	if err == nil {
		s.Close()
		t.Fatal("opening a missing database without Create succeeded")
	}
	if !errors.Is(err, store.ErrNoDatabase) {
		t.Errorf("got %v, want an error wrapping store.ErrNoDatabase", err)
	}
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("got %v, want an error wrapping store.ErrNotFound too", err)
	}
	// The failed open must not have created it.
	if s, err := o(store.OpenOptions{}); !errors.Is(err, store.ErrNoDatabase) {
		if err == nil {
			s.Close()
		}
		t.Errorf("second open: got %v, want store.ErrNoDatabase (the first open created the database?)", err)
	}
}

func testOpenMissingReadOnly(t *testing.T, newOpener NewOpener) {
	o := newOpener(t)
	s, err := o(store.OpenOptions{ReadOnly: true})
	if err == nil {
		s.Close()
		t.Fatal("opening a missing database read-only without Create succeeded")
	}
	if !errors.Is(err, store.ErrNoDatabase) {
		t.Errorf("got %v, want an error wrapping store.ErrNoDatabase", err)
	}
}

func testCreateKeepsExisting(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error { return w.PutUser(fullUser("alice")) })
	closeStore(t, s)

	s = open(t, o, store.OpenOptions{Create: true})
	view(t, s, func(r store.Reader) error {
		u, err := r.User("alice")
		must(t, "User after reopening with Create", err)
		wantEqual(t, "user", u, fullUser("alice"), normUser)
		return nil
	})
}

func testCreateReadOnly(t *testing.T, newOpener NewOpener) {
	o := newOpener(t)
	s := open(t, o, store.OpenOptions{Create: true, ReadOnly: true})
	view(t, s, func(r store.Reader) error {
		_, err := r.User("alice")
		wantNotFound(t, "User in a new store", err)
		return nil
	})
	called := false
	err := s.Update(ctx, func(store.Writer) error { called = true; return nil })
	if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Update on a store opened {Create, ReadOnly}: got %v, want store.ErrReadOnly", err)
	}
	if called {
		t.Error("Update on a read-only store called fn")
	}
	closeStore(t, s)
	// It exists now.
	s = open(t, o, store.OpenOptions{})
	closeStore(t, s)
}

// writeAll stores one full record of every kind, two audit records and a
// meta value.
func writeAll(t testing.TB, s store.Store) {
	t.Helper()
	update(t, s, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(fullUser("alice")))
		must(t, "PutGroup", w.PutGroup(fullGroup("admins")))
		must(t, "PutPermission", w.PutPermission(fullPermission("auth.add_user")))
		must(t, "PutSession", w.PutSession(fullSession("s1")))
		must(t, "PutFailure", w.PutFailure(fullFailure("mallory")))
		for _, a := range []string{"create", "login"} {
			if _, err := w.AppendAudit(fullAudit(a)); err != nil {
				t.Fatalf("AppendAudit: %v", err)
			}
		}
		must(t, "PutMeta", w.PutMeta("secret", []byte{0, 1, 2, 0xff}))
		return nil
	})
}

// checkAll checks what writeAll stored.
func checkAll(t testing.TB, r store.Reader) {
	t.Helper()
	u, err := r.User("alice")
	must(t, "User", err)
	wantEqual(t, "User", u, fullUser("alice"), normUser)
	g, err := r.Group("admins")
	must(t, "Group", err)
	wantEqual(t, "Group", g, fullGroup("admins"), normGroup)
	p, err := r.Permission("auth.add_user")
	must(t, "Permission", err)
	wantEqual(t, "Permission", p, fullPermission("auth.add_user"), nil)
	ss, err := r.Session("s1")
	must(t, "Session", err)
	want := fullSession("s1")
	ss.Created, want.Created = time.Time{}, time.Time{} // time.Now() differs
	wantEqual(t, "Session", ss, want, normSession)
	f, err := r.Failure("mallory")
	must(t, "Failure", err)
	wantEqual(t, "Failure", f, fullFailure("mallory"), normFailure)
	a, err := r.LastAudit()
	must(t, "LastAudit", err)
	wantA := fullAudit("login")
	wantA.Seq = 2
	a.Time, wantA.Time = time.Time{}, time.Time{}
	wantEqual(t, "LastAudit", a, wantA, normAudit)
	m, err := r.Meta("secret")
	must(t, "Meta", err)
	if !bytes.Equal(m, []byte{0, 1, 2, 0xff}) {
		t.Errorf("Meta = %x, want 000102ff", m)
	}
}

func testPersistence(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	writeAll(t, s)
	closeStore(t, s)

	for _, opts := range []store.OpenOptions{{}, {ReadOnly: true}} {
		s = open(t, o, opts)
		view(t, s, func(r store.Reader) error { checkAll(t, r); return nil })
		closeStore(t, s)
	}
}

func testReadOnlyOpensShare(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	writeAll(t, s)
	closeStore(t, s)

	ro := store.OpenOptions{ReadOnly: true, LockTimeout: 2 * time.Second}
	a := open(t, o, ro)
	b := open(t, o, ro)
	c := open(t, o, ro)
	for _, s := range []store.Store{a, b, c} {
		view(t, s, func(r store.Reader) error { checkAll(t, r); return nil })
	}
	// Views on different stores, at the same time.
	err := a.View(ctx, func(ra store.Reader) error {
		return b.View(ctx, func(rb store.Reader) error {
			checkAll(t, ra)
			checkAll(t, rb)
			return nil
		})
	})
	must(t, "nested Views on two read-only stores", err)
	closeStore(t, a)
	closeStore(t, b)
	closeStore(t, c)
}

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

// --- records ---------------------------------------------------------------

func testEmptyStore(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	check := func(r store.Reader) error {
		_, err := r.User("alice")
		wantNotFound(t, "User", err)
		_, err = r.Group("admins")
		wantNotFound(t, "Group", err)
		_, err = r.Permission("auth.add_user")
		wantNotFound(t, "Permission", err)
		_, err = r.Session("s1")
		wantNotFound(t, "Session", err)
		_, err = r.Failure("alice")
		wantNotFound(t, "Failure", err)
		_, err = r.LastAudit()
		wantNotFound(t, "LastAudit", err)
		_, err = r.Meta("secret")
		wantNotFound(t, "Meta", err)
		// Lookups with the empty key find nothing either.
		_, err = r.User("")
		wantNotFound(t, `User("")`, err)
		_, err = r.Meta("")
		wantNotFound(t, `Meta("")`, err)

		visited := 0
		count := func() error { visited++; return nil }
		must(t, "Users", r.Users("", func(store.User) error { return count() }))
		must(t, "Groups", r.Groups(func(store.Group) error { return count() }))
		must(t, "Permissions", r.Permissions("", func(store.Permission) error { return count() }))
		must(t, "Sessions", r.Sessions(func(store.Session) error { return count() }))
		must(t, "Failures", r.Failures(func(store.Failure) error { return count() }))
		must(t, "Audit", r.Audit(0, func(store.AuditRecord) error { return count() }))
		if visited != 0 {
			t.Errorf("iterators of an empty store visited %d records", visited)
		}
		return nil
	}
	view(t, s, check)
	update(t, s, func(w store.Writer) error { return check(w) })
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	view(t, s, check)
}

func testRoundTrip(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	// Times carrying a monotonic reading, in odd zones, with nanoseconds.
	now := time.Now()
	u := fullUser("alice")
	u.DateJoined = now
	sess := fullSession("s1")
	sess.Created = now
	audit := fullAudit("login")
	audit.Time = now.In(zoneA)
	wantAudit := audit
	wantAudit.Seq = 1

	check := func(r store.Reader) {
		t.Helper()
		got, err := r.User("alice")
		must(t, "User", err)
		wantEqual(t, "User", got, u, normUser)
		if !got.DateJoined.Equal(now) || !got.LastLogin.Equal(*u.LastLogin) {
			t.Errorf("User times: got %v %v, want %v %v", got.DateJoined, got.LastLogin, now, u.LastLogin)
		}
		g, err := r.Group("admins")
		must(t, "Group", err)
		wantEqual(t, "Group", g, fullGroup("admins"), normGroup)
		p, err := r.Permission("auth.add_user")
		must(t, "Permission", err)
		wantEqual(t, "Permission", p, fullPermission("auth.add_user"), nil)
		gs, err := r.Session("s1")
		must(t, "Session", err)
		wantEqual(t, "Session", gs, sess, normSession)
		f, err := r.Failure("mallory")
		must(t, "Failure", err)
		wantEqual(t, "Failure", f, fullFailure("mallory"), normFailure)
		a, err := r.LastAudit()
		must(t, "LastAudit", err)
		wantEqual(t, "AuditRecord", a, wantAudit, normAudit)
		var viaIter []store.AuditRecord
		must(t, "Audit", r.Audit(0, func(a store.AuditRecord) error { viaIter = append(viaIter, a); return nil }))
		if len(viaIter) != 1 {
			t.Fatalf("Audit visited %d records, want 1", len(viaIter))
		}
		wantEqual(t, "Audit record", viaIter[0], wantAudit, normAudit)
		// Iterators return the same records as lookups.
		must(t, "Users", r.Users("", func(got store.User) error { wantEqual(t, "Users", got, u, normUser); return nil }))
		must(t, "Groups", r.Groups(func(got store.Group) error { wantEqual(t, "Groups", got, fullGroup("admins"), normGroup); return nil }))
		must(t, "Permissions", r.Permissions("", func(got store.Permission) error {
			wantEqual(t, "Permissions", got, fullPermission("auth.add_user"), nil)
			return nil
		}))
		must(t, "Sessions", r.Sessions(func(got store.Session) error { wantEqual(t, "Sessions", got, sess, normSession); return nil }))
		must(t, "Failures", r.Failures(func(got store.Failure) error {
			wantEqual(t, "Failures", got, fullFailure("mallory"), normFailure)
			return nil
		}))
	}

	update(t, s, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(u))
		must(t, "PutGroup", w.PutGroup(fullGroup("admins")))
		must(t, "PutPermission", w.PutPermission(fullPermission("auth.add_user")))
		must(t, "PutSession", w.PutSession(sess))
		must(t, "PutFailure", w.PutFailure(fullFailure("mallory")))
		seq, err := w.AppendAudit(audit)
		must(t, "AppendAudit", err)
		if seq != 1 {
			t.Errorf("first AppendAudit returned %d, want 1", seq)
		}
		check(w)
		return nil
	})
	view(t, s, func(r store.Reader) error { check(r); return nil })
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	view(t, s, func(r store.Reader) error { check(r); return nil })
}

func testZeroValues(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	// Records with nothing but a key: zero times, nil pointers, no slices,
	// false flags, empty strings.
	u := store.User{Username: "u"}
	uEmpty := store.User{Username: "v", Groups: []string{}, Permissions: []string{}}
	g := store.Group{Name: "g"}
	p := store.Permission{Perm: "p"}
	ss := store.Session{ID: "s"}
	sEmpty := store.Session{ID: "t", Digest: []byte{}}
	f := store.Failure{Username: "f"}
	a := store.AuditRecord{}
	update(t, s, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(u))
		must(t, "PutUser", w.PutUser(uEmpty))
		must(t, "PutGroup", w.PutGroup(g))
		must(t, "PutPermission", w.PutPermission(p))
		must(t, "PutSession", w.PutSession(ss))
		must(t, "PutSession", w.PutSession(sEmpty))
		must(t, "PutFailure", w.PutFailure(f))
		_, err := w.AppendAudit(a)
		must(t, "AppendAudit", err)
		must(t, "PutMeta", w.PutMeta("empty", nil))
		must(t, "PutMeta", w.PutMeta("empty2", []byte{}))
		return nil
	})
	view(t, s, func(r store.Reader) error {
		got, err := r.User("u")
		must(t, "User", err)
		wantEqual(t, "User", got, u, normUser)
		if got.LastLogin != nil {
			t.Errorf("User.LastLogin = %v, want nil", got.LastLogin)
		}
		if !got.DateJoined.IsZero() {
			t.Errorf("User.DateJoined = %v, want the zero time", got.DateJoined)
		}
		got, err = r.User("v")
		must(t, "User", err)
		wantEqual(t, "User with empty slices", got, uEmpty, normUser)
		gg, err := r.Group("g")
		must(t, "Group", err)
		wantEqual(t, "Group", gg, g, normGroup)
		gp, err := r.Permission("p")
		must(t, "Permission", err)
		wantEqual(t, "Permission", gp, p, nil)
		gs, err := r.Session("s")
		must(t, "Session", err)
		wantEqual(t, "Session", gs, ss, normSession)
		gs, err = r.Session("t")
		must(t, "Session", err)
		wantEqual(t, "Session with empty digest", gs, sEmpty, normSession)
		gf, err := r.Failure("f")
		must(t, "Failure", err)
		wantEqual(t, "Failure", gf, f, normFailure)
		if !gf.LockedUntil.IsZero() {
			t.Errorf("Failure.LockedUntil = %v, want the zero time", gf.LockedUntil)
		}
		ga, err := r.LastAudit()
		must(t, "LastAudit", err)
		a.Seq = 1
		wantEqual(t, "AuditRecord", ga, a, normAudit)
		for _, k := range []string{"empty", "empty2"} {
			m, err := r.Meta(k)
			if err != nil {
				t.Errorf("Meta(%q) of an empty value: %v", k, err)
			} else if len(m) != 0 {
				t.Errorf("Meta(%q) = %x, want empty", k, m)
			}
		}
		return nil
	})
}

func testPutReplaces(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(fullUser("alice")))
		must(t, "PutGroup", w.PutGroup(fullGroup("g")))
		must(t, "PutPermission", w.PutPermission(fullPermission("a.b")))
		must(t, "PutSession", w.PutSession(fullSession("s")))
		must(t, "PutFailure", w.PutFailure(fullFailure("f")))
		must(t, "PutMeta", w.PutMeta("m", []byte("long old value")))
		return nil
	})
	u2 := store.User{Username: "alice", Email: "new@example.org"}
	g2 := store.Group{Name: "g"}
	p2 := store.Permission{Perm: "a.b", Name: "renamed"}
	s2 := store.Session{ID: "s", Username: "bob"}
	f2 := store.Failure{Username: "f", Count: 1}
	update(t, s, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(u2))
		must(t, "PutGroup", w.PutGroup(g2))
		must(t, "PutPermission", w.PutPermission(p2))
		must(t, "PutSession", w.PutSession(s2))
		must(t, "PutFailure", w.PutFailure(f2))
		must(t, "PutMeta", w.PutMeta("m", []byte("new")))
		return nil
	})
	view(t, s, func(r store.Reader) error {
		u, err := r.User("alice")
		must(t, "User", err)
		wantEqual(t, "replaced User", u, u2, normUser)
		g, err := r.Group("g")
		must(t, "Group", err)
		wantEqual(t, "replaced Group", g, g2, normGroup)
		p, err := r.Permission("a.b")
		must(t, "Permission", err)
		wantEqual(t, "replaced Permission", p, p2, nil)
		ss, err := r.Session("s")
		must(t, "Session", err)
		wantEqual(t, "replaced Session", ss, s2, normSession)
		f, err := r.Failure("f")
		must(t, "Failure", err)
		wantEqual(t, "replaced Failure", f, f2, normFailure)
		m, err := r.Meta("m")
		must(t, "Meta", err)
		if string(m) != "new" {
			t.Errorf("replaced Meta = %q, want new", m)
		}
		n := 0
		must(t, "Users", r.Users("", func(store.User) error { n++; return nil }))
		must(t, "Groups", r.Groups(func(store.Group) error { n++; return nil }))
		must(t, "Permissions", r.Permissions("", func(store.Permission) error { n++; return nil }))
		must(t, "Sessions", r.Sessions(func(store.Session) error { n++; return nil }))
		must(t, "Failures", r.Failures(func(store.Failure) error { n++; return nil }))
		if n != 5 {
			t.Errorf("iterators visited %d records after replacing 5, want 5", n)
		}
		return nil
	})
}

func testDelete(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	writeAll(t, s)
	update(t, s, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(plainUser("bob")))
		return nil
	})
	update(t, s, func(w store.Writer) error {
		must(t, "DeleteUser", w.DeleteUser("alice"))
		must(t, "DeleteGroup", w.DeleteGroup("admins"))
		must(t, "DeletePermission", w.DeletePermission("auth.add_user"))
		must(t, "DeleteSession", w.DeleteSession("s1"))
		must(t, "DeleteFailure", w.DeleteFailure("mallory"))
		return nil
	})
	check := func(r store.Reader) error {
		_, err := r.User("alice")
		wantNotFound(t, "deleted User", err)
		_, err = r.Group("admins")
		wantNotFound(t, "deleted Group", err)
		_, err = r.Permission("auth.add_user")
		wantNotFound(t, "deleted Permission", err)
		_, err = r.Session("s1")
		wantNotFound(t, "deleted Session", err)
		_, err = r.Failure("mallory")
		wantNotFound(t, "deleted Failure", err)
		if _, err := r.User("bob"); err != nil {
			t.Errorf("User(bob), not deleted: %v", err)
		}
		var names []string
		must(t, "Users", r.Users("", func(u store.User) error { names = append(names, u.Username); return nil }))
		if !slices.Equal(names, []string{"bob"}) {
			t.Errorf("Users after delete = %q, want [bob]", names)
		}
		return nil
	}
	view(t, s, check)
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	view(t, s, check)
}

func testDeleteMissing(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		// Records of other kinds under the same key do not count.
		must(t, "PutUser", w.PutUser(plainUser("x")))
		must(t, "PutFailure", w.PutFailure(store.Failure{Username: "y"}))
		return nil
	})
	err := s.Update(ctx, func(w store.Writer) error {
		wantNotFound(t, "DeleteUser(missing)", w.DeleteUser("y"))
		wantNotFound(t, "DeleteGroup(missing)", w.DeleteGroup("x"))
		wantNotFound(t, "DeletePermission(missing)", w.DeletePermission("x"))
		wantNotFound(t, "DeleteSession(missing)", w.DeleteSession("x"))
		wantNotFound(t, "DeleteFailure(missing)", w.DeleteFailure("x"))
		wantNotFound(t, `DeleteUser("")`, w.DeleteUser(""))
		must(t, "DeleteUser", w.DeleteUser("x"))
		wantNotFound(t, "DeleteUser twice", w.DeleteUser("x"))
		return nil
	})
	must(t, "Update after failed deletes", err)
	view(t, s, func(r store.Reader) error {
		_, err := r.User("x")
		wantNotFound(t, "User(x)", err)
		if _, err := r.Failure("y"); err != nil {
			t.Errorf("Failure(y): %v", err)
		}
		return nil
	})
}

// oddKeys are distinct keys that a sloppy backend might confuse: case,
// whitespace, separators, Unicode, prefixes of one another.
var oddKeys = []string{
	"alice", "Alice", "ALICE", "alice ", " alice", "al", "alice.", "alice/x",
	"alice\x00", "a", "b", "é", "e\u0301", "日本", "\U0001F600", "a+b", "a%2Fb",
	"100", "20", "_", "-", "~", ".", "..", "/", longKey(),
}

func longKey() string {
	b := make([]byte, 200)
	for i := range b {
		b[i] = 'k'
	}
	return string(b)
}

func testExactKeys(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		for i, k := range oddKeys {
			u := plainUser(k)
			u.Email = strconv.Itoa(i)
			must(t, "PutUser "+strconv.Quote(k), w.PutUser(u))
			must(t, "PutGroup", w.PutGroup(store.Group{Name: k, Permissions: []string{strconv.Itoa(i)}}))
			must(t, "PutPermission", w.PutPermission(store.Permission{Perm: k, Name: strconv.Itoa(i)}))
			must(t, "PutSession", w.PutSession(store.Session{ID: k, AuthHash: strconv.Itoa(i)}))
			must(t, "PutFailure", w.PutFailure(store.Failure{Username: k, Count: i}))
			must(t, "PutMeta", w.PutMeta(k, []byte(strconv.Itoa(i))))
		}
		return nil
	})
	view(t, s, func(r store.Reader) error {
		for i, k := range oddKeys {
			want := strconv.Itoa(i)
			if u, err := r.User(k); err != nil || u.Username != k || u.Email != want {
				t.Errorf("User(%q) = %q %q, %v; want %q %q", k, u.Username, u.Email, err, k, want)
			}
			if g, err := r.Group(k); err != nil || g.Name != k || !slices.Equal(g.Permissions, []string{want}) {
				t.Errorf("Group(%q) = %+v, %v", k, g, err)
			}
			if p, err := r.Permission(k); err != nil || p.Perm != k || p.Name != want {
				t.Errorf("Permission(%q) = %+v, %v", k, p, err)
			}
			if ss, err := r.Session(k); err != nil || ss.ID != k || ss.AuthHash != want {
				t.Errorf("Session(%q) = %+v, %v", k, ss, err)
			}
			if f, err := r.Failure(k); err != nil || f.Username != k || f.Count != i {
				t.Errorf("Failure(%q) = %+v, %v", k, f, err)
			}
			if m, err := r.Meta(k); err != nil || string(m) != want {
				t.Errorf("Meta(%q) = %q, %v", k, m, err)
			}
		}
		for _, k := range []string{"ALICe", "alice  ", "alic", "e", "\u00e9 ", "日"} {
			_, err := r.User(k)
			wantNotFound(t, fmt.Sprintf("User(%q)", k), err)
		}
		return nil
	})
}

func testInvalidKeys(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		for _, k := range []string{"", "bad\xff", "\xc3"} {
			if err := w.PutUser(store.User{Username: k}); err == nil {
				t.Errorf("PutUser with key %q succeeded", k)
			}
			if err := w.PutGroup(store.Group{Name: k}); err == nil {
				t.Errorf("PutGroup with key %q succeeded", k)
			}
			if err := w.PutPermission(store.Permission{Perm: k}); err == nil {
				t.Errorf("PutPermission with key %q succeeded", k)
			}
			if err := w.PutSession(store.Session{ID: k}); err == nil {
				t.Errorf("PutSession with key %q succeeded", k)
			}
			if err := w.PutFailure(store.Failure{Username: k}); err == nil {
				t.Errorf("PutFailure with key %q succeeded", k)
			}
			if err := w.PutMeta(k, []byte("x")); err == nil {
				t.Errorf("PutMeta with key %q succeeded", k)
			}
		}
		// The transaction is still usable.
		return w.PutUser(plainUser("ok"))
	})
	view(t, s, func(r store.Reader) error {
		var names []string
		must(t, "Users", r.Users("", func(u store.User) error { names = append(names, u.Username); return nil }))
		if !slices.Equal(names, []string{"ok"}) {
			t.Errorf("Users after invalid puts = %q, want [ok]", names)
		}
		n := 0
		must(t, "Groups", r.Groups(func(store.Group) error { n++; return nil }))
		must(t, "Permissions", r.Permissions("", func(store.Permission) error { n++; return nil }))
		must(t, "Sessions", r.Sessions(func(store.Session) error { n++; return nil }))
		must(t, "Failures", r.Failures(func(store.Failure) error { n++; return nil }))
		if n != 0 {
			t.Errorf("%d records stored by invalid puts", n)
		}
		return nil
	})
}

func testReturnedRecordsAreCopies(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	writeAll(t, s)
	scribble := func(r store.Reader) error {
		u, err := r.User("alice")
		must(t, "User", err)
		u.Groups[0] = "hacked"
		u.Permissions = append(u.Permissions[:1], "hacked")
		*u.LastLogin = time.Time{}
		must(t, "Users", r.Users("", func(u store.User) error {
			u.Groups[1] = "hacked"
			return nil
		}))
		g, err := r.Group("admins")
		must(t, "Group", err)
		g.Permissions[0] = "hacked"
		ss, err := r.Session("s1")
		must(t, "Session", err)
		ss.Digest[0] = 0xaa
		must(t, "Sessions", r.Sessions(func(s store.Session) error {
			s.Digest[1] = 0xbb
			return nil
		}))
		m, err := r.Meta("secret")
		must(t, "Meta", err)
		m[0] = 0xcc
		return nil
	}
	view(t, s, scribble)
	update(t, s, func(w store.Writer) error { return scribble(w) })
	view(t, s, func(r store.Reader) error { checkAll(t, r); return nil })
	// Within one View too: a second lookup is not affected by the first.
	view(t, s, func(r store.Reader) error {
		m, err := r.Meta("secret")
		must(t, "Meta", err)
		m[0] = 0xcc
		m2, err := r.Meta("secret")
		must(t, "Meta", err)
		if m2[0] != 0 {
			t.Errorf("changing a returned Meta value changed the next lookup: %x", m2)
		}
		return nil
	})
}

func testPutCopies(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	u := fullUser("alice")
	sess := fullSession("s1")
	g := fullGroup("admins")
	meta := []byte{0, 1, 2, 0xff}
	update(t, s, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(u))
		must(t, "PutSession", w.PutSession(sess))
		must(t, "PutGroup", w.PutGroup(g))
		must(t, "PutMeta", w.PutMeta("secret", meta))
		u.Groups[0] = "hacked"
		sess.Digest[0] = 0xaa
		g.Permissions[0] = "hacked"
		meta[0] = 0xcc
		got, err := w.User("alice")
		must(t, "User", err)
		if got.Groups[0] != "admins" {
			t.Errorf("changing a User after PutUser changed the store: %q", got.Groups)
		}
		return nil
	})
	view(t, s, func(r store.Reader) error {
		got, err := r.User("alice")
		must(t, "User", err)
		wantEqual(t, "User", got, fullUser("alice"), normUser)
		gs, err := r.Session("s1")
		must(t, "Session", err)
		if !bytes.Equal(gs.Digest, fullSession("s1").Digest) {
			t.Errorf("changing a Session after PutSession changed the store: %x", gs.Digest)
		}
		gg, err := r.Group("admins")
		must(t, "Group", err)
		wantEqual(t, "Group", gg, fullGroup("admins"), normGroup)
		m, err := r.Meta("secret")
		must(t, "Meta", err)
		if !bytes.Equal(m, []byte{0, 1, 2, 0xff}) {
			t.Errorf("changing a value after PutMeta changed the store: %x", m)
		}
		return nil
	})
}

// --- iteration -------------------------------------------------------------

func testIterationOrder(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	want := slices.Clone(oddKeys)
	slices.Sort(want) // Go compares strings bytewise
	// Insert in a scrambled order, over several transactions.
	scrambled := slices.Clone(oddKeys)
	for i := range scrambled {
		j := (i*7 + 3) % len(scrambled)
		scrambled[i], scrambled[j] = scrambled[j], scrambled[i]
	}
	for chunk := range slices.Chunk(scrambled, 5) {
		update(t, s, func(w store.Writer) error {
			for _, k := range chunk {
				must(t, "PutUser", w.PutUser(plainUser(k)))
				must(t, "PutGroup", w.PutGroup(store.Group{Name: k}))
				must(t, "PutPermission", w.PutPermission(store.Permission{Perm: k}))
				must(t, "PutSession", w.PutSession(store.Session{ID: k}))
				must(t, "PutFailure", w.PutFailure(store.Failure{Username: k}))
			}
			return nil
		})
	}
	check := func(r store.Reader) error {
		var users, groups, perms, sessions, failures []string
		must(t, "Users", r.Users("", func(v store.User) error { users = append(users, v.Username); return nil }))
		must(t, "Groups", r.Groups(func(v store.Group) error { groups = append(groups, v.Name); return nil }))
		must(t, "Permissions", r.Permissions("", func(v store.Permission) error { perms = append(perms, v.Perm); return nil }))
		must(t, "Sessions", r.Sessions(func(v store.Session) error { sessions = append(sessions, v.ID); return nil }))
		must(t, "Failures", r.Failures(func(v store.Failure) error { failures = append(failures, v.Username); return nil }))
		for name, got := range map[string][]string{
			"Users": users, "Groups": groups, "Permissions": perms, "Sessions": sessions, "Failures": failures,
		} {
			if !slices.Equal(got, want) {
				t.Errorf("%s order:\n got  %q\n want %q", name, got, want)
			}
		}
		return nil
	}
	view(t, s, check)
	update(t, s, func(w store.Writer) error { return check(w) })
}

func collectUsers(t testing.TB, r store.Reader, prefix string) []string {
	t.Helper()
	var names []string
	must(t, "Users", r.Users(prefix, func(u store.User) error { names = append(names, u.Username); return nil }))
	return names
}

func testUsersPrefix(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	keys := []string{"a", "al", "alb", "alice", "alicia", "Alice", "bob", "ali\xc3\xa9", "alj", "b"}
	update(t, s, func(w store.Writer) error {
		for _, k := range keys {
			must(t, "PutUser", w.PutUser(plainUser(k)))
		}
		return nil
	})
	cases := []struct {
		prefix string
		want   []string
	}{
		// "é" is 0xc3 0xa9: after every ASCII byte.
		{"", []string{"Alice", "a", "al", "alb", "alice", "alicia", "ali\xc3\xa9", "alj", "b", "bob"}},
		{"a", []string{"a", "al", "alb", "alice", "alicia", "ali\xc3\xa9", "alj"}},
		{"al", []string{"al", "alb", "alice", "alicia", "ali\xc3\xa9", "alj"}},
		{"ali", []string{"alice", "alicia", "ali\xc3\xa9"}},
		{"ali\xc3", []string{"ali\xc3\xa9"}}, // not valid UTF-8, but a byte prefix all the same
		{"ali\xc3\xa9", []string{"ali\xc3\xa9"}},
		{"alice", []string{"alice"}},
		{"alicex", nil},
		{"A", []string{"Alice"}},
		{"ALICE", nil},
		{"b", []string{"b", "bob"}},
		{"c", nil},
		{"0", nil},
		{"\U0010FFFF", nil},
	}
	check := func(r store.Reader) error {
		for _, c := range cases {
			if got := collectUsers(t, r, c.prefix); !slices.Equal(got, c.want) {
				t.Errorf("Users(%q) = %q, want %q", c.prefix, got, c.want)
			}
		}
		return nil
	}
	view(t, s, check)
	update(t, s, func(w store.Writer) error { return check(w) })
}

func testPermissionsPrefix(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	perms := []string{"blog.add_post", "auth.view_user", "auth.add_user", "authx.x", "auth_x.y", "auth", "Auth.z"}
	update(t, s, func(w store.Writer) error {
		for _, p := range perms {
			must(t, "PutPermission", w.PutPermission(fullPermission(p)))
		}
		return nil
	})
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"Auth.z", "auth", "auth.add_user", "auth.view_user", "auth_x.y", "authx.x", "blog.add_post"}},
		{"auth.", []string{"auth.add_user", "auth.view_user"}},
		{"auth", []string{"auth", "auth.add_user", "auth.view_user", "auth_x.y", "authx.x"}},
		{"auth.add_user", []string{"auth.add_user"}},
		{"auth.add_user.", nil},
		{"blog.", []string{"blog.add_post"}},
		{"z", nil},
	}
	view(t, s, func(r store.Reader) error {
		for _, c := range cases {
			var got []string
			must(t, "Permissions", r.Permissions(c.prefix, func(p store.Permission) error {
				wantEqual(t, "Permissions record", p, fullPermission(p.Perm), nil)
				got = append(got, p.Perm)
				return nil
			}))
			if !slices.Equal(got, c.want) {
				t.Errorf("Permissions(%q) = %q, want %q", c.prefix, got, c.want)
			}
		}
		return nil
	})
}

func testIterationStops(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		for _, k := range []string{"a", "b", "c", "d"} {
			must(t, "PutUser", w.PutUser(plainUser(k)))
			must(t, "PutGroup", w.PutGroup(store.Group{Name: k}))
			must(t, "PutPermission", w.PutPermission(store.Permission{Perm: k}))
			must(t, "PutSession", w.PutSession(store.Session{ID: k}))
			must(t, "PutFailure", w.PutFailure(store.Failure{Username: k}))
			if _, err := w.AppendAudit(store.AuditRecord{Action: k}); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	ce := &customError{3}
	check := func(r store.Reader) error {
		for _, stopErr := range []error{errSentinel, ce} {
			iters := map[string]func(stop func() error) error{
				"Users": func(stop func() error) error {
					return r.Users("", func(store.User) error { return stop() })
				},
				"Groups": func(stop func() error) error {
					return r.Groups(func(store.Group) error { return stop() })
				},
				"Permissions": func(stop func() error) error {
					return r.Permissions("", func(store.Permission) error { return stop() })
				},
				"Sessions": func(stop func() error) error {
					return r.Sessions(func(store.Session) error { return stop() })
				},
				"Failures": func(stop func() error) error {
					return r.Failures(func(store.Failure) error { return stop() })
				},
				"Audit": func(stop func() error) error {
					return r.Audit(0, func(store.AuditRecord) error { return stop() })
				},
			}
			for name, iter := range iters {
				calls := 0
				err := iter(func() error {
					calls++
					if calls == 2 {
						return stopErr
					}
					return nil
				})
				if err != stopErr {
					t.Errorf("%s returned %v, want fn's error %v unchanged", name, err, stopErr)
				}
				if calls != 2 {
					t.Errorf("%s called fn %d times after it returned an error on call 2", name, calls)
				}
			}
		}
		return nil
	}
	view(t, s, check)
	update(t, s, func(w store.Writer) error { return check(w) })
}

func testNestedReads(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		for i := range 20 {
			u := plainUser(fmt.Sprintf("u%02d", i))
			u.Groups = []string{fmt.Sprintf("g%d", i%3)}
			must(t, "PutUser", w.PutUser(u))
		}
		for i := range 3 {
			must(t, "PutGroup", w.PutGroup(store.Group{Name: fmt.Sprintf("g%d", i)}))
		}
		return nil
	})
	check := func(r store.Reader) error {
		outer := 0
		must(t, "Users", r.Users("", func(u store.User) error {
			outer++
			if _, err := r.Group(u.Groups[0]); err != nil {
				return err
			}
			inner := 0
			if err := r.Users("u0", func(store.User) error { inner++; return nil }); err != nil {
				return err
			}
			if inner != 10 {
				t.Errorf("nested Users(u0) visited %d, want 10", inner)
			}
			return r.Groups(func(store.Group) error {
				_, err := r.User(u.Username)
				return err
			})
		}))
		if outer != 20 {
			t.Errorf("outer Users visited %d, want 20", outer)
		}
		return nil
	}
	view(t, s, check)
	update(t, s, func(w store.Writer) error { return check(w) })
}

func testWriteDuringIteration(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	const n = 300 // enough to span several pages in a B-tree backend
	update(t, s, func(w store.Writer) error {
		for i := range n {
			u := fullUser(fmt.Sprintf("user%04d", i))
			u.Groups = []string{"doomed", "kept"}
			must(t, "PutUser", w.PutUser(u))
			must(t, "PutGroup", w.PutGroup(store.Group{Name: fmt.Sprintf("g%04d", i)}))
		}
		return nil
	})
	// The auth package's pattern: strip a deleted group from every user,
	// deleting some users on the way, while streaming over them.
	var visited []string
	update(t, s, func(w store.Writer) error {
		return w.Users("", func(u store.User) error {
			visited = append(visited, u.Username)
			i, _ := strconv.Atoi(u.Username[4:])
			if i%3 == 0 {
				return w.DeleteUser(u.Username)
			}
			u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return g == "doomed" })
			u.Email = "changed-" + u.Email // grow the record
			return w.PutUser(u)
		})
	})
	if len(visited) != n || !slices.IsSorted(visited) || len(slices.Compact(slices.Clone(visited))) != n {
		t.Errorf("Users visited %d records (sorted %v) while writing, want each of %d once", len(visited), slices.IsSorted(visited), n)
	}
	// Deleting every group while iterating the groups.
	groups := 0
	update(t, s, func(w store.Writer) error {
		return w.Groups(func(g store.Group) error {
			groups++
			return w.DeleteGroup(g.Name)
		})
	})
	if groups != n {
		t.Errorf("Groups visited %d while deleting each, want %d", groups, n)
	}
	view(t, s, func(r store.Reader) error {
		count := 0
		must(t, "Users", r.Users("", func(u store.User) error {
			count++
			i, _ := strconv.Atoi(u.Username[4:])
			if i%3 == 0 {
				t.Errorf("user %s should have been deleted", u.Username)
			}
			if !slices.Equal(u.Groups, []string{"kept"}) || u.Email != "changed-"+u.Username+"@example.org" {
				t.Errorf("user %s not updated: %q %q", u.Username, u.Groups, u.Email)
			}
			return nil
		}))
		if want := n - (n+2)/3; count != want {
			t.Errorf("%d users left, want %d", count, want)
		}
		must(t, "Groups", r.Groups(func(g store.Group) error {
			t.Errorf("group %s not deleted", g.Name)
			return nil
		}))
		return nil
	})
}

func testLargeIteration(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	const n = 10000
	update(t, s, func(w store.Writer) error {
		for i := range n {
			u := fullUser(fmt.Sprintf("user%05d", (i*7919)%n)) // scrambled order
			must(t, "PutUser", w.PutUser(u))
		}
		return nil
	})
	view(t, s, func(r store.Reader) error {
		count := 0
		prev := ""
		must(t, "Users", r.Users("", func(u store.User) error {
			if u.Username <= prev {
				t.Fatalf("Users out of order: %q after %q", u.Username, prev)
			}
			if want := fmt.Sprintf("user%05d", count); u.Username != want {
				t.Fatalf("Users visited %q, want %q", u.Username, want)
			}
			prev = u.Username
			count++
			return nil
		}))
		if count != n {
			t.Errorf("Users visited %d, want %d", count, n)
		}
		if got := len(collectUsers(t, r, "user05")); got != 1000 {
			t.Errorf("Users(user05) visited %d, want 1000", got)
		}
		if got := len(collectUsers(t, r, "user0999")); got != 10 {
			t.Errorf("Users(user0999) visited %d, want 10", got)
		}
		u, err := r.User("user09999")
		must(t, "User", err)
		wantEqual(t, "User", u, fullUser("user09999"), normUser)
		return nil
	})
}

// --- audit log -------------------------------------------------------------

func auditSeqs(t testing.TB, r store.Reader, after uint64) []uint64 {
	t.Helper()
	var seqs []uint64
	must(t, "Audit", r.Audit(after, func(a store.AuditRecord) error {
		if want := "a" + strconv.FormatUint(a.Seq, 10); a.Action != want {
			t.Errorf("audit record %d has Action %q, want %q", a.Seq, a.Action, want)
		}
		seqs = append(seqs, a.Seq)
		return nil
	}))
	return seqs
}

// appendAudit appends records whose Action names the expected Seq.
func appendAudit(t testing.TB, s store.Store, want ...uint64) {
	t.Helper()
	update(t, s, func(w store.Writer) error {
		for _, seq := range want {
			rec := fullAudit("a" + strconv.FormatUint(seq, 10))
			rec.Seq = 999 - seq // ignored
			got, err := w.AppendAudit(rec)
			must(t, "AppendAudit", err)
			if got != seq {
				t.Errorf("AppendAudit returned %d, want %d", got, seq)
			}
		}
		return nil
	})
}

func testAuditEmpty(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	view(t, s, func(r store.Reader) error {
		_, err := r.LastAudit()
		wantNotFound(t, "LastAudit of an empty log", err)
		if seqs := auditSeqs(t, r, 0); len(seqs) != 0 {
			t.Errorf("Audit(0) of an empty log = %v", seqs)
		}
		return nil
	})
	update(t, s, func(w store.Writer) error {
		must(t, "DeleteAuditThrough on an empty log", w.DeleteAuditThrough(10))
		return nil
	})
}

func testAuditSequence(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	appendAudit(t, s, 1, 2, 3)
	appendAudit(t, s, 4)
	appendAudit(t, s, 5, 6)
	view(t, s, func(r store.Reader) error {
		last, err := r.LastAudit()
		must(t, "LastAudit", err)
		if last.Seq != 6 || last.Action != "a6" {
			t.Errorf("LastAudit = %d %q, want 6 a6", last.Seq, last.Action)
		}
		if got := auditSeqs(t, r, 0); !slices.Equal(got, []uint64{1, 2, 3, 4, 5, 6}) {
			t.Errorf("Audit(0) = %v", got)
		}
		return nil
	})
}

func testAuditAfter(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	var all []uint64
	for i := uint64(1); i <= 300; i++ {
		all = append(all, i)
	}
	appendAudit(t, s, all...)
	view(t, s, func(r store.Reader) error {
		for _, c := range []struct {
			after uint64
			want  []uint64
		}{
			{0, all}, {1, all[1:]}, {255, all[255:]}, {256, all[256:]}, {299, []uint64{300}},
			{300, nil}, {301, nil}, {1 << 32, nil}, {math.MaxUint64 - 1, nil}, {math.MaxUint64, nil},
		} {
			if got := auditSeqs(t, r, c.after); !slices.Equal(got, c.want) {
				t.Errorf("Audit(%d) visited %d records (%v…), want %d", c.after, len(got), got[:min(len(got), 3)], len(c.want))
			}
		}
		return nil
	})
}

func testAuditNeverReused(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	appendAudit(t, s, 1, 2, 3, 4)
	update(t, s, func(w store.Writer) error { return w.DeleteAuditThrough(2) })
	view(t, s, func(r store.Reader) error {
		if got := auditSeqs(t, r, 0); !slices.Equal(got, []uint64{3, 4}) {
			t.Errorf("Audit(0) after DeleteAuditThrough(2) = %v, want [3 4]", got)
		}
		return nil
	})
	appendAudit(t, s, 5)
	// Deleting everything does not reset the numbering.
	update(t, s, func(w store.Writer) error { return w.DeleteAuditThrough(5) })
	view(t, s, func(r store.Reader) error {
		_, err := r.LastAudit()
		wantNotFound(t, "LastAudit after deleting every record", err)
		if got := auditSeqs(t, r, 0); len(got) != 0 {
			t.Errorf("Audit(0) after DeleteAuditThrough(5) = %v", got)
		}
		return nil
	})
	appendAudit(t, s, 6)
	update(t, s, func(w store.Writer) error {
		must(t, "DeleteAuditThrough(0)", w.DeleteAuditThrough(0))
		must(t, "DeleteAuditThrough(math.MaxUint64)", w.DeleteAuditThrough(math.MaxUint64))
		return nil
	})
	// Nor does reopening.
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{})
	appendAudit(t, s, 7, 8)
	update(t, s, func(w store.Writer) error { return w.DeleteAuditThrough(7) })
	view(t, s, func(r store.Reader) error {
		if got := auditSeqs(t, r, 0); !slices.Equal(got, []uint64{8}) {
			t.Errorf("Audit(0) = %v, want [8]", got)
		}
		last, err := r.LastAudit()
		must(t, "LastAudit", err)
		if last.Seq != 8 {
			t.Errorf("LastAudit.Seq = %d, want 8", last.Seq)
		}
		return nil
	})
}

func testAuditRollback(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	appendAudit(t, s, 1)
	var rolledBack uint64
	err := s.Update(ctx, func(w store.Writer) error {
		seq, err := w.AppendAudit(fullAudit("rolled-back"))
		must(t, "AppendAudit", err)
		rolledBack = seq
		if seq <= 1 {
			t.Errorf("AppendAudit returned %d after 1", seq)
		}
		return errSentinel
	})
	if err != errSentinel {
		t.Fatalf("Update returned %v, want the sentinel", err)
	}
	view(t, s, func(r store.Reader) error {
		last, err := r.LastAudit()
		must(t, "LastAudit", err)
		if last.Seq != 1 {
			t.Errorf("LastAudit after a rolled-back append = %d, want 1", last.Seq)
		}
		if got := auditSeqs(t, r, 0); !slices.Equal(got, []uint64{1}) {
			t.Errorf("Audit(0) after a rolled-back append = %v, want [1]", got)
		}
		return nil
	})
	// The next number is higher than every committed one; whether it reuses
	// the rolled-back number is up to the backend.
	var next uint64
	update(t, s, func(w store.Writer) error {
		var err error
		next, err = w.AppendAudit(fullAudit("next"))
		return err
	})
	if next <= 1 {
		t.Errorf("AppendAudit after a rollback returned %d, want > 1 (rolled back %d)", next, rolledBack)
	}
	view(t, s, func(r store.Reader) error {
		var got []uint64
		must(t, "Audit", r.Audit(0, func(a store.AuditRecord) error { got = append(got, a.Seq); return nil }))
		if !slices.Equal(got, []uint64{1, next}) {
			t.Errorf("Audit(0) = %v, want [1 %d]", got, next)
		}
		return nil
	})
}

// --- meta ------------------------------------------------------------------

func testMeta(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	update(t, s, func(w store.Writer) error {
		must(t, "PutMeta", w.PutMeta("secret_key", binary))
		must(t, "PutMeta", w.PutMeta("big", big))
		must(t, "PutMeta", w.PutMeta("replaced", []byte("old")))
		must(t, "PutMeta", w.PutMeta("replaced", []byte("new")))
		return nil
	})
	check := func(r store.Reader) error {
		for k, want := range map[string][]byte{"secret_key": binary, "big": big, "replaced": []byte("new")} {
			got, err := r.Meta(k)
			must(t, "Meta("+k+")", err)
			if !bytes.Equal(got, want) {
				t.Errorf("Meta(%q) = %d bytes, want %d bytes equal to what was put", k, len(got), len(want))
			}
		}
		_, err := r.Meta("missing")
		wantNotFound(t, "Meta(missing)", err)
		_, err = r.Meta("Secret_key")
		wantNotFound(t, "Meta(Secret_key)", err)
		return nil
	}
	view(t, s, check)
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	view(t, s, check)
}

func testMetaKeysAreTheCallers(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	// Names a backend might be tempted to use for its own bookkeeping.
	keys := []string{"schema_version", "schema", "version", "audit_seq", "sequence", "seq", "format", "users", "meta"}
	update(t, s, func(w store.Writer) error {
		for _, k := range keys {
			must(t, "PutMeta", w.PutMeta(k, []byte("caller's 99999 \xff")))
		}
		must(t, "PutUser", w.PutUser(plainUser("alice")))
		return nil
	})
	appendAudit(t, s, 1)
	closeStore(t, s)
	for _, opts := range []store.OpenOptions{{}, {ReadOnly: true}} {
		s = open(t, o, opts)
		view(t, s, func(r store.Reader) error {
			for _, k := range keys {
				v, err := r.Meta(k)
				if err != nil || string(v) != "caller's 99999 \xff" {
					t.Errorf("Meta(%q) = %q, %v", k, v, err)
				}
			}
			if _, err := r.User("alice"); err != nil {
				t.Errorf("User: %v", err)
			}
			return nil
		})
		if !opts.ReadOnly {
			appendAudit(t, s, 2)
		}
		closeStore(t, s)
	}
}

// testAuditSeq checks that AuditSeq reports the highest number ever
// assigned, including records deleted since and rolled-back appends not.
func testAuditSeq(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	seqOf := func() uint64 {
		var n uint64
		view(t, s, func(r store.Reader) error {
			var err error
			n, err = r.AuditSeq()
			must(t, "AuditSeq", err)
			return nil
		})
		return n
	}
	if n := seqOf(); n != 0 {
		t.Fatalf("AuditSeq of an empty store = %d, want 0", n)
	}
	appendAudit(t, s, 1, 2, 3)
	if n := seqOf(); n != 3 {
		t.Fatalf("AuditSeq after three appends = %d, want 3", n)
	}
	update(t, s, func(w store.Writer) error { return w.DeleteAuditThrough(3) })
	if n := seqOf(); n != 3 {
		t.Errorf("AuditSeq after deleting every record = %d, want 3", n)
	}
	errRollback := errors.New("rollback")
	_ = s.Update(context.Background(), func(w store.Writer) error {
		if _, err := w.AppendAudit(store.AuditRecord{Action: "x"}); err != nil {
			return err
		}
		if n, err := w.AuditSeq(); err != nil || n != 4 {
			t.Errorf("AuditSeq inside the appending transaction = %d, %v; want 4", n, err)
		}
		return errRollback
	})
	if n := seqOf(); n != 3 {
		t.Errorf("AuditSeq after a rolled-back append = %d, want 3", n)
	}
	s.Close()
	s2, err := o(store.OpenOptions{ReadOnly: true})
	must(t, "reopen", err)
	defer s2.Close()
	view(t, s2, func(r store.Reader) error {
		if n, err := r.AuditSeq(); err != nil || n != 3 {
			t.Errorf("AuditSeq after reopening = %d, %v; want 3", n, err)
		}
		return nil
	})
}
