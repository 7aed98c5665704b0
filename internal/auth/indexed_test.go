package auth

import (
	"context"
	"errors"
	"slices"
	"testing"

	"authctl/internal/store"
)

// noScanStore fails any full scan of the users inside an Update: a delete
// of a group or permission must reach the users through the index.
type noScanStore struct{ store.Store }

type noScanWriter struct{ store.Writer }

var errScanned = errors.New("every user was read (test)")

func (noScanWriter) Users(string, func(store.User) error) error { return errScanned }

func (s noScanStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	return s.Store.Update(ctx, func(w store.Writer) error { return fn(noScanWriter{w}) })
}

func TestDeleteGroupAndPermissionReadOnlyTheirUsers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for _, name := range []string{"alice", "bob", "carl"} {
		e.mkUser(name)
	}
	noErr(t, e.svc.CreateGroup(ctx, "staff"))
	_, err := e.svc.AddMembers(ctx, "staff", []string{"alice", "carl"})
	noErr(t, err)
	_, err = e.svc.CreatePermission(ctx, "blog.view_post", "Can view post")
	noErr(t, err)
	_, err = e.svc.Grant(ctx, Grantee{User: "bob"}, []string{"blog.view_post"}, false)
	noErr(t, err)
	_, err = e.svc.Grant(ctx, Grantee{Group: "staff"}, []string{"blog.view_post"}, false)
	noErr(t, err)

	e.hook.Store = noScanStore{e.hook.Store}
	noErr(t, e.svc.DeleteGroup(ctx, "staff"))
	noErr(t, e.svc.DeletePermission(ctx, "blog.view_post"))

	for _, name := range []string{"alice", "bob", "carl"} {
		var u store.User
		noErr(t, e.st.View(ctx, func(r store.Reader) error {
			var err error
			u, err = r.User(name)
			return err
		}))
		if len(u.Groups) != 0 || len(u.Permissions) != 0 {
			t.Errorf("%s still holds groups %v, permissions %v", name, u.Groups, u.Permissions)
		}
	}
	noErr(t, e.st.View(ctx, func(r store.Reader) error {
		return r.GroupMembers("staff", func(n string) error {
			t.Errorf("index still lists %s in the deleted group", n)
			return nil
		})
	}))
}

type noScanReader struct{ store.Reader }

func (noScanReader) Users(string, func(store.User) error) error { return errScanned }

func (s noScanStore) View(ctx context.Context, fn func(store.Reader) error) error {
	return s.Store.View(ctx, func(r store.Reader) error { return fn(noScanReader{r}) })
}

// user list --group reads the group's members, not every user, and lists
// them in username order as the scan does, other filters applied.
func TestListUsersOfAGroupReadsOnlyItsMembers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for _, name := range []string{"dora", "alice", "bob", "carl"} {
		e.mkUser(name)
	}
	noErr(t, e.svc.CreateGroup(ctx, "staff"))
	_, err := e.svc.AddMembers(ctx, "staff", []string{"dora", "alice", "carl"})
	noErr(t, err)
	inactive := false
	_, err = e.svc.UpdateUser(ctx, "carl", UserPatch{IsActive: &inactive})
	noErr(t, err)

	e.hook.Store = noScanStore{e.hook.Store}
	list := func(f UserFilter) []string {
		var got []string
		noErr(t, e.svc.ListUsers(ctx, f, func(u store.User) error {
			got = append(got, u.Username)
			return nil
		}))
		return got
	}
	if got := list(UserFilter{Group: "staff"}); !slices.Equal(got, []string{"alice", "carl", "dora"}) {
		t.Errorf("members %v", got)
	}
	active := true
	if got := list(UserFilter{Group: "staff", Active: &active}); !slices.Equal(got, []string{"alice", "dora"}) {
		t.Errorf("active members %v", got)
	}
	if err := e.svc.ListUsers(ctx, UserFilter{Group: "nope"}, func(store.User) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown group: %v", err)
	}
}

// retryStore runs every Update's callback twice, rolling the first run
// back, as a store may (etcd on a conflict).
type retryStore struct{ store.Store }

var errRetryOnce = errors.New("retry (test)")

func (s retryStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	if err := s.Store.Update(ctx, func(w store.Writer) error {
		if err := fn(w); err != nil {
			return err
		}
		return errRetryOnce
	}); !errors.Is(err, errRetryOnce) {
		return err
	}
	return s.Store.Update(ctx, fn)
}

// A bulk update whose transaction runs twice reports each user once.
func TestUpdateUsersRerunReportsEachUserOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mkUser("alice")
	e.mkUser("bob")
	e.hook.Store = retryStore{e.hook.Store}
	staff := true
	got, err := e.svc.UpdateUsers(ctx, Selector{Names: []string{"alice", "bob"}}, UserPatch{IsStaff: &staff})
	noErr(t, err)
	if len(got) != 2 || got[0].Username != "alice" || got[1].Username != "bob" || !got[0].IsStaff || !got[1].IsStaff {
		t.Errorf("UpdateUsers = %+v, want alice and bob, staff, once each", got)
	}
}
