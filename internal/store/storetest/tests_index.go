package storetest

import (
	"fmt"
	"slices"
	"testing"

	"authctl/internal/store"
)

// --- membership indexes ----------------------------------------------------
//
// GroupMembers, PermissionHolders and Superusers answer from what PutUser
// and DeleteUser wrote, in the same transaction: these tests change users
// in every way that moves them in or out of an index and compare the
// answers with what a scan of the users says.

// indexState is what the three index queries answer.
type indexState struct {
	members    map[string][]string // group → usernames
	holders    map[string][]string // permission → usernames
	superusers []string
}

// queryIndexes asks r about the given groups and permissions.
func queryIndexes(t testing.TB, r store.Reader, groups, perms []string) indexState {
	t.Helper()
	st := indexState{members: map[string][]string{}, holders: map[string][]string{}}
	collect := func(dst *[]string) func(string) error {
		return func(u string) error { *dst = append(*dst, u); return nil }
	}
	for _, g := range groups {
		var got []string
		must(t, "GroupMembers("+g+")", r.GroupMembers(g, collect(&got)))
		st.members[g] = got
	}
	for _, p := range perms {
		var got []string
		must(t, "PermissionHolders("+p+")", r.PermissionHolders(p, collect(&got)))
		st.holders[p] = got
	}
	must(t, "Superusers", r.Superusers(collect(&st.superusers)))
	return st
}

// scanIndexes computes the same answers from a scan of the users.
func scanIndexes(t testing.TB, r store.Reader, groups, perms []string) indexState {
	t.Helper()
	st := indexState{members: map[string][]string{}, holders: map[string][]string{}}
	for _, g := range groups {
		st.members[g] = nil
	}
	for _, p := range perms {
		st.holders[p] = nil
	}
	must(t, "Users", r.Users("", func(u store.User) error {
		for _, g := range groups {
			if slices.Contains(u.Groups, g) {
				st.members[g] = append(st.members[g], u.Username)
			}
		}
		for _, p := range perms {
			if slices.Contains(u.Permissions, p) {
				st.holders[p] = append(st.holders[p], u.Username)
			}
		}
		if u.IsSuperuser {
			st.superusers = append(st.superusers, u.Username)
		}
		return nil
	}))
	return st
}

func wantIndexes(t testing.TB, what string, got, want indexState) {
	t.Helper()
	for g, w := range want.members {
		if !slices.Equal(got.members[g], w) {
			t.Errorf("%s: GroupMembers(%q) = %q, want %q", what, g, got.members[g], w)
		}
	}
	for p, w := range want.holders {
		if !slices.Equal(got.holders[p], w) {
			t.Errorf("%s: PermissionHolders(%q) = %q, want %q", what, p, got.holders[p], w)
		}
	}
	if !slices.Equal(got.superusers, want.superusers) {
		t.Errorf("%s: Superusers = %q, want %q", what, got.superusers, want.superusers)
	}
}

// Group and permission names that are prefixes of one another, and
// usernames whose bytewise order differs from a case-insensitive one.
var (
	indexGroups = []string{"g", "g1", "g10", "G", "editors", "édition", "none"}
	indexPerms  = []string{"a.b", "a.bc", "a.b.c", "blog.add_post", "none.none"}
)

func indexUser(name string, super bool, groups, perms []string) store.User {
	u := plainUser(name)
	u.IsSuperuser, u.Groups, u.Permissions = super, groups, perms
	return u
}

func checkIndexes(t testing.TB, what string, r store.Reader) {
	t.Helper()
	wantIndexes(t, what, queryIndexes(t, r, indexGroups, indexPerms), scanIndexes(t, r, indexGroups, indexPerms))
}

func testIndexQueries(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	view(t, s, func(r store.Reader) error {
		got := queryIndexes(t, r, indexGroups, indexPerms)
		for g, m := range got.members {
			if len(m) != 0 {
				t.Errorf("GroupMembers(%q) of an empty store = %q", g, m)
			}
		}
		if len(got.superusers) != 0 {
			t.Errorf("Superusers of an empty store = %q", got.superusers)
		}
		return nil
	})
	update(t, s, func(w store.Writer) error {
		for _, u := range []store.User{
			indexUser("bob", false, []string{"g", "g1"}, []string{"a.b"}),
			indexUser("Alice", true, []string{"G", "g10"}, []string{"a.bc", "a.b.c"}),
			indexUser("alice", true, []string{"g"}, nil),
			indexUser("zoë", false, []string{"édition", "g"}, []string{"a.b", "blog.add_post"}),
			indexUser("a", false, nil, nil),
			indexUser("é", true, []string{"g1"}, []string{"a.b"}),
		} {
			must(t, "PutUser", w.PutUser(u))
		}
		checkIndexes(t, "inside the Update that wrote them", w)
		return nil
	})
	view(t, s, func(r store.Reader) error {
		checkIndexes(t, "after commit", r)
		got := queryIndexes(t, r, []string{"g"}, []string{"a.b"})
		if want := []string{"alice", "bob", "zoë"}; !slices.Equal(got.members["g"], want) {
			t.Errorf("GroupMembers(g) = %q, want %q (bytewise order, not g1's members)", got.members["g"], want)
		}
		if want := []string{"Alice", "alice", "é"}; !slices.Equal(got.superusers, want) {
			t.Errorf("Superusers = %q, want %q", got.superusers, want)
		}
		return nil
	})
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	view(t, s, func(r store.Reader) error { checkIndexes(t, "after reopening", r); return nil })
}

