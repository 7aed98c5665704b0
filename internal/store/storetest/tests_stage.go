package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"authctl/internal/store"
)

// --- staged writes (store.UpdateStaged) ----------------------------------
//
// Every backend passes these: a store.Stager through its own UpdateStaged,
// any other Store through UpdateStaged's fallback of one Update.

type stageFunc = func(func(store.Writer) error) error

// staged runs fn through store.UpdateStaged and fails the test on error.
func staged(t testing.TB, s store.Store, fn func(stage stageFunc) error) {
	t.Helper()
	if err := store.UpdateStaged(ctx, s, fn); err != nil {
		t.Fatalf("UpdateStaged: %v", err)
	}
}

// snapshotKeys are the meta keys and index names snapshot reads.
var snapshotKeys = []string{"k1", "k2", "k3", "staged"}

// snapshot renders everything a Reader shows of the records the staged
// tests write, for comparing a store before and after.
func snapshot(t testing.TB, s store.Store) string {
	t.Helper()
	var b strings.Builder
	line := func(kind string, v any) {
		j, err := json.Marshal(v)
		must(t, "encode "+kind, err)
		fmt.Fprintf(&b, "%s %s\n", kind, j)
	}
	view(t, s, func(r store.Reader) error {
		must(t, "Users", r.Users("", func(u store.User) error { line("user", normUser(u)); return nil }))
		must(t, "Groups", r.Groups(func(g store.Group) error { line("group", normGroup(g)); return nil }))
		must(t, "Permissions", r.Permissions("", func(p store.Permission) error { line("perm", p); return nil }))
		must(t, "Sessions", r.Sessions(func(x store.Session) error { line("session", normSession(x)); return nil }))
		must(t, "Failures", r.Failures(func(f store.Failure) error { line("failure", normFailure(f)); return nil }))
		must(t, "Audit", r.Audit(0, func(a store.AuditRecord) error { line("audit", normAudit(a)); return nil }))
		seq, err := r.AuditSeq()
		must(t, "AuditSeq", err)
		line("auditseq", seq)
		for _, k := range snapshotKeys {
			v, err := r.Meta(k)
			if !errors.Is(err, store.ErrNotFound) {
				must(t, "Meta", err)
				line("meta "+k, v)
			}
			must(t, "GroupMembers", r.GroupMembers(k, func(u string) error { line("member "+k, u); return nil }))
		}
		return r.Superusers(func(u string) error { line("superuser", u); return nil })
	})
	return b.String()
}

// seedForStaging gives s a few records of each kind.
func seedForStaging(t testing.TB, s store.Store) {
	t.Helper()
	update(t, s, func(w store.Writer) error {
		u := fullUser("alice")
		u.Groups = []string{"k1"}
		must(t, "PutUser", w.PutUser(u))
		must(t, "PutUser", w.PutUser(plainUser("bob")))
		must(t, "PutGroup", w.PutGroup(fullGroup("k1")))
		must(t, "PutPermission", w.PutPermission(fullPermission("auth.add_user")))
		must(t, "PutSession", w.PutSession(fullSession("s1")))
		must(t, "PutFailure", w.PutFailure(fullFailure("mallory")))
		must(t, "PutMeta", w.PutMeta("k1", []byte("before")))
		return nil
	})
	appendAudit(t, s, 1, 2)
}

func testStagedSeesEarlierStages(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	staged(t, s, func(stage stageFunc) error {
		must(t, "stage 1", stage(func(w store.Writer) error {
			u := plainUser("u1")
			u.Groups = []string{"staged"}
			return errors.Join(w.PutUser(u), w.PutGroup(fullGroup("staged")))
		}))
		must(t, "stage 2", stage(func(w store.Writer) error {
			if _, err := w.User("u1"); err != nil {
				t.Errorf("stage 2 does not see stage 1's user: %v", err)
			}
			var members []string
			must(t, "GroupMembers", w.GroupMembers("staged", func(u string) error { members = append(members, u); return nil }))
			if !slices.Equal(members, []string{"u1"}) {
				t.Errorf("stage 2: GroupMembers(staged) = %q, want [u1]", members)
			}
			u := plainUser("u2")
			u.Groups = []string{"staged"}
			return w.PutUser(u)
		}))
		return stage(func(w store.Writer) error {
			if _, err := w.Group("staged"); err != nil {
				t.Errorf("stage 3 does not see stage 1's group: %v", err)
			}
			if err := w.DeleteUser("u1"); err != nil {
				t.Errorf("stage 3 cannot delete stage 1's user: %v", err)
			}
			return w.PutMeta("staged", []byte("yes"))
		})
	})
	check := func(r store.Reader) error {
		_, err := r.User("u1")
		wantNotFound(t, "User(u1), deleted by stage 3", err)
		_, err = r.User("u2")
		must(t, "User(u2)", err)
		_, err = r.Group("staged")
		must(t, "Group(staged)", err)
		v, err := r.Meta("staged")
		must(t, "Meta(staged)", err)
		if string(v) != "yes" {
			t.Errorf("Meta(staged) = %q", v)
		}
		var members []string
		must(t, "GroupMembers", r.GroupMembers("staged", func(u string) error { members = append(members, u); return nil }))
		if !slices.Equal(members, []string{"u2"}) {
			t.Errorf("GroupMembers(staged) = %q, want [u2]", members)
		}
		return nil
	}
	view(t, s, check)
	// The store keeps working, and the change persists.
	update(t, s, func(w store.Writer) error { return w.PutUser(plainUser("u3")) })
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	view(t, s, check)
	view(t, s, func(r store.Reader) error {
		_, err := r.User("u3")
		must(t, "User(u3) after the staged write", err)
		return nil
	})
}

