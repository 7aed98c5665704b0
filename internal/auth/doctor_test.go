package auth

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"authctl/internal/store"
)

func doctorProblems(t *testing.T, e *testEnv) []string {
	t.Helper()
	findings, err := e.svc.Doctor(context.Background())
	noErr(t, err)
	var got []string
	for _, f := range findings {
		got = append(got, f.Check+": "+f.Subject)
	}
	return got
}

func TestDoctorCleanDatabase(t *testing.T) {
	e := newEnv(t)
	e.mkUser("alice", func(nu *NewUser) { nu.IsSuperuser = true })
	e.mkUser("bob", func(nu *NewUser) { nu.Password = NoPassword() })
	if got := doctorProblems(t, e); len(got) != 0 {
		t.Errorf("clean database: %v", got)
	}
}

// Each seeded problem is reported, and nothing else.
func TestDoctorFindsEachSeededProblem(t *testing.T) {
	e := newEnv(t)
	e.mkUser("ok")
	e.rawUpdate(func(w store.Writer) error {
		put := func(u store.User) {
			u.IsActive = true
			noErr(t, w.PutUser(u))
		}
		noErr(t, w.PutPermission(store.Permission{Perm: "blog.add_post", Name: "Can add post"}))
		noErr(t, w.PutGroup(store.Group{Name: "editors", Permissions: []string{"blog.add_post", "blog.gone"}}))
		put(store.User{Username: "dangling", Password: "!x", Groups: []string{"ghosts"}, Permissions: []string{"blog.nope"}})
		put(store.User{Username: "ﬁnance", Password: "!x"})
		put(store.User{Username: "finance", Password: "!x"})
		put(store.User{Username: "John Smith", Password: "!x"})
		put(store.User{Username: "root", IsSuperuser: true, Password: "!unusable"})
		put(store.User{Username: "legacy", Password: "sha1$salt$" + strings.Repeat("a", 40)})
		put(store.User{Username: "unsalted", Password: strings.Repeat("b", 32)})
		put(store.User{Username: "weird", Password: "crypt$$abcdefghijk"})
		put(store.User{Username: "emptypw", Password: ""})
		return nil
	})
	want := []string{
		"references: group editors",
		"names: user John Smith",
		"references: user dangling",
		"references: user dangling",
		"hashes: user emptypw",
		"hashes: user legacy",
		"superusers: user root",
		"hashes: user unsalted",
		"hashes: user weird",
		"names: user ﬁnance",
	}
	got := doctorProblems(t, e)
	// The NFKC duplicate is reported on the second of the pair in byte order.
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
	}
}

func TestDoctorFixRemovesOnlyDanglingReferences(t *testing.T) {
	e := newEnv(t)
	e.rawUpdate(func(w store.Writer) error {
		noErr(t, w.PutPermission(store.Permission{Perm: "blog.add_post", Name: "Can add post"}))
		noErr(t, w.PutGroup(store.Group{Name: "editors", Permissions: []string{"blog.add_post", "blog.gone"}}))
		return w.PutUser(store.User{Username: "dangling", IsActive: true, Password: "!x",
			Groups: []string{"editors", "ghosts"}, Permissions: []string{"blog.add_post", "blog.nope"}})
	})
	before := len(e.audit())
	fixed, err := e.svc.DoctorFix(context.Background())
	noErr(t, err)
	if len(fixed) != 3 {
		t.Errorf("fixed %d, want 3: %+v", len(fixed), fixed)
	}
	u := e.user("dangling")
	if !equalStrings(u.Groups, []string{"editors"}) || !equalStrings(u.Permissions, []string{"blog.add_post"}) {
		t.Errorf("after fix: groups %v perms %v", u.Groups, u.Permissions)
	}
	if got := doctorProblems(t, e); len(got) != 0 {
		t.Errorf("after fix: %v", got)
	}
	if n := len(e.audit()) - before; n != 1 {
		t.Errorf("fix wrote %d audit records, want 1", n)
	}
	// Nothing left to fix: no change and no audit record.
	fixed, err = e.svc.DoctorFix(context.Background())
	noErr(t, err)
	if len(fixed) != 0 || len(e.audit())-before != 1 {
		t.Errorf("second fix: %v, audit +%d", fixed, len(e.audit())-before)
	}
}

func TestDoctorReportsBrokenAuditChain(t *testing.T) {
	e := newEnv(t)
	e.mkUser("alice")
	e.rawUpdate(func(w store.Writer) error {
		_, err := w.AppendAudit(store.AuditRecord{Action: "forged", Prev: "x", Hash: "y"})
		return err
	})
	got := doctorProblems(t, e)
	if len(got) != 1 || got[0] != "audit: audit log" {
		t.Errorf("findings %v", got)
	}
}
