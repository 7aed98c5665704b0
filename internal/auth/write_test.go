package auth

// "Every change has its audit record" by construction: write refuses to
// commit a change without a record, every exported method of Service is
// either in the table of mutating use cases below or in the list of those
// that never write (a reflection check keeps both complete), and each
// mutating one is run against a store that fails the test when an Update
// commits a change without an audit append.

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"authctl/internal/store"
)

func TestWriteRefusesAChangeWithoutItsRecord(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	n := len(e.audit())
	err := e.svc.write(ctx, func(w store.Writer) error {
		return w.PutGroup(store.Group{Name: "sneaky"})
	})
	if !errors.Is(err, errUnaudited) {
		t.Fatalf("unaudited change: %v, want errUnaudited", err)
	}
	if _, err := e.svc.GetGroup(ctx, "sneaky"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the unaudited change was committed: %v", err)
	}
	// Nothing changed, nothing recorded: fine. A failed delete is no change.
	noErr(t, e.svc.write(ctx, func(w store.Writer) error {
		if err := w.DeleteGroup("absent"); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		_, err := w.User("nobody")
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}))
	// A change with its record commits.
	noErr(t, e.svc.write(ctx, func(w store.Writer) error {
		if err := w.PutGroup(store.Group{Name: "open"}); err != nil {
			return err
		}
		return e.svc.appendAudit(w, Event{Action: "group.create", Target: "open"})
	}))
	if got := len(e.audit()); got != n+1 {
		t.Errorf("%d audit records, want %d", got, n+1)
	}
	// Bookkeeping meta values alone need no record; any other meta value
	// is a change.
	for _, key := range MetaKeys {
		if !bookkeepingMeta(key) {
			continue
		}
		noErr(t, e.svc.write(ctx, func(w store.Writer) error { return w.PutMeta(key, []byte("x")) }))
	}
	for _, key := range MetaKeys {
		if bookkeepingMeta(key) {
			continue
		}
		if err := e.svc.write(ctx, func(w store.Writer) error { return w.PutMeta(key, []byte("x")) }); !errors.Is(err, errUnaudited) {
			t.Errorf("meta %s written alone: %v, want errUnaudited", key, err)
		}
	}
}

// Every mutating method of store.Writer marks auditedWriter changed, so a
// method added to the interface cannot slip past write's check.
func TestAuditedWriterSeesEveryWrite(t *testing.T) {
	e := newEnv(t)
	e.mkUser("alice")
	now := e.svc.clock()
	calls := map[string]func(w store.Writer) error{
		"PutUser":       func(w store.Writer) error { return w.PutUser(store.User{Username: "x", DateJoined: now}) },
		"DeleteUser":    func(w store.Writer) error { return w.DeleteUser("alice") },
		"PutGroup":      func(w store.Writer) error { return w.PutGroup(store.Group{Name: "g"}) },
		"DeleteGroup":   func(w store.Writer) error { w.PutGroup(store.Group{Name: "g"}); return w.DeleteGroup("g") },
		"PutPermission": func(w store.Writer) error { return w.PutPermission(store.Permission{Perm: "a.b", Name: "b"}) },
		"DeletePermission": func(w store.Writer) error {
			w.PutPermission(store.Permission{Perm: "a.b"})
			return w.DeletePermission("a.b")
		},
		"PutSession": func(w store.Writer) error {
			return w.PutSession(store.Session{ID: "s", Username: "alice", Expires: now})
		},
		"DeleteSession": func(w store.Writer) error { w.PutSession(store.Session{ID: "s"}); return w.DeleteSession("s") },
		"PutFailure":    func(w store.Writer) error { return w.PutFailure(store.Failure{Username: "alice"}) },
		"DeleteFailure": func(w store.Writer) error {
			w.PutFailure(store.Failure{Username: "alice"})
			return w.DeleteFailure("alice")
		},
		"DeleteAuditThrough": func(w store.Writer) error { return w.DeleteAuditThrough(1) },
		"PutMeta":            func(w store.Writer) error { return w.PutMeta("test", []byte("x")) },
	}
	writerOnly(t, func(name string) {
		if name == "AppendAudit" {
			return
		}
		call, ok := calls[name]
		if !ok {
			t.Errorf("store.Writer.%s has no case here: add one, and make auditedWriter note it", name)
			return
		}
		errRollback := errors.New("rollback")
		_ = e.st.Update(context.Background(), func(w store.Writer) error {
			aw := &auditedWriter{Writer: w}
			if err := call(aw); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if !aw.changed || aw.audited {
				t.Errorf("%s: changed %v audited %v, want true false", name, aw.changed, aw.audited)
			}
			return errRollback
		})
	})
}

