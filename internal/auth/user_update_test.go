package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"authctl/internal/store"
)

func TestUpdateUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	before := len(e.audit())

	u, err := e.svc.UpdateUser(ctx, "alice", UserPatch{
		Email:     refOf("  Alice@EXAMPLE.Com "),
		FirstName: refOf("Alice"),
		IsStaff:   refOf(true),
	})
	noErr(t, err)
	if u.Email != "Alice@example.com" || u.FirstName != "Alice" || !u.IsStaff || u.IsSuperuser || !u.IsActive {
		t.Errorf("updated %+v", u)
	}
	if got := e.user("alice"); got.Email != u.Email || got.FirstName != "Alice" || !got.IsStaff {
		t.Errorf("stored %+v", got)
	}
	recs := e.audit()[before:]
	if len(recs) != 1 || recs[0].Action != "user.update" || recs[0].Target != "alice" || recs[0].Detail != "email,first_name,is_staff" {
		t.Errorf("audit %+v", recs)
	}

	// Nothing changes: no write, no record.
	_, err = e.svc.UpdateUser(ctx, "alice", UserPatch{FirstName: refOf("Alice")})
	noErr(t, err)
	if n := len(e.audit()) - before; n != 1 {
		t.Errorf("a no-op update appended a record")
	}

	// Every problem at once; nothing written.
	_, err = e.svc.UpdateUser(ctx, "alice", UserPatch{Email: refOf("nope"), LastName: refOf(strings.Repeat("l", 151)), IsSuperuser: refOf(true)})
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Errorf("invalid patch: %v", err)
	}
	if got := e.user("alice"); got.IsSuperuser || got.Email != "Alice@example.com" {
		t.Errorf("invalid patch partly applied: %+v", got)
	}
	if _, err := e.svc.UpdateUser(ctx, "nobody", UserPatch{IsStaff: refOf(true)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	// Blank email is allowed (Django's field may be blank).
	u, err = e.svc.UpdateUser(ctx, "alice", UserPatch{Email: refOf("")})
	noErr(t, err)
	if u.Email != "" {
		t.Errorf("email %q", u.Email)
	}
	// Deactivate and reactivate.
	u, err = e.svc.UpdateUser(ctx, "alice", UserPatch{IsActive: refOf(false)})
	noErr(t, err)
	if u.IsActive || e.user("alice").IsActive {
		t.Error("still active")
	}
	if _, err := e.svc.Authenticate(ctx, "alice", goodPassword); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("inactive user authenticated: %v", err)
	}
	_, err = e.svc.UpdateUser(ctx, "alice", UserPatch{IsActive: refOf(true)})
	noErr(t, err)
	if _, err := e.svc.Authenticate(ctx, "alice", goodPassword); err != nil {
		t.Errorf("reactivated user: %v", err)
	}
}

func TestDeleteUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	e.mkUser("bob")
	noErr(t, e.svc.CreateGroup(ctx, "g"))
	_, err := e.svc.AddMembers(ctx, "g", []string{"alice", "bob"})
	noErr(t, err)
	la, err := e.svc.Login(ctx, "alice", goodPassword)
	noErr(t, err)
	lb, err := e.svc.Login(ctx, "bob", goodPassword)
	noErr(t, err)
	_, err = e.svc.Authenticate(ctx, "alice", "wrong")
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatal(err)
	}
	if len(e.failures()) != 1 {
		t.Fatal("no failure record to delete")
	}

	noErr(t, e.svc.DeleteUser(ctx, "alice"))
	if e.hasUser("alice") {
		t.Fatal("alice still stored")
	}
	for _, s := range e.sessions() {
		if s.Username == "alice" {
			t.Errorf("alice's session %s survived", s.ID)
		}
	}
	if len(e.failures()) != 0 {
		t.Errorf("failure record survived: %+v", e.failures())
	}
	if _, _, err := e.svc.Whoami(ctx, la.Token); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("deleted user's token: %v", err)
	}
	if _, _, err := e.svc.Whoami(ctx, lb.Token); err != nil {
		t.Errorf("bob's session ended with alice's: %v", err)
	}
	gi, err := e.svc.GetGroup(ctx, "g")
	noErr(t, err)
	if !equalStrings(gi.Members, []string{"bob"}) {
		t.Errorf("members %v", gi.Members)
	}
	if err := e.svc.DeleteUser(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	// A user created again under the name starts clean.
	e.mkUser("alice")
	info, err := e.svc.GetUser(ctx, "alice")
	noErr(t, err)
	if len(info.User.Groups) != 0 || info.Failures != 0 {
		t.Errorf("recreated alice inherits %+v", info)
	}
}

func TestListUsers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice", func(nu *NewUser) { nu.Email = "alice@example.com" })
	e.mkUser("bob", func(nu *NewUser) { nu.Inactive = true; nu.LastName = "Builder" })
	e.mkUser("root", func(nu *NewUser) { nu.IsSuperuser = true })
	noErr(t, e.svc.CreateGroup(ctx, "g"))
	_, err := e.svc.AddMembers(ctx, "g", []string{"bob", "root"})
	noErr(t, err)
	list := func(f UserFilter) []string {
		var out []string
		noErr(t, e.svc.ListUsers(ctx, f, func(u store.User) error {
			out = append(out, u.Username)
			return nil
		}))
		return out
	}
	for _, c := range []struct {
		f    UserFilter
		want []string
	}{
		{UserFilter{}, []string{"alice", "bob", "root"}},
		{UserFilter{Group: "g"}, []string{"bob", "root"}},
		{UserFilter{Active: refOf(true)}, []string{"alice", "root"}},
		{UserFilter{Active: refOf(false)}, []string{"bob"}},
		{UserFilter{Superuser: true}, []string{"root"}},
		{UserFilter{Search: "EXAMPLE"}, []string{"alice"}},
		{UserFilter{Search: "build"}, []string{"bob"}},
		{UserFilter{Group: "g", Active: refOf(true)}, []string{"root"}},
	} {
		if got := list(c.f); !equalStrings(got, c.want) {
			t.Errorf("ListUsers(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
	if err := e.svc.ListUsers(ctx, UserFilter{Group: "nogroup"}, func(store.User) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown group filter: %v", err)
	}
	names, err := e.svc.Usernames(ctx, "", 2)
	noErr(t, err)
	if !equalStrings(names, []string{"alice", "bob"}) {
		t.Errorf("Usernames = %v", names)
	}
}