func testIndexChanges(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		for i := range 50 {
			name := fmt.Sprintf("user%02d", i)
			must(t, "PutUser", w.PutUser(indexUser(name, i%7 == 0, []string{indexGroups[i%3], indexGroups[(i+1)%5]}, []string{indexPerms[i%4]})))
		}
		return nil
	})
	update(t, s, func(w store.Writer) error {
		// Leave groups, join others, lose and gain superuser, lose every
		// permission; checked after each change, inside the transaction.
		changes := []store.User{
			indexUser("user00", false, []string{"g10"}, nil),
			indexUser("user01", true, []string{"g", "g1", "g10", "G", "editors"}, indexPerms),
			indexUser("user07", false, nil, nil),
			indexUser("user14", true, []string{"none"}, []string{"none.none"}),
			indexUser("user14", true, []string{"none"}, []string{"none.none"}), // unchanged
		}
		for _, u := range changes {
			must(t, "PutUser", w.PutUser(u))
			checkIndexes(t, "after changing "+u.Username, w)
		}
		// Delete a user.
		must(t, "DeleteUser", w.DeleteUser("user01"))
		checkIndexes(t, "after deleting user01", w)
		// A rename: delete and put under the new name.
		u, err := w.User("user02")
		must(t, "User", err)
		must(t, "DeleteUser", w.DeleteUser("user02"))
		u.Username = "renamed"
		must(t, "PutUser", w.PutUser(u))
		checkIndexes(t, "after renaming user02", w)
		return nil
	})
	view(t, s, func(r store.Reader) error {
		checkIndexes(t, "after commit", r)
		got := queryIndexes(t, r, []string{"none"}, nil)
		if !slices.Equal(got.members["none"], []string{"user14"}) {
			t.Errorf("GroupMembers(none) = %q, want [user14]", got.members["none"])
		}
		return nil
	})
	// Deleting every user empties every index.
	update(t, s, func(w store.Writer) error {
		var names []string
		must(t, "Users", w.Users("", func(u store.User) error { names = append(names, u.Username); return nil }))
		for _, n := range names {
			must(t, "DeleteUser", w.DeleteUser(n))
		}
		return nil
	})
	view(t, s, func(r store.Reader) error {
		got := queryIndexes(t, r, indexGroups, indexPerms)
		for g, m := range got.members {
			if len(m) != 0 {
				t.Errorf("GroupMembers(%q) after deleting every user = %q", g, m)
			}
		}
		for p, m := range got.holders {
			if len(m) != 0 {
				t.Errorf("PermissionHolders(%q) after deleting every user = %q", p, m)
			}
		}
		if len(got.superusers) != 0 {
			t.Errorf("Superusers after deleting every user = %q", got.superusers)
		}
		return nil
	})
}

func testIndexRollback(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(indexUser("alice", true, []string{"g"}, []string{"a.b"})))
		must(t, "PutUser", w.PutUser(indexUser("bob", false, []string{"g1"}, nil)))
		return nil
	})
	var before indexState
	view(t, s, func(r store.Reader) error { before = queryIndexes(t, r, indexGroups, indexPerms); return nil })
	err := s.Update(ctx, func(w store.Writer) error {
		must(t, "PutUser", w.PutUser(indexUser("alice", false, []string{"g1"}, nil)))
		must(t, "DeleteUser", w.DeleteUser("bob"))
		must(t, "PutUser", w.PutUser(indexUser("carol", true, []string{"g"}, []string{"a.b"})))
		checkIndexes(t, "inside the Update that rolls back", w)
		return errSentinel
	})
	if err != errSentinel {
		t.Fatalf("Update = %v, want the sentinel", err)
	}
	view(t, s, func(r store.Reader) error {
		wantIndexes(t, "after a rollback", queryIndexes(t, r, indexGroups, indexPerms), before)
		checkIndexes(t, "after a rollback", r)
		return nil
	})
}

func testIndexIterationStops(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	update(t, s, func(w store.Writer) error {
		for _, n := range []string{"a", "b", "c"} {
			must(t, "PutUser", w.PutUser(indexUser(n, true, []string{"g"}, []string{"a.b"})))
		}
		return nil
	})
	view(t, s, func(r store.Reader) error {
		for name, q := range map[string]func(func(string) error) error{
			"GroupMembers":      func(fn func(string) error) error { return r.GroupMembers("g", fn) },
			"PermissionHolders": func(fn func(string) error) error { return r.PermissionHolders("a.b", fn) },
			"Superusers":        r.Superusers,
		} {
			n := 0
			err := q(func(string) error { n++; return errSentinel })
			if err != errSentinel || n != 1 {
				t.Errorf("%s: an error from fn gave %v after %d calls, want the sentinel after 1", name, err, n)
			}
			// fn may read during the iteration.
			err = q(func(u string) error { _, err := r.User(u); return err })
			if err != nil {
				t.Errorf("%s with a read in fn: %v", name, err)
			}
		}
		return nil
	})
	// Inside Update, fn may change the user it is visiting.
	update(t, s, func(w store.Writer) error {
		var seen []string
		must(t, "GroupMembers", w.GroupMembers("g", func(u string) error {
			seen = append(seen, u)
			return w.PutUser(indexUser(u, false, []string{"g1"}, nil))
		}))
		if !slices.Equal(seen, []string{"a", "b", "c"}) {
			t.Errorf("GroupMembers while moving each member out visited %q", seen)
		}
		checkIndexes(t, "after moving every member", w)
		return nil
	})
}