// writerOnly calls fn with the name of each method store.Writer adds to
// store.Reader.
func writerOnly(t *testing.T, fn func(string)) {
	t.Helper()
	wt := reflect.TypeOf((*store.Writer)(nil)).Elem()
	rt := reflect.TypeOf((*store.Reader)(nil)).Elem()
	for i := range wt.NumMethod() {
		name := wt.Method(i).Name
		if _, inReader := rt.MethodByName(name); !inReader {
			fn(name)
		}
	}
}

// auditCheckStore fails the test when an Update commits a change without
// an audit append, and counts the Updates that committed a change.
type auditCheckStore struct {
	store.Store
	t       *testing.T
	method  string
	changes int
}

func (c *auditCheckStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	var aw *auditedWriter
	err := c.Store.Update(ctx, func(w store.Writer) error {
		aw = &auditedWriter{Writer: w}
		return fn(aw)
	})
	if err == nil && aw != nil && aw.changed {
		c.changes++
		if !aw.audited {
			c.t.Errorf("%s: an Update committed a change without an audit record", c.method)
		}
	}
	return err
}

// readOnlyMethods never change the store (SetActor changes only the
// Service). Keep it and mutatingCases together complete: the test fails
// on an exported method in neither.
var readOnlyMethods = []string{
	"AssertPlan", "Assert", "AuditList", "AuditVerify", "Check", "CheckNewUser", "Checks",
	"DjangoKeys", "Doctor", "Dump", "GetGroup", "GetPermission", "GetUser",
	"GetUserPermissions", "GroupNames", "HasModulePerms", "HashPassword", "Hashers",
	"ListGroups", "ListPermissions", "ListSessions", "ListUsers", "PasswordFailures",
	"PermissionNames", "PlanApply", "SelectedUsers", "SetActor", "Usernames", "Whoami",
	"WithPerm",
}

// mutatingCases runs each mutating use case once, in a way that changes
// something, on a fresh fixture (auditFixture).
var mutatingCases = map[string]func(ctx context.Context, s *Service, fx auditFixture) error{
	"CreateUser": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.CreateUser(ctx, NewUser{Username: "carol", Password: RawPassword(goodPassword)})
		return err
	},
	"UpdateUser": func(ctx context.Context, s *Service, _ auditFixture) error {
		email := "alice@example.org"
		_, err := s.UpdateUser(ctx, "alice", UserPatch{Email: &email})
		return err
	},
	"UpdateUsers": func(ctx context.Context, s *Service, _ auditFixture) error {
		inactive := false
		_, err := s.UpdateUsers(ctx, Selector{Names: []string{"alice", "bob"}}, UserPatch{IsActive: &inactive})
		return err
	},
	"DeleteUser": func(ctx context.Context, s *Service, _ auditFixture) error { return s.DeleteUser(ctx, "alice") },
	"DeleteUsers": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.DeleteUsers(ctx, Selector{Group: "staff"})
		return err
	},
	"UnlockUsers": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.UnlockUsers(ctx, Selector{Names: []string{"bob"}})
		return err
	},
	"Unlock": func(ctx context.Context, s *Service, _ auditFixture) error { return s.Unlock(ctx, "bob") },
	"SetPassword": func(ctx context.Context, s *Service, fx auditFixture) error {
		return s.SetPassword(ctx, "alice", RawPassword("An0ther-pass!"), SetPasswordOptions{KeepSession: fx.session})
	},
	"Authenticate": func(ctx context.Context, s *Service, _ auditFixture) error {
		if _, err := s.Authenticate(ctx, "alice", goodPassword); err != nil {
			return err
		}
		if _, err := s.Authenticate(ctx, "alice", "wrong"); !errors.Is(err, ErrAuthFailed) {
			return err
		}
		_, err := s.Authenticate(ctx, "nobody", "wrong")
		if errors.Is(err, ErrAuthFailed) {
			return nil
		}
		return err
	},
	"Login": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.Login(ctx, "alice", goodPassword)
		return err
	},
	"Logout": func(ctx context.Context, s *Service, fx auditFixture) error {
		_, err := s.Logout(ctx, fx.token)
		return err
	},
	"RevokeSessions": func(ctx context.Context, s *Service, fx auditFixture) error {
		return s.RevokeSessions(ctx, []string{fx.session})
	},
	"RevokeUserSessions": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.RevokeUserSessions(ctx, "alice")
		return err
	},
	"ClearExpired": func(ctx context.Context, s *Service, fx auditFixture) error {
		fx.clock.Advance(DefaultSessionAge + time.Hour)
		n, err := s.ClearExpired(ctx)
		if err == nil && n == 0 {
			return errors.New("no session expired")
		}
		return err
	},
	"CreateGroup": func(ctx context.Context, s *Service, _ auditFixture) error { return s.CreateGroup(ctx, "editors") },
	"DeleteGroup": func(ctx context.Context, s *Service, _ auditFixture) error { return s.DeleteGroup(ctx, "staff") },
	"AddMembers": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.AddMembers(ctx, "staff", []string{"bob"})
		return err
	},
	"RemoveMembers": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.RemoveMembers(ctx, "staff", []string{"alice"})
		return err
	},
	"RenameUser": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.RenameUser(ctx, "alice", "alicia")
		return err
	},
	"RenameGroup": func(ctx context.Context, s *Service, _ auditFixture) error {
		return s.RenameGroup(ctx, "staff", "team")
	},
	"CreatePermission": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.CreatePermission(ctx, "blog.edit_post", "Can edit post")
		return err
	},
	"DeletePermission": func(ctx context.Context, s *Service, _ auditFixture) error {
		return s.DeletePermission(ctx, "blog.view_post")
	},
	"Grant": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.Grant(ctx, Grantee{User: "bob"}, []string{"blog.view_post", "blog.new_post"}, true)
		return err
	},
	"Revoke": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.Revoke(ctx, Grantee{Group: "staff"}, []string{"blog.view_post"})
		return err
	},
	"AuditPrune": func(ctx context.Context, s *Service, fx auditFixture) error {
		fx.clock.Advance(time.Hour)
		n, err := s.AuditPrune(ctx, fx.clock.Now())
		if err == nil && n == 0 {
			return errors.New("nothing pruned")
		}
		return err
	},
	"DoctorFix": func(ctx context.Context, s *Service, _ auditFixture) error {
		fixed, err := s.DoctorFix(ctx)
		if err == nil && len(fixed) == 0 {
			return errors.New("nothing fixed")
		}
		return err
	},
	"Apply": func(ctx context.Context, s *Service, _ auditFixture) error {
		_, err := s.Apply(ctx, applyDoc(), ApplyOptions{Origin: "apply"})
		return err
	},
	"ExecuteApply": func(ctx context.Context, s *Service, _ auditFixture) error {
		ap, err := s.PlanApply(ctx, applyDoc(), ApplyOptions{Origin: "apply"})
		if err != nil {
			return err
		}
		_, err = s.ExecuteApply(ctx, ap)
		return err
	},
}

