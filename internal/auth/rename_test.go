package auth

import (
	"context"
	"errors"
	"testing"

	"authctl/internal/store"
)

func TestRenameUserMovesEverything(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	noErr(t, e.svc.CreateGroup(ctx, "editors"))
	_, err := e.svc.AddMembers(ctx, "editors", []string{"alice"})
	noErr(t, err)
	_, err = e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"blog.add_post"}, true)
	noErr(t, err)
	login, err := e.svc.Login(ctx, "alice", goodPassword)
	noErr(t, err)
	_, err = e.svc.Authenticate(ctx, "alice", "wrong")
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("wrong password: %v", err)
	}

	u, err := e.svc.RenameUser(ctx, "alice", "alicia")
	noErr(t, err)
	if u.Username != "alicia" || !equalStrings(u.Groups, []string{"editors"}) || !equalStrings(u.Permissions, []string{"blog.add_post"}) {
		t.Errorf("renamed record %+v", u)
	}
	if e.hasUser("alice") {
		t.Error("the old name still exists")
	}
	last := e.audit()[len(e.audit())-1]
	if last.Action != "user.rename" || last.Target != "alice" || last.Detail != "renamed to alicia" {
		t.Errorf("audit record %+v", last)
	}
	moved := false
	for _, f := range e.failures() {
		moved = moved || f.Username == "alicia"
	}
	if !moved {
		t.Errorf("failed-login count did not follow: %+v", e.failures())
	}
	// The session goes on under the new name; the password is the same.
	_, who, err := e.svc.Whoami(ctx, login.Token)
	noErr(t, err)
	if who.Username != "alicia" {
		t.Errorf("whoami after rename: %q", who.Username)
	}
	if _, err := e.svc.Authenticate(ctx, "alicia", goodPassword); err != nil {
		t.Errorf("authenticate under the new name: %v", err)
	}
	for _, f := range e.failures() {
		if f.Username == "alice" {
			t.Errorf("failure count left under the old name: %+v", f)
		}
	}
	var members []string
	noErr(t, e.st.View(ctx, func(r store.Reader) error {
		return r.GroupMembers("editors", func(n string) error { members = append(members, n); return nil })
	}))
	if !equalStrings(members, []string{"alicia"}) {
		t.Errorf("members of editors: %v", members)
	}
}

func TestRenameUserRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	e.mkUser("bob")
	before := len(e.audit())
	for _, tc := range []struct {
		from, to string
		want     error
	}{
		{"alice", "bob", ErrExists},
		{"alice", "alice", ErrExists},
		{"nobody", "carol", store.ErrNotFound},
		{"alice", "bad name", ErrInvalid},
	} {
		if _, err := e.svc.RenameUser(ctx, tc.from, tc.to); !errors.Is(err, tc.want) {
			t.Errorf("rename %s → %s: %v, want %v", tc.from, tc.to, err, tc.want)
		}
	}
	if len(e.audit()) != before || !e.hasUser("alice") || !e.hasUser("bob") {
		t.Error("a refused rename changed something")
	}
	// NFKC: the new name is normalised as a new user's is.
	u, err := e.svc.RenameUser(ctx, "alice", "ﬁnance")
	noErr(t, err)
	if u.Username != "finance" {
		t.Errorf("renamed to %q, want the NFKC form", u.Username)
	}
}

func TestRenameGroupMovesMembersAndGrants(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	e.mkUser("bob")
	noErr(t, e.svc.CreateGroup(ctx, "editors"))
	noErr(t, e.svc.CreateGroup(ctx, "zeta"))
	_, err := e.svc.AddMembers(ctx, "editors", []string{"alice", "bob"})
	noErr(t, err)
	_, err = e.svc.AddMembers(ctx, "zeta", []string{"alice"})
	noErr(t, err)
	_, err = e.svc.Grant(ctx, Grantee{Group: "editors"}, []string{"blog.add_post"}, true)
	noErr(t, err)

	noErr(t, e.svc.RenameGroup(ctx, "editors", "writers"))
	if got := e.user("alice").Groups; !equalStrings(got, []string{"writers", "zeta"}) {
		t.Errorf("alice's groups %v, want sorted [writers zeta]", got)
	}
	if got := e.user("bob").Groups; !equalStrings(got, []string{"writers"}) {
		t.Errorf("bob's groups %v", got)
	}
	d, err := e.svc.Check(ctx, "bob", []string{"blog.add_post"}, false)
	noErr(t, err)
	if !d.Allowed {
		t.Error("bob lost the group's grant")
	}
	if err := e.svc.RenameGroup(ctx, "writers", "zeta"); !errors.Is(err, ErrExists) {
		t.Errorf("rename onto an existing group: %v", err)
	}
	if err := e.svc.RenameGroup(ctx, "nope", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rename of a missing group: %v", err)
	}
}

func TestBulkChangesAreOneTransaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	e.mkUser("bob")
	e.mkUser("carol", func(nu *NewUser) { nu.Inactive = true })
	noErr(t, e.svc.CreateGroup(ctx, "g"))
	_, err := e.svc.AddMembers(ctx, "g", []string{"bob", "carol"})
	noErr(t, err)
	staff := true
	before := len(e.audit())
	// A missing name fails the whole change.
	if _, err := e.svc.UpdateUsers(ctx, Selector{Names: []string{"alice", "nobody"}}, UserPatch{IsStaff: &staff}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing name: %v", err)
	}
	if e.user("alice").IsStaff || len(e.audit()) != before {
		t.Error("a failed bulk change wrote something")
	}
	// Filters narrow names; alone they pick from every user.
	users, err := e.svc.UpdateUsers(ctx, Selector{Group: "g", Inactive: true}, UserPatch{IsStaff: &staff})
	noErr(t, err)
	if len(users) != 1 || users[0].Username != "carol" || !users[0].IsStaff {
		t.Errorf("group+inactive picked %+v", users)
	}
	if _, err := e.svc.UpdateUsers(ctx, Selector{}, UserPatch{IsStaff: &staff}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an empty selector: %v", err)
	}
	if _, err := e.svc.DeleteUsers(ctx, Selector{Names: []string{"alice"}, Inactive: true}); !errors.Is(err, ErrEmptySelection) || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a selection of nobody: %v", err)
	}
	names, err := e.svc.DeleteUsers(ctx, Selector{Group: "g"})
	noErr(t, err)
	if !equalStrings(names, []string{"bob", "carol"}) || e.hasUser("bob") || !e.hasUser("alice") {
		t.Errorf("deleted %v", names)
	}
}
