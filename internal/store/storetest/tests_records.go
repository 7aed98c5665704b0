package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"authctl/internal/store"
)

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
