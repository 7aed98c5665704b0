package storetest

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"authctl/internal/store"
)

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
