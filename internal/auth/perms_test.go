package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"authctl/internal/store"
)

// seedDjangoPerms builds the database of the vectors' `permissions.setup`:
// the 20 permissions of default_permissions_after_migrate, the groups, and
// the users alice, bob, carol, root, ghost and staffer.
func seedDjangoPerms(t testing.TB, svc *Service) {
	t.Helper()
	v := loadVectors(t)
	ctx := context.Background()
	for _, p := range v.DefaultPerms {
		if _, err := svc.CreatePermission(ctx, p.Perm, p.Name); err != nil {
			t.Fatalf("CreatePermission(%s): %v", p.Perm, err)
		}
	}
	for g, perms := range v.Permissions.Setup.Groups {
		noErr(t, svc.CreateGroup(ctx, g))
		if _, err := svc.Grant(ctx, Grantee{Group: g}, perms, false); err != nil {
			t.Fatal(err)
		}
	}
	// The setup describes the users in words; this is that description,
	// checked against the words below so that a change in the vectors is
	// noticed.
	type spec struct {
		nu     NewUser
		groups []string
		perms  []string
		words  []string
	}
	specs := map[string]spec{
		"alice":   {NewUser{}, []string{"editors", "viewers"}, []string{"sessions.view_session"}, []string{"active", "editors+viewers", "sessions.view_session"}},
		"bob":     {NewUser{Inactive: true}, []string{"editors"}, []string{"sessions.view_session"}, []string{"INACTIVE", "editors", "sessions.view_session"}},
		"carol":   {NewUser{}, nil, nil, []string{"active", "no groups, no perms"}},
		"root":    {NewUser{IsSuperuser: true}, nil, nil, []string{"active superuser"}},
		"ghost":   {NewUser{IsSuperuser: true, Inactive: true}, nil, nil, []string{"INACTIVE superuser"}},
		"staffer": {NewUser{IsStaff: true}, nil, nil, []string{"is_staff=True", "no perms"}},
	}
	for name, desc := range v.Permissions.Setup.Users {
		if name == "AnonymousUser" {
			continue
		}
		sp, ok := specs[name]
		if !ok {
			t.Fatalf("vectors describe user %q (%s) that the test does not set up", name, desc)
		}
		for _, w := range sp.words {
			if !strings.Contains(desc, w) {
				t.Fatalf("vectors describe %s as %q; the test assumes %q", name, desc, w)
			}
		}
		nu := sp.nu
		nu.Username = name
		nu.Password = RawPassword(goodPassword)
		if _, err := svc.CreateUser(ctx, nu); err != nil {
			t.Fatal(err)
		}
		for _, g := range sp.groups {
			if _, err := svc.AddMembers(ctx, g, []string{name}); err != nil {
				t.Fatal(err)
			}
		}
		if len(sp.perms) > 0 {
			if _, err := svc.Grant(ctx, Grantee{User: name}, sp.perms, false); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestHasPermDjangoTruthTable replays the vectors' permissions.results:
// has_perm and has_perms through Check (with and without explain, which
// must not change the answer), get_all_permissions through GetUser's
// EffectivePerms, and the AnonymousUser through Anonymous. Object-level
// calls (has_perm_with_obj, get_all_permissions_with_obj) and
// has_module_perms are not part of the CLI and are skipped.
func TestHasPermDjangoTruthTable(t *testing.T) {
	e := newEnv(t)
	seedDjangoPerms(t, e.svc)
	v := loadVectors(t)
	ctx := context.Background()
	checked := 0
	for _, ur := range v.Permissions.Results {
		anon := ur.User == "AnonymousUser"
		if !anon {
			info, err := e.svc.GetUser(ctx, ur.User)
			noErr(t, err)
			if info.User.IsActive != ur.IsActive || info.User.IsSuperuser != ur.IsSuperuser || info.User.IsStaff != ur.IsStaff {
				t.Errorf("%s: active/superuser/staff = %v/%v/%v, Django %v/%v/%v", ur.User,
					info.User.IsActive, info.User.IsSuperuser, info.User.IsStaff, ur.IsActive, ur.IsSuperuser, ur.IsStaff)
			}
			var all []string
			if err := json.Unmarshal(ur.AllPerms, &all); err != nil {
				// "all 20 permissions in the database": Django's
				// get_user_permissions lists them for a superuser.
				var words string
				noErr(t, json.Unmarshal(ur.AllPerms, &words))
				if !ur.IsSuperuser || !strings.HasPrefix(words, "all ") {
					t.Fatalf("%s: unexpected get_all_permissions %s", ur.User, ur.AllPerms)
				}
				all = ur.UserPerms
			}
			if len(all) != ur.AllPermsCount {
				t.Fatalf("%s: vectors list %d permissions, count %d", ur.User, len(all), ur.AllPermsCount)
			}
			if !equalStrings(info.EffectivePerms, sortedCopy(all)) {
				t.Errorf("%s: EffectivePerms = %v, Django's get_all_permissions = %v", ur.User, info.EffectivePerms, all)
			}
		}
		for _, c := range ur.Results {
			var perms []string
			switch c.Call {
			case "has_perm":
				var p string
				noErr(t, json.Unmarshal(c.Arg, &p))
				perms = []string{p}
			case "has_perms":
				noErr(t, json.Unmarshal(c.Arg, &perms))
			case "has_module_perms":
				var app string
				noErr(t, json.Unmarshal(c.Arg, &app))
				if anon {
					checked++ // AnonymousUser has no module (check --module without a session)
					if c.Result {
						t.Errorf("AnonymousUser has_module_perms(%s) = true in Django", app)
					}
					continue
				}
				d, err := e.svc.HasModulePerms(ctx, ur.User, app)
				noErr(t, err)
				if d.Allowed != c.Result {
					t.Errorf("%s has_module_perms(%s) = %v, Django %v (%+v)", ur.User, app, d.Allowed, c.Result, d)
				}
				checked++
				continue
			case "has_perm_with_obj":
				continue // not in the CLI
			default:
				t.Fatalf("unknown call %q in vectors", c.Call)
			}
			if anon {
				if d := Anonymous(perms); d.Allowed != c.Result {
					t.Errorf("AnonymousUser %s(%v) = %v, Django %v", c.Call, perms, d.Allowed, c.Result)
				}
				checked++
				continue
			}
			for _, explain := range []bool{false, true} {
				d, err := e.svc.Check(ctx, ur.User, perms, explain)
				noErr(t, err)
				if d.Allowed != c.Result {
					t.Errorf("%s %s(%v) explain=%v = %v, Django %v (%+v)", ur.User, c.Call, perms, explain, d.Allowed, c.Result, d.Results)
				}
				if len(d.Results) != len(perms) {
					t.Errorf("%s %v: %d results for %d permissions", ur.User, perms, len(d.Results), len(perms))
				}
			}
			checked++
		}
	}
	if checked < 50 {
		t.Fatalf("only %d vector calls checked", checked)
	}
}

// TestCheckExplain pins the --explain reasons.
func TestCheckExplain(t *testing.T) {
	e := newEnv(t)
	seedDjangoPerms(t, e.svc)
	ctx := context.Background()
	// carol gets a direct grant on top of the vectors' setup.
	_, err := e.svc.Grant(ctx, Grantee{User: "carol"}, []string{"auth.view_user"}, false)
	noErr(t, err)

	cases := []struct {
		user, perm string
		allowed    bool
		reason     string
		groups     []string
	}{
		{"alice", "sessions.view_session", true, ReasonDirect, nil},
		{"alice", "auth.change_user", true, ReasonGroup, []string{"editors"}},
		{"alice", "auth.view_group", true, ReasonGroup, []string{"editors", "viewers"}},
		{"alice", "auth.add_user", false, ReasonNotGranted, nil},
		{"alice", "nonexistent.perm", false, ReasonUnknownPerm, nil},
		{"carol", "auth.view_user", true, ReasonDirect, nil},
		{"root", "auth.add_user", true, ReasonSuperuser, nil},
		{"root", "nonexistent.perm", true, ReasonSuperuser + "; the permission does not exist", nil},
		{"bob", "sessions.view_session", false, ReasonInactive, nil},
		{"ghost", "auth.add_user", false, ReasonInactive, nil},
		{"staffer", "auth.view_user", false, ReasonNotGranted, nil},
	}
	for _, c := range cases {
		d, err := e.svc.Check(ctx, c.user, []string{c.perm}, true)
		noErr(t, err)
		r := d.Results[0]
		if d.User != c.user || r.Perm != c.perm || r.Allowed != c.allowed || r.Reason != c.reason || !equalStrings(r.Groups, c.groups) {
			t.Errorf("Check(%s, %s) = %+v, want allowed=%v reason=%q groups=%v", c.user, c.perm, r, c.allowed, c.reason, c.groups)
		}
	}

	// Both direct and via a group: the direct grant is named.
	_, err = e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"auth.change_user"}, false)
	noErr(t, err)
	d, err := e.svc.Check(ctx, "alice", []string{"auth.change_user"}, true)
	noErr(t, err)
	if r := d.Results[0]; !r.Allowed || r.Reason != ReasonDirect || !equalStrings(r.Groups, []string{"editors"}) {
		t.Errorf("direct+group: %+v", r)
	}

	// has_perms: all must hold; results keep the order asked.
	d, err = e.svc.Check(ctx, "alice", []string{"sessions.view_session", "auth.add_user"}, true)
	noErr(t, err)
	if d.Allowed || !d.Results[0].Allowed || d.Results[1].Allowed || d.Results[1].Perm != "auth.add_user" {
		t.Errorf("mixed has_perms: %+v", d)
	}
	d, err = e.svc.Check(ctx, "bob", nil, true)
	noErr(t, err)
	if !d.Allowed || len(d.Results) != 0 {
		t.Errorf("has_perms([]) for an inactive user: %+v, want allowed", d)
	}

	// Without explain the permission is not looked up: a missing one is
	// simply not granted.
	d, err = e.svc.Check(ctx, "alice", []string{"nonexistent.perm"}, false)
	noErr(t, err)
	if r := d.Results[0]; r.Allowed || r.Reason != ReasonNotGranted {
		t.Errorf("no explain, unknown perm: %+v", r)
	}

	// Unknown user.
	if _, err := e.svc.Check(ctx, "nobody", []string{"auth.add_user"}, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("Check(unknown user) err = %v, want ErrNotFound", err)
	}

	// Anonymous: Django's AnonymousUser.
	a := Anonymous([]string{"auth.add_user", "nonexistent.perm"})
	if a.Allowed || a.User != "" || len(a.Results) != 2 {
		t.Fatalf("Anonymous = %+v", a)
	}
	for _, r := range a.Results {
		if r.Allowed || r.Reason != ReasonNotLoggedIn {
			t.Errorf("Anonymous result %+v", r)
		}
	}
	if a := Anonymous(nil); !a.Allowed {
		t.Errorf("Anonymous(nothing) = %+v, want allowed (has_perms([]) is true)", a)
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("u1")
	e.mkUser("u2")
	noErr(t, e.svc.CreateGroup(ctx, "g"))

	p, err := e.svc.CreatePermission(ctx, "shop.eat_ice_cream", "")
	noErr(t, err)
	if p.Name != "Can eat ice cream" {
		t.Errorf("default name %q", p.Name)
	}
	p, err = e.svc.CreatePermission(ctx, "shop.sell", "Can sell things")
	noErr(t, err)
	if p.Name != "Can sell things" {
		t.Errorf("name %q", p.Name)
	}
	if _, err := e.svc.CreatePermission(ctx, "shop.sell", ""); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate permission: %v", err)
	}
	for _, bad := range []string{"nodot", "Shop.sell", "shop.Sell", "1shop.sell", "shop.sell.more", "shop.", ".sell", ""} {
		if _, err := e.svc.CreatePermission(ctx, bad, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreatePermission(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := e.svc.CreatePermission(ctx, "shop.x", strings.Repeat("n", 256)); !errors.Is(err, ErrInvalid) {
		t.Errorf("256-character name: %v", err)
	}

	// Grant: unknown permission → not found, nothing granted.
	_, err = e.svc.Grant(ctx, Grantee{User: "u1"}, []string{"shop.sell", "shop.missing"}, false)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "shop.missing") {
		t.Fatalf("grant unknown: %v", err)
	}
	if ps := e.user("u1").Permissions; len(ps) != 0 {
		t.Errorf("partial grant: %v", ps)
	}
	// Bad format → invalid, all problems.
	_, err = e.svc.Grant(ctx, Grantee{User: "u1"}, []string{"bad", "shop.sell", "Also.Bad"}, true)
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Errorf("grant bad formats: %v, want one InvalidError with 2 problems", err)
	}
	// Unknown grantee.
	if _, err := e.svc.Grant(ctx, Grantee{User: "nobody"}, []string{"shop.sell"}, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("grant to unknown user: %v", err)
	}
	if _, err := e.svc.Grant(ctx, Grantee{Group: "nogroup"}, []string{"shop.sell"}, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("grant to unknown group: %v", err)
	}

	// Grant with create.
	done, err := e.svc.Grant(ctx, Grantee{User: "u1"}, []string{"shop.sell", "shop.refund"}, true)
	noErr(t, err)
	if !equalStrings(done, []string{"shop.sell", "shop.refund"}) {
		t.Errorf("granted %v", done)
	}
	var names []string
	noErr(t, e.svc.ListPermissions(ctx, "shop", func(p store.Permission) error {
		names = append(names, p.Perm+"="+p.Name)
		return nil
	}))
	if !equalStrings(names, []string{"shop.eat_ice_cream=Can eat ice cream", "shop.refund=Can refund", "shop.sell=Can sell things"}) {
		t.Errorf("permissions = %v", names)
	}
	if ps := e.user("u1").Permissions; !equalStrings(ps, []string{"shop.refund", "shop.sell"}) {
		t.Errorf("u1 perms %v (sorted)", ps)
	}
	done, err = e.svc.Grant(ctx, Grantee{User: "u1"}, []string{"shop.sell"}, false)
	noErr(t, err)
	if len(done) != 0 {
		t.Errorf("re-grant reported %v", done)
	}

	// Revoke.
	done, err = e.svc.Revoke(ctx, Grantee{User: "u1"}, []string{"shop.refund", "shop.eat_ice_cream"})
	noErr(t, err)
	if !equalStrings(done, []string{"shop.refund"}) {
		t.Errorf("revoked %v", done)
	}
	if _, err := e.svc.Revoke(ctx, Grantee{User: "u1"}, []string{"shop.gone"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke unknown perm: %v", err)
	}
	if _, err := e.svc.Revoke(ctx, Grantee{User: "u1"}, []string{"nodot"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("revoke bad perm: %v", err)
	}

	// Deleting a permission revokes it from every user and group.
	_, err = e.svc.Grant(ctx, Grantee{User: "u2"}, []string{"shop.sell", "shop.eat_ice_cream"}, false)
	noErr(t, err)
	_, err = e.svc.Grant(ctx, Grantee{Group: "g"}, []string{"shop.sell", "shop.refund"}, false)
	noErr(t, err)
	noErr(t, e.svc.DeletePermission(ctx, "shop.sell"))
	if ps := e.user("u1").Permissions; len(ps) != 0 {
		t.Errorf("u1 still holds %v", ps)
	}
	if ps := e.user("u2").Permissions; !equalStrings(ps, []string{"shop.eat_ice_cream"}) {
		t.Errorf("u2 holds %v", ps)
	}
	gi, err := e.svc.GetGroup(ctx, "g")
	noErr(t, err)
	if !equalStrings(gi.Group.Permissions, []string{"shop.refund"}) {
		t.Errorf("group holds %v", gi.Group.Permissions)
	}
	if err := e.svc.DeletePermission(ctx, "shop.sell"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	got, err := e.svc.PermissionNames(ctx, "shop.")
	noErr(t, err)
	if !equalStrings(got, []string{"shop.eat_ice_cream", "shop.refund"}) {
		t.Errorf("PermissionNames = %v", got)
	}
}
