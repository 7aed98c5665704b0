package bolt_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"authctl/internal/store"
)

// PutUser takes the replaced record's memberships from the User call that
// read it just before, and the index stays right whatever the caller did
// with the record it read, or when the read was of another user.
func TestPutUserAfterUserKeepsTheIndex(t *testing.T) {
	st := mustOpen(t, filepath.Join(t.TempDir(), "auth.db"), store.OpenOptions{Create: true})
	ctx := context.Background()
	members := func(g string) []string {
		var out []string
		if err := st.View(ctx, func(r store.Reader) error {
			return r.GroupMembers(g, func(u string) error { out = append(out, u); return nil })
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	update := func(fn func(w store.Writer) error) {
		t.Helper()
		if err := st.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	update(func(w store.Writer) error {
		for _, n := range []string{"a", "b"} {
			if err := w.PutUser(store.User{Username: n, Groups: []string{"g1", "g2"}}); err != nil {
				return err
			}
		}
		return nil
	})
	update(func(w store.Writer) error {
		// Read a, change the record's group slice in place (the caller owns
		// it), and write it with g1 only.
		u, err := w.User("a")
		if err != nil {
			return err
		}
		u.Groups[0], u.Groups[1] = "g3", "g3"
		u.Groups = []string{"g1"}
		return w.PutUser(u)
	})
	if got := members("g2"); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("members of g2 after a left it: %v", got)
	}
	update(func(w store.Writer) error {
		// Read a missing user, then write another one.
		if _, err := w.User("nobody"); err == nil {
			t.Error("nobody found")
		}
		b, err := w.User("b")
		if err != nil {
			return err
		}
		if _, err := w.User("a"); err != nil { // the last read is of a, not b
			return err
		}
		b.Groups = []string{"g2"}
		if err := w.PutUser(b); err != nil {
			return err
		}
		// Write a twice: the second write replaces the first, not the read.
		if _, err := w.User("a"); err != nil {
			return err
		}
		if err := w.PutUser(store.User{Username: "a", Groups: []string{"g2"}}); err != nil {
			return err
		}
		return w.PutUser(store.User{Username: "a", Groups: []string{"g1"}})
	})
	for g, want := range map[string][]string{"g1": {"a"}, "g2": {"b"}, "g3": nil} {
		if got := members(g); !slices.Equal(got, want) {
			t.Errorf("members of %s: %v, want %v", g, got, want)
		}
	}
}

// A user deleted and written again in one transaction is indexed by what
// the new record holds: the delete's own read does not stand in for a
// record that is gone.
func TestDeleteThenPutUserKeepsTheIndex(t *testing.T) {
	st := mustOpen(t, filepath.Join(t.TempDir(), "auth.db"), store.OpenOptions{Create: true})
	ctx := context.Background()
	if err := st.Update(ctx, func(w store.Writer) error {
		return w.PutUser(store.User{Username: "alice", Groups: []string{"g"}})
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, func(w store.Writer) error {
		if err := w.DeleteUser("alice"); err != nil {
			return err
		}
		return w.PutUser(store.User{Username: "alice", Groups: []string{"g"}})
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := st.View(ctx, func(r store.Reader) error {
		return r.GroupMembers("g", func(u string) error { got = append(got, u); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"alice"}) {
		t.Errorf("members of g: %v, want [alice]", got)
	}
}
