package bench

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
	"authctl/internal/store/backends"
)

// The benchmark database: NPerms permissions, NGroups groups of 12
// permissions each, and NUsers users, each in 2 groups with 3 direct
// permissions. The layout is a formula, not random, so that
// django_bench.sh builds the same data in Django (keep the two in step).
const (
	NUsers  = 1000
	NGroups = 50
	NPerms  = 200

	groupPerms  = 12
	directPerms = 3
)

// CheckUser has CheckPerm through a group (group00), not directly: the
// check reads the user and both of the user's groups.
const (
	CheckUser = "user0500"
	CheckPerm = "app0.perm_017"
)

// permName is "app<p/20>.perm_<p>": 10 apps of 20 permissions.
func permName(p int) string { return fmt.Sprintf("app%d.perm_%03d", p/20, p) }

func groupName(g int) string { return fmt.Sprintf("group%02d", g) }

func userName(u int) string { return fmt.Sprintf("user%04d", u) }

func groupPermIDs(g int) []int {
	ids := make([]int, 0, groupPerms)
	for k := range groupPerms {
		ids = append(ids, (g*7+k*17)%NPerms)
	}
	return ids
}

func userGroupIDs(u int) []int { return []int{u % NGroups, (u*3 + 1) % NGroups} }

func userPermIDs(u int) []int {
	ids := make([]int, 0, directPerms)
	for k := range directPerms {
		ids = append(ids, (u*11+k*37)%NPerms)
	}
	return ids
}

// names maps ids to sorted, distinct names (the auth package keeps a
// record's lists sorted and binary-searches them).
func names(ids []int, name func(int) string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, name(id))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var joined = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// seed writes the benchmark database at path in one transaction, straight
// through the store; every user has the same cheap pbkdf2 hash.
func seed(path string) error {
	hs, err := hasher.NewSet("pbkdf2_sha256", hasher.Params{PBKDF2Iterations: 1000})
	if err != nil {
		return err
	}
	enc, err := hs.Make(benchPassword)
	if err != nil {
		return err
	}
	st, err := backends.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		return err
	}
	err = st.Update(context.Background(), func(w store.Writer) error {
		for p := range NPerms {
			if err := w.PutPermission(store.Permission{Perm: permName(p), Name: fmt.Sprintf("Can do thing %d", p)}); err != nil {
				return err
			}
		}
		for g := range NGroups {
			if err := w.PutGroup(store.Group{Name: groupName(g), Permissions: names(groupPermIDs(g), permName)}); err != nil {
				return err
			}
		}
		for u := range NUsers {
			err := w.PutUser(store.User{
				Username:    userName(u),
				Email:       userName(u) + "@example.com",
				Password:    enc,
				IsActive:    true,
				DateJoined:  joined,
				Groups:      names(userGroupIDs(u), groupName),
				Permissions: names(userPermIDs(u), permName),
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// seedOne writes a database with one active user.
func seedOne(path, username, encoded string) error {
	st, err := backends.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		return err
	}
	err = st.Update(context.Background(), func(w store.Writer) error {
		return w.PutUser(store.User{Username: username, Password: encoded, IsActive: true, DateJoined: joined})
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// TestDataset checks the seeded database: its size, and that the
// benchmarked check is allowed through a group only (so that it reads the
// user and the groups, and answers like Django's has_perm).
func TestDataset(t *testing.T) {
	path := t.TempDir() + "/auth.db"
	if err := seed(path); err != nil {
		t.Fatal(err)
	}
	svc, st, err := openService(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()

	var users, groups, perms int
	err = st.View(ctx, func(r store.Reader) error {
		if err := r.Users("", func(store.User) error { users++; return nil }); err != nil {
			return err
		}
		if err := r.Groups(func(store.Group) error { groups++; return nil }); err != nil {
			return err
		}
		return r.Permissions("", func(store.Permission) error { perms++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	if users != NUsers || groups != NGroups || perms != NPerms {
		t.Fatalf("seeded %d users, %d groups, %d permissions; want %d, %d, %d", users, groups, perms, NUsers, NGroups, NPerms)
	}

	d, err := svc.Check(ctx, CheckUser, []string{CheckPerm}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allowed || len(d.Results) != 1 || d.Results[0].Reason == "" || !slices.Equal(d.Results[0].Groups, []string{"group00"}) {
		t.Fatalf("check %s for %s = %+v; want allowed via group00 only", CheckPerm, CheckUser, d)
	}
	for _, p := range userPermIDs(500) {
		if permName(p) == CheckPerm {
			t.Fatalf("%s is a direct permission of %s; the benchmark wants it through a group", CheckPerm, CheckUser)
		}
	}
	d, err = svc.Check(ctx, CheckUser, []string{permName(199)}, false)
	if err != nil || d.Allowed {
		t.Fatalf("check of an ungranted permission: %+v, %v; want denied", d, err)
	}
}
