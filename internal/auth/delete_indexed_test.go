package auth

import (
	"context"
	"errors"
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
