package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestGroupPermissionChangesApply: a grant to a group, membership changes
// and the deletion of a group or permission all show in Check at once.
func TestGroupPermissionChangesApply(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("dave")
	noErr(t, e.svc.CreateGroup(ctx, "ops"))
	_, err := e.svc.CreatePermission(ctx, "app.deploy", "")
	noErr(t, err)
	allowed := func() bool {
		t.Helper()
		d, err := e.svc.Check(ctx, "dave", []string{"app.deploy"}, false)
		noErr(t, err)
		return d.Allowed
	}
	if allowed() {
		t.Fatal("allowed before any grant")
	}
	_, err = e.svc.Grant(ctx, Grantee{Group: "ops"}, []string{"app.deploy"}, false)
	noErr(t, err)
	if allowed() {
		t.Fatal("allowed before joining the group")
	}
	_, err = e.svc.AddMembers(ctx, "ops", []string{"dave"})
	noErr(t, err)
	if !allowed() {
		t.Fatal("denied in the group")
	}
	_, err = e.svc.RemoveMembers(ctx, "ops", []string{"dave"})
	noErr(t, err)
	if allowed() {
		t.Fatal("allowed after leaving the group")
	}
	_, err = e.svc.AddMembers(ctx, "ops", []string{"dave"})
	noErr(t, err)
	noErr(t, e.svc.DeleteGroup(ctx, "ops"))
	if allowed() {
		t.Fatal("allowed after the group was deleted")
	}
}

func TestGroups(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("u1")
	e.mkUser("u2")
	e.mkUser("u3")

	noErr(t, e.svc.CreateGroup(ctx, "editors"))
	noErr(t, e.svc.CreateGroup(ctx, "viewers"))
	if err := e.svc.CreateGroup(ctx, "editors"); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate group: %v, want ErrExists", err)
	}
	for _, bad := range []string{"", strings.Repeat("g", 151), "tab\there"} {
		if err := e.svc.CreateGroup(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateGroup(%q) = %v, want ErrInvalid", bad, err)
		}
	}

	added, err := e.svc.AddMembers(ctx, "editors", []string{"u2", "u1"})
	noErr(t, err)
	if !equalStrings(added, []string{"u2", "u1"}) {
		t.Errorf("added = %v", added)
	}
	// Already members: nothing to add, not an error.
	added, err = e.svc.AddMembers(ctx, "editors", []string{"u1"})
	noErr(t, err)
	if len(added) != 0 {
		t.Errorf("re-adding: %v", added)
	}
	_, err = e.svc.AddMembers(ctx, "viewers", []string{"u1"})
	noErr(t, err)
	if g := e.user("u1").Groups; !equalStrings(g, []string{"editors", "viewers"}) {
		t.Errorf("u1 groups = %v (kept sorted)", g)
	}

	// All or nothing: one unknown user and nobody is added.
	_, err = e.svc.AddMembers(ctx, "viewers", []string{"u3", "ghost"})
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "ghost") {
		t.Fatalf("AddMembers with an unknown user: %v", err)
	}
	if g := e.user("u3").Groups; len(g) != 0 {
		t.Errorf("u3 was added despite the unknown user: %v", g)
	}
	_, err = e.svc.AddMembers(ctx, "viewers", []string{"x1", "u3", "x2"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "x1") || !strings.Contains(err.Error(), "x2") {
		t.Errorf("two unknown users: %v (both should be named)", err)
	}
	if _, err := e.svc.AddMembers(ctx, "nogroup", []string{"u1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown group: %v", err)
	}
	_, err = e.svc.RemoveMembers(ctx, "editors", []string{"u2", "ghost"})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveMembers with unknown user: %v", err)
	}
	if g := e.user("u2").Groups; !equalStrings(g, []string{"editors"}) {
		t.Errorf("u2 was removed despite the unknown user: %v", g)
	}

	info, err := e.svc.GetGroup(ctx, "editors")
	noErr(t, err)
	if !equalStrings(info.Members, []string{"u1", "u2"}) {
		t.Errorf("members = %v", info.Members)
	}
	removed, err := e.svc.RemoveMembers(ctx, "editors", []string{"u2", "u3"})
	noErr(t, err)
	if !equalStrings(removed, []string{"u2"}) {
		t.Errorf("removed = %v", removed)
	}

	var listed []string
	noErr(t, e.svc.ListGroups(ctx, true, func(g GroupInfo) error {
		listed = append(listed, g.Group.Name+":"+strings.Join(g.Members, ","))
		return nil
	}))
	if !equalStrings(listed, []string{"editors:u1", "viewers:u1"}) {
		t.Errorf("ListGroups = %v", listed)
	}

	// Deleting a group takes it off every user in the same transaction.
	_, err = e.svc.AddMembers(ctx, "editors", []string{"u2", "u3"})
	noErr(t, err)
	noErr(t, e.svc.DeleteGroup(ctx, "editors"))
	for _, u := range []string{"u1", "u2", "u3"} {
		if contains(e.user(u).Groups, "editors") {
			t.Errorf("%s still in the deleted group: %v", u, e.user(u).Groups)
		}
	}
	if g := e.user("u1").Groups; !equalStrings(g, []string{"viewers"}) {
		t.Errorf("u1 lost its other group: %v", g)
	}
	if _, err := e.svc.GetGroup(ctx, "editors"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetGroup after delete: %v", err)
	}
	if err := e.svc.DeleteGroup(ctx, "editors"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteGroup twice: %v", err)
	}
}
