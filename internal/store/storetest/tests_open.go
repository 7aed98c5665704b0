package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"authctl/internal/store"
)

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