func applyDoc() *Document {
	return &Document{
		Permissions: []DocPermission{{Perm: "shop.view_order", Name: "Can view order"}},
		Groups:      []DocGroup{{Name: "shop", Permissions: &[]string{"shop.view_order"}}},
		Users:       []DocUser{{Username: "dora", Groups: &[]string{"shop"}, Password: ptrPassword(RawPassword(goodPassword))}},
	}
}

func ptrPassword(p Password) *Password { return &p }

// auditFixture is what every mutating case starts from: alice (in staff,
// granted blog.view_post, with a session) and bob (with a failure record),
// group staff (granted blog.view_post), and a dangling membership of carl
// in a group that does not exist.
type auditFixture struct {
	token, session string
	clock          *testClock
}

func newAuditFixture(t *testing.T, e *testEnv) auditFixture {
	ctx := context.Background()
	e.mkUser("alice")
	e.mkUser("bob")
	noErr(t, e.svc.CreateGroup(ctx, "staff"))
	_, err := e.svc.AddMembers(ctx, "staff", []string{"alice"})
	noErr(t, err)
	_, err = e.svc.CreatePermission(ctx, "blog.view_post", "Can view post")
	noErr(t, err)
	_, err = e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"blog.view_post"}, false)
	noErr(t, err)
	_, err = e.svc.Grant(ctx, Grantee{Group: "staff"}, []string{"blog.view_post"}, false)
	noErr(t, err)
	res, err := e.svc.Login(ctx, "alice", goodPassword)
	noErr(t, err)
	if _, err := e.svc.Authenticate(ctx, "bob", "wrong"); !errors.Is(err, ErrAuthFailed) {
		t.Fatal(err)
	}
	e.rawUpdate(func(w store.Writer) error {
		return w.PutUser(store.User{Username: "carl", IsActive: true, DateJoined: e.svc.clock(), Groups: []string{"gone"}})
	})
	return auditFixture{token: res.Token, session: res.Session.ID, clock: e.clock}
}

func TestEveryChangeHasItsAuditRecord(t *testing.T) {
	st := reflect.TypeOf(&Service{})
	for i := range st.NumMethod() {
		name := st.Method(i).Name
		_, mutating := mutatingCases[name]
		if mutating == slices.Contains(readOnlyMethods, name) {
			t.Errorf("Service.%s must be in exactly one of mutatingCases and readOnlyMethods", name)
		}
	}
	for _, name := range readOnlyMethods {
		if _, ok := st.MethodByName(name); !ok {
			t.Errorf("readOnlyMethods lists %s, which Service does not have", name)
		}
	}
	for name, run := range mutatingCases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			fx := newAuditFixture(t, e)
			check := &auditCheckStore{Store: e.hook, t: t, method: name}
			svc := e.newService(e.opts)
			svc.st = actorStore{Store: check, s: svc}
			if err := run(context.Background(), svc, fx); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if check.changes == 0 {
				t.Errorf("%s committed no change: its case does not exercise it", name)
			}
		})
	}
}
