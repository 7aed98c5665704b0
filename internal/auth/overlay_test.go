package auth

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"authctl/internal/store"
)

// snapshot is what a Reader says about permissions: every user's flags,
// groups and grants, every group and permission, and the three indexes.
func snapshot(t *testing.T, r store.Reader) string {
	t.Helper()
	var b strings.Builder
	noErr(t, r.Users("", func(u store.User) error {
		fmt.Fprintf(&b, "user %s active=%v super=%v groups=%v perms=%v\n", u.Username, u.IsActive, u.IsSuperuser, u.Groups, u.Permissions)
		return nil
	}))
	var groups, perms []string
	noErr(t, r.Groups(func(g store.Group) error {
		groups = append(groups, g.Name)
		fmt.Fprintf(&b, "group %s perms=%v\n", g.Name, g.Permissions)
		return nil
	}))
	noErr(t, r.Permissions("", func(p store.Permission) error {
		perms = append(perms, p.Perm)
		fmt.Fprintf(&b, "perm %s %q\n", p.Perm, p.Name)
		return nil
	}))
	list := func(what string, visit func(func(string) error) error) {
		var names []string
		noErr(t, visit(func(n string) error { names = append(names, n); return nil }))
		fmt.Fprintf(&b, "%s: %v\n", what, names)
	}
	for _, g := range append(groups, "gone") {
		list("members of "+g, func(f func(string) error) error { return r.GroupMembers(g, f) })
	}
	for _, p := range append(perms, "x.gone") {
		list("holders of "+p, func(f func(string) error) error { return r.PermissionHolders(p, f) })
	}
	list("superusers", r.Superusers)
	for _, name := range []string{"alice", "newbie", "gone", "nobody"} {
		u, err := r.User(name)
		fmt.Fprintf(&b, "User(%s) = %v %v %v\n", name, u.Groups, u.Permissions, err != nil)
	}
	return b.String()
}

// TestOverlayIsTheAppliedState: the overlay of a plan reads exactly as the
// database does once the plan is written: creates, updates, prunes and the
// references they remove.
func TestOverlayIsTheAppliedState(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	strs := func(s ...string) *[]string { return &s }
	yes, no := true, false
	first := &Document{
		Permissions: []DocPermission{{Perm: "blog.add_post"}, {Perm: "x.gone"}, {Perm: "blog.keep"}},
		Groups:      []DocGroup{{Name: "editors", Permissions: strs("blog.add_post", "x.gone")}, {Name: "gone", Permissions: strs("blog.keep")}},
		Users: []DocUser{
			{Username: "alice", Groups: strs("editors", "gone"), Permissions: strs("x.gone")},
			{Username: "gone", Groups: strs("editors")},
			{Username: "root", IsSuperuser: &yes},
		},
	}
	_, err := e.svc.Apply(ctx, first, ApplyOptions{Manage: true})
	noErr(t, err)
	_, err = e.svc.CreateUser(ctx, NewUser{Username: "carol", Password: NoPassword()})
	noErr(t, err)
	_, err = e.svc.AddMembers(ctx, "gone", []string{"carol"})
	noErr(t, err)

	second := &Document{
		Permissions: []DocPermission{{Perm: "blog.add_post"}, {Perm: "blog.keep"}, {Perm: "blog.new", Name: "Can be new"}},
		Groups:      []DocGroup{{Name: "editors", Permissions: strs("blog.add_post", "blog.new")}, {Name: "writers", Permissions: strs("blog.keep")}},
		Users: []DocUser{
			{Username: "alice", Groups: strs("editors", "writers")},
			{Username: "root", IsActive: &no},
			{Username: "newbie", IsSuperuser: &yes, Groups: strs("writers")},
		},
	}
	opts := ApplyOptions{Manage: true, Prune: true}
	ap, err := e.svc.PlanApply(ctx, second, opts)
	noErr(t, err)
	var planned string
	noErr(t, e.st.View(ctx, func(r store.Reader) error {
		o, err := newOverlay(r, ap.pl, ap.opts)
		if err != nil {
			return err
		}
		planned = snapshot(t, o)
		return nil
	}))
	_, err = e.svc.ExecuteApply(ctx, ap)
	noErr(t, err)
	var applied string
	noErr(t, e.st.View(ctx, func(r store.Reader) error { applied = snapshot(t, r); return nil }))
	if planned != applied {
		t.Errorf("overlay:\n%s\napplied:\n%s", planned, applied)
	}
	if !strings.Contains(applied, "user carol active=true super=false groups=[] perms=[]") {
		t.Errorf("the data set does not exercise pruning:\n%s", applied)
	}
}

// TestAssertPlan: expectations checked against a plan, nothing written.
func TestAssertPlan(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	strs := func(s ...string) *[]string { return &s }
	doc := &Document{
		Permissions: []DocPermission{{Perm: "blog.add_post"}},
		Groups:      []DocGroup{{Name: "editors", Permissions: strs("blog.add_post")}},
		Users:       []DocUser{{Username: "alice", Groups: strs("editors")}, {Username: "bob"}},
	}
	ap, err := e.svc.PlanApply(ctx, doc, ApplyOptions{Manage: true})
	noErr(t, err)
	rep, err := e.svc.AssertPlan(ctx, ap, []Expectation{
		{Where: "f:1", User: "alice", Allowed: []string{"blog.add_post"}, ModulesAllowed: []string{"blog"}},
		{Where: "f:2", Group: "editors", Denied: []string{"blog.add_post"}},
		{Where: "f:3", User: "bob", Denied: []string{"blog.add_post"}},
	})
	noErr(t, err)
	var failed []string
	for _, c := range rep.Cases {
		if !c.Passed() {
			failed = append(failed, c.Where+" "+c.User)
		}
	}
	if !reflect.DeepEqual(failed, []string{"f:2 alice"}) || rep.Failed != 1 || len(rep.Cases) != 4 {
		t.Errorf("failed %v (%d of %d)", failed, rep.Failed, len(rep.Cases))
	}
	if _, err := e.svc.GetUser(ctx, "alice"); err == nil {
		t.Error("AssertPlan wrote the plan")
	}
}
