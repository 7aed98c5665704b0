package auth

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"authctl/internal/store"
)

// noUserScan is a store whose readers refuse Users: the queries must reach
// users through GroupMembers, PermissionHolders and Superusers.
type noUserScan struct{ store.Store }

type noUserScanReader struct{ store.Reader }

var errScan = errors.New("read every user")

func (noUserScanReader) Users(string, func(store.User) error) error { return errScan }

func (s noUserScan) View(ctx context.Context, fn func(store.Reader) error) error {
	return s.Store.View(ctx, func(r store.Reader) error { return fn(noUserScanReader{r}) })
}

func active(b bool) *bool { return &b }

func TestWithPerm(t *testing.T) {
	e := newEnv(t)
	seedDjangoPerms(t, e.svc)
	ctx := context.Background()
	svc := e.newService(e.opts)
	svc.st = noUserScan{e.st}
	// Django's vectors: editors has auth.change_user; alice (active) and
	// bob (inactive) are editors; root and ghost are superusers, ghost
	// inactive.
	holders := func(perm string, o WithPermOptions) []string {
		t.Helper()
		var out []string
		err := svc.WithPerm(ctx, perm, o, func(h Holding) error {
			how := h.User.Username + ":"
			if h.Direct {
				how += "direct,"
			}
			for _, g := range h.Groups {
				how += g + ","
			}
			if h.Superuser {
				how += "superuser"
			}
			out = append(out, how)
			return nil
		})
		noErr(t, err)
		return out
	}
	for _, tc := range []struct {
		perm string
		o    WithPermOptions
		want []string
	}{
		{"auth.change_user", WithPermOptions{Active: active(true)}, []string{"alice:editors,", "root:superuser"}},
		{"auth.change_user", WithPermOptions{Active: active(true), ExcludeSuperusers: true}, []string{"alice:editors,"}},
		{"auth.change_user", WithPermOptions{Active: active(false)}, []string{"bob:editors,", "ghost:superuser"}},
		{"auth.change_user", WithPermOptions{}, []string{"alice:editors,", "bob:editors,", "ghost:superuser", "root:superuser"}},
		{"sessions.view_session", WithPermOptions{Active: active(true), ExcludeSuperusers: true}, []string{"alice:direct,"}},
		{"nothing.at_all", WithPermOptions{Active: active(true)}, []string{"root:superuser"}},
	} {
		if got := holders(tc.perm, tc.o); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("WithPerm(%s, %+v) = %v, want %v", tc.perm, tc.o, got, tc.want)
		}
	}
	if err := svc.WithPerm(ctx, "change_user", WithPermOptions{}, func(Holding) error { return nil }); !errors.Is(err, ErrInvalid) {
		t.Errorf("malformed permission: %v, want ErrInvalid", err)
	}

	info, err := svc.GetPermission(ctx, "auth.change_user")
	noErr(t, err)
	if !reflect.DeepEqual(info.Groups, []string{"editors"}) || len(info.Users) != 0 || info.Holders != 2 || info.Permission.Name != "Can change user" {
		t.Errorf("GetPermission = %+v", info)
	}
	if _, err := svc.GetPermission(ctx, "auth.nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown permission: %v, want ErrNotFound", err)
	}

	g, err := svc.GetGroup(ctx, "editors")
	noErr(t, err)
	if !reflect.DeepEqual(g.Members, []string{"alice", "bob"}) {
		t.Errorf("GetGroup members %v", g.Members)
	}
	counts := map[string]int{}
	noErr(t, svc.ListGroups(ctx, true, func(g GroupInfo) error { counts[g.Group.Name] = len(g.Members); return nil }))
	if counts["editors"] != 2 || counts["viewers"] != 1 {
		t.Errorf("ListGroups member counts %v", counts)
	}
}

// TestUserPermissionsDjango replays the vectors' get_user_permissions,
// get_group_permissions and get_all_permissions.
func TestUserPermissionsDjango(t *testing.T) {
	e := newEnv(t)
	seedDjangoPerms(t, e.svc)
	v := loadVectors(t)
	ctx := context.Background()
	var all []string
	noErr(t, e.svc.ListPermissions(ctx, "", func(p store.Permission) error { all = append(all, p.Perm); return nil }))
	for _, ur := range v.Permissions.Results {
		if ur.User == "AnonymousUser" {
			continue
		}
		up, err := e.svc.GetUserPermissions(ctx, ur.User)
		noErr(t, err)
		wantUser, wantGroup := sortedCopy(ur.UserPerms), sortedCopy(ur.GroupPerms)
		if ur.IsSuperuser && ur.IsActive && !equalStrings(wantUser, all) {
			t.Errorf("%s: Django lists %d permissions for a superuser, the database holds %d", ur.User, len(wantUser), len(all))
		}
		if !equalStrings(up.UserPerms, wantUser) || !equalStrings(up.GroupPerms, wantGroup) {
			t.Errorf("%s: user %v group %v; Django %v %v", ur.User, up.UserPerms, up.GroupPerms, wantUser, wantGroup)
		}
		if len(up.Sources) != len(up.AllPerms) {
			t.Errorf("%s: %d sources for %d permissions", ur.User, len(up.Sources), len(up.AllPerms))
		}
	}
	up, err := e.svc.GetUserPermissions(ctx, "alice")
	noErr(t, err)
	want := []PermSource{
		{Perm: "auth.change_user", Groups: []string{"editors"}},
		{Perm: "auth.view_group", Groups: []string{"editors", "viewers"}},
		{Perm: "sessions.view_session", Direct: true, Groups: []string{}},
	}
	if !reflect.DeepEqual(up.Sources, want) {
		t.Errorf("alice's sources %+v, want %+v", up.Sources, want)
	}
}
