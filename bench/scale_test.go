package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
	"authctl/internal/store/backends"
)

// The scale data set (issue 4: "with 1,000,000 users and 10,000 groups"):
// scalePerms permissions, groups of 12 permissions and users in 2 groups
// with 3 direct permissions each, by the formulas of dataset_test.go with
// the counts as parameters. Usernames have 7 digits whatever the count, so
// that keys have the same length in every size.
const scalePerms = NPerms

// scaleShape is one size of the scale data set.
type scaleShape struct{ users, groups int }

func scaleUserName(u int) string  { return fmt.Sprintf("user%07d", u) }
func scaleGroupName(g int) string { return fmt.Sprintf("group%05d", g) }

func (s scaleShape) groupPerms(g int) []string {
	ids := make([]int, 0, groupPerms)
	for k := range groupPerms {
		ids = append(ids, (g*7+k*17)%scalePerms)
	}
	return names(ids, permName)
}

func (s scaleShape) userGroups(u int) []string {
	return names([]int{u % s.groups, (u*3 + 1) % s.groups}, scaleGroupName)
}

func (s scaleShape) userPerms(u int) []string {
	ids := make([]int, 0, directPerms)
	for k := range directPerms {
		ids = append(ids, (u*11+k*37)%scalePerms)
	}
	return names(ids, permName)
}

// checkCase picks the user in the middle and a permission that user has
// through its first group only (not directly, not through the other group),
// so that the check reads the user and both groups and is allowed.
func (s scaleShape) checkCase() (user, perm string) {
	u := s.users / 2
	direct := s.userPerms(u)
	groups := s.userGroups(u)
	var other []string
	for _, g := range groups[1:] {
		var id int
		fmt.Sscanf(g, "group%05d", &id)
		other = append(other, s.groupPerms(id)...)
	}
	var first int
	fmt.Sscanf(groups[0], "group%05d", &first)
	for _, p := range s.groupPerms(first) {
		if !slices.Contains(direct, p) && !slices.Contains(other, p) {
			return scaleUserName(u), p
		}
	}
	panic("bench: no permission reached through one group only")
}

// scaleBatch is how many users go into one write transaction: bbolt keeps
// a transaction's changes in memory until it commits.
const scaleBatch = 50_000

// buildScale writes the data set of shape s at path (which must not
// exist) straight through the store, in stages of scaleBatch users that
// the store publishes as one (store.UpdateStaged, as a large apply writes),
// every user with the same cheap pbkdf2 hash (a real one's length). No
// audit records are written: this is the database's contents, not an
// apply.
func buildScale(path string, s scaleShape) error {
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
	ctx := context.Background()
	err = st.Update(ctx, func(w store.Writer) error {
		for p := range scalePerms {
			if err := w.PutPermission(store.Permission{Perm: permName(p), Name: fmt.Sprintf("Can do thing %d", p)}); err != nil {
				return err
			}
		}
		for g := range s.groups {
			if err := w.PutGroup(store.Group{Name: scaleGroupName(g), Permissions: s.groupPerms(g)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = store.UpdateStaged(ctx, st, func(stage func(func(store.Writer) error) error) error {
			for lo := 0; lo < s.users; lo += scaleBatch {
				if err := stage(scaleUsers(s, enc, lo)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// scaleUsers is the stage that writes users lo to lo+scaleBatch-1.
func scaleUsers(s scaleShape, enc string, lo int) func(store.Writer) error {
	return func(w store.Writer) error {
		for u := lo; u < min(lo+scaleBatch, s.users); u++ {
			name := scaleUserName(u)
			err := w.PutUser(store.User{
				Username:    name,
				Email:       name + "@example.com",
				FirstName:   "First" + strconv.Itoa(u),
				LastName:    "Last" + strconv.Itoa(u),
				Password:    enc,
				IsActive:    true,
				DateJoined:  joined,
				Groups:      s.userGroups(u),
				Permissions: s.userPerms(u),
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// TestPrepareScale builds $AUTHCTL_BENCH_DIR/scale-<users>.db for
// AUTHCTL_SCALE="USERS:GROUPS ..." (seed.sh: "100:10 100000:10000
// 1000000:10000") and writes scale-<users>.env with the checked user and
// permission; without both variables it skips. An existing database is
// kept (seed.sh removes the directory when done).
func TestPrepareScale(t *testing.T) {
	spec := os.Getenv("AUTHCTL_SCALE")
	if os.Getenv(dirEnv) == "" || spec == "" {
		t.Skipf("set %s and AUTHCTL_SCALE to build the scale databases for bench/seed.sh", dirEnv)
	}
	var shapes []scaleShape
	for _, f := range strings.Fields(spec) {
		var s scaleShape
		if _, err := fmt.Sscanf(f, "%d:%d", &s.users, &s.groups); err != nil || s.users < 2 || s.groups < 2 {
			t.Fatalf("AUTHCTL_SCALE: %q is not USERS:GROUPS (each at least 2)", f)
		}
		shapes = append(shapes, s)
	}
	for _, s := range shapes {
		path := filepath.Join(benchDir, fmt.Sprintf("scale-%d.db", s.users))
		if _, err := os.Stat(path); err != nil {
			if err := buildScale(path, s); err != nil {
				t.Fatal(err)
			}
		}
		user, perm := s.checkCase()
		env := fmt.Sprintf("SCALE_DB='%s'\nSCALE_USERS='%d'\nSCALE_GROUPS='%d'\nSCALE_CHECK_USER='%s'\nSCALE_CHECK_PERM='%s'\n", path, s.users, s.groups, user, perm)
		if err := os.WriteFile(filepath.Join(benchDir, fmt.Sprintf("scale-%d.env", s.users)), []byte(env), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScaleDataset builds a small scale database (cheap, part of the plain
// test run) and checks its counts and that the check case is allowed
// through one group only.
func TestScaleDataset(t *testing.T) {
	s := scaleShape{users: 120, groups: 30}
	path := filepath.Join(t.TempDir(), "auth.db")
	if err := buildScale(path, s); err != nil {
		t.Fatal(err)
	}
	svc, st, err := openService(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var users, groups int
	if err := st.View(ctx, func(r store.Reader) error {
		if err := r.Users("", func(store.User) error { users++; return nil }); err != nil {
			return err
		}
		return r.Groups(func(store.Group) error { groups++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	if users != s.users || groups != s.groups {
		t.Fatalf("built %d users and %d groups, want %d and %d", users, groups, s.users, s.groups)
	}
	user, perm := s.checkCase()
	d, err := svc.Check(ctx, user, []string{perm}, true)
	if err != nil || !d.Allowed || len(d.Results) != 1 || len(d.Results[0].Groups) != 1 || d.Results[0].Groups[0] != s.userGroups(60)[0] {
		t.Fatalf("check %s for %s = %+v, %v; want allowed through %s only", perm, user, d, err, s.userGroups(60)[0])
	}
}