func testStagedErrorLeavesDatabase(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	seedForStaging(t, s)
	before := snapshot(t, s)

	// Two stages commit (on whatever the backend stages on), the third
	// fails: its error comes back unchanged and nothing is left.
	ran := 0
	custom := &customError{3}
	err := store.UpdateStaged(ctx, s, func(stage stageFunc) error {
		for i := 1; i <= 3; i++ {
			err := stage(func(w store.Writer) error {
				ran++
				u := fullUser(fmt.Sprintf("staged%d", i))
				u.Groups = []string{"k2"}
				if err := errors.Join(
					w.PutUser(u),
					w.DeleteUser("bob"),
					w.PutGroup(fullGroup(fmt.Sprintf("k%d", i+1))),
					w.PutMeta("k1", []byte("after")),
					w.PutMeta("k3", []byte("new")),
					w.DeleteSession("s1"),
				); err != nil && i == 1 {
					return err
				}
				if _, err := w.AppendAudit(fullAudit("staged")); err != nil {
					return err
				}
				if i == 3 {
					return custom
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != custom {
		t.Fatalf("UpdateStaged returned %v, want the third stage's error unchanged", err)
	}
	if ran != 3 {
		t.Errorf("%d stages ran, want 3", ran)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("a failed staged write changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// fn's own error after stages that committed: likewise.
	err = store.UpdateStaged(ctx, s, func(stage stageFunc) error {
		must(t, "stage", stage(func(w store.Writer) error { return w.PutUser(plainUser("staged")) }))
		return errSentinel
	})
	if err != errSentinel {
		t.Fatalf("UpdateStaged returned %v, want fn's error unchanged", err)
	}
	// A failed stage ends the change even if fn ignores its error; a later
	// stage does not run.
	ranAfter := false
	err = store.UpdateStaged(ctx, s, func(stage stageFunc) error {
		_ = stage(func(w store.Writer) error { return w.PutUser(plainUser("staged")) })
		_ = stage(func(store.Writer) error { return errSentinel })
		if err := stage(func(store.Writer) error { ranAfter = true; return nil }); err != errSentinel {
			t.Errorf("stage after a failed one returned %v, want the failed stage's error", err)
		}
		return nil
	})
	if err != errSentinel {
		t.Fatalf("UpdateStaged whose fn ignored a stage's error returned %v, want that error", err)
	}
	if ranAfter {
		t.Error("a stage after a failed one ran")
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("a failed staged write changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{})
	if after := snapshot(t, s); after != before {
		t.Errorf("after reopening, a failed staged write changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// The audit log continues from what was committed.
	appendAudit(t, s, 3)
}

func testStagedAuditSequence(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	appendAudit(t, s, 1)
	var got []uint64
	staged(t, s, func(stage stageFunc) error {
		for range 3 {
			err := stage(func(w store.Writer) error {
				for _, a := range []string{"x", "y"} {
					seq, err := w.AppendAudit(fullAudit(a))
					if err != nil {
						return err
					}
					got = append(got, seq)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if want := []uint64{2, 3, 4, 5, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("AppendAudit across stages returned %v, want %v", got, want)
	}
	view(t, s, func(r store.Reader) error {
		seq, err := r.AuditSeq()
		must(t, "AuditSeq", err)
		last, err := r.LastAudit()
		must(t, "LastAudit", err)
		if seq != 7 || last.Seq != 7 {
			t.Errorf("after the staged write AuditSeq = %d, LastAudit = %d, want 7", seq, last.Seq)
		}
		return nil
	})
}

func testStagedReadOnly(t *testing.T, newOpener NewOpener) {
	o, s := create(t, newOpener)
	closeStore(t, s)
	s = open(t, o, store.OpenOptions{ReadOnly: true})
	called := false
	err := store.UpdateStaged(ctx, s, func(stageFunc) error { called = true; return nil })
	if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("UpdateStaged on a read-only store: %v, want ErrReadOnly", err)
	}
	if called {
		t.Error("UpdateStaged on a read-only store called fn")
	}
}

func testStagedAfterReturn(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	var kept stageFunc
	staged(t, s, func(stage stageFunc) error {
		kept = stage
		return stage(func(w store.Writer) error { return w.PutUser(plainUser("alice")) })
	})
	ran := false
	if err := kept(func(store.Writer) error { ran = true; return nil }); !errors.Is(err, store.ErrStageDone) {
		t.Errorf("stage after UpdateStaged returned: %v, want ErrStageDone", err)
	}
	if ran {
		t.Error("a stage ran after UpdateStaged returned")
	}
}

func testStagedContext(t *testing.T, newOpener NewOpener) {
	_, s := create(t, newOpener)
	seedForStaging(t, s)
	before := snapshot(t, s)

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := store.UpdateStaged(canceled, s, func(stageFunc) error { called = true; return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("UpdateStaged with a canceled context: %v, want context.Canceled", err)
	}
	if called {
		t.Error("UpdateStaged with a canceled context called fn")
	}

	// Cancelled between stages: the next stage does not run and nothing
	// is published.
	c, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = store.UpdateStaged(c, s, func(stage stageFunc) error {
		must(t, "stage 1", stage(func(w store.Writer) error { return w.PutUser(plainUser("staged")) }))
		cancel()
		return stage(func(w store.Writer) error {
			t.Error("a stage ran after its context was cancelled")
			return nil
		})
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("UpdateStaged cancelled between stages: %v, want context.Canceled", err)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("a cancelled staged write changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
