package auth

// The tamper tests open the database file with go.etcd.io/bbolt itself:
// the store has no way to rewrite or remove a single audit record (there is
// no PutAudit, and DeleteAuditThrough only cuts a prefix), which is the
// point, so a test that plays the attacker has to go under it. Only test
// code imports bbolt here.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"authctl/internal/store"
)

// TestAuditOneRecordPerChange runs every mutating call and checks the
// records it appends: how many, which action, which target.
func TestAuditOneRecordPerChange(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Lockout = LockoutPolicy{Attempts: 2, Window: time.Hour, Duration: time.Hour} })
	ctx := context.Background()
	var token string
	var sessID string
	type step struct {
		name    string
		do      func() error
		actions []string // one entry per record, in order
		target  string   // of the last record
	}
	steps := []step{
		{"create user", func() error {
			_, err := e.svc.CreateUser(ctx, NewUser{Username: "alice", Password: RawPassword(goodPassword)})
			return err
		}, []string{"user.create"}, "alice"},
		{"create user bob", func() error {
			_, err := e.svc.CreateUser(ctx, NewUser{Username: "bob", Password: NoPassword()})
			return err
		}, []string{"user.create"}, "bob"},
		{"update user", func() error { _, err := e.svc.UpdateUser(ctx, "alice", UserPatch{IsStaff: refOf(true)}); return err }, []string{"user.update"}, "alice"},
		{"no-op update", func() error { _, err := e.svc.UpdateUser(ctx, "alice", UserPatch{IsStaff: refOf(true)}); return err }, nil, ""},
		{"set password", func() error {
			return e.svc.SetPassword(ctx, "bob", RawPassword(goodPassword), SetPasswordOptions{})
		}, []string{"user.passwd"}, "bob"},
		{"create group", func() error { return e.svc.CreateGroup(ctx, "g") }, []string{"group.create"}, "g"},
		{"add members", func() error { _, err := e.svc.AddMembers(ctx, "g", []string{"alice", "bob"}); return err }, []string{"group.add-members"}, "g"},
		{"add members again", func() error { _, err := e.svc.AddMembers(ctx, "g", []string{"alice"}); return err }, nil, ""},
		{"remove members", func() error { _, err := e.svc.RemoveMembers(ctx, "g", []string{"bob"}); return err }, []string{"group.remove-members"}, "g"},
		{"create perm", func() error { _, err := e.svc.CreatePermission(ctx, "app.one", ""); return err }, []string{"perm.create"}, "app.one"},
		{"grant", func() error {
			_, err := e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"app.one"}, false)
			return err
		}, []string{"perm.grant"}, "user alice"},
		{"grant again", func() error {
			_, err := e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"app.one"}, false)
			return err
		}, nil, ""},
		{"grant with create", func() error {
			_, err := e.svc.Grant(ctx, Grantee{Group: "g"}, []string{"app.two", "app.three", "app.one"}, true)
			return err
		}, []string{"perm.create", "perm.create", "perm.grant"}, "group g"},
		{"revoke", func() error { _, err := e.svc.Revoke(ctx, Grantee{Group: "g"}, []string{"app.two"}); return err }, []string{"perm.revoke"}, "group g"},
		{"revoke not held", func() error { _, err := e.svc.Revoke(ctx, Grantee{Group: "g"}, []string{"app.two"}); return err }, nil, ""},
		{"delete perm", func() error { return e.svc.DeletePermission(ctx, "app.one") }, []string{"perm.delete"}, "app.one"},
		{"authenticate ok", func() error { _, err := e.svc.Authenticate(ctx, "alice", goodPassword); return err }, []string{"auth.authenticate"}, "alice"},
		{"authenticate failed", func() error {
			if _, err := e.svc.Authenticate(ctx, "alice", "wrong"); !errors.Is(err, ErrAuthFailed) {
				return errors.New("wrong password accepted")
			}
			return nil
		}, []string{"auth.authenticate"}, "alice"},
		{"login", func() error {
			res, err := e.svc.Login(ctx, "alice", goodPassword)
			token, sessID = res.Token, res.Session.ID
			return err
		}, []string{"session.start", "auth.login"}, "alice"},
		{"logout", func() error { _, err := e.svc.Logout(ctx, token); return err }, []string{"session.end"}, "alice"},
		{"logout again", func() error { _, err := e.svc.Logout(ctx, token); return err }, nil, ""},
		{"login to revoke", func() error {
			res, err := e.svc.Login(ctx, "alice", goodPassword)
			sessID = res.Session.ID
			return err
		}, []string{"session.start", "auth.login"}, "alice"},
		{"revoke session", func() error { return e.svc.RevokeSessions(ctx, []string{sessID}) }, []string{"session.end"}, "alice"},
		{"login to revoke by user", func() error { _, err := e.svc.Login(ctx, "alice", goodPassword); return err }, []string{"session.start", "auth.login"}, "alice"},
		{"revoke user sessions", func() error { _, err := e.svc.RevokeUserSessions(ctx, "alice"); return err }, []string{"session.end"}, "alice"},
		{"revoke none", func() error { _, err := e.svc.RevokeUserSessions(ctx, "alice"); return err }, nil, ""},
		{"login to expire", func() error { _, err := e.svc.Login(ctx, "alice", goodPassword); return err }, []string{"session.start", "auth.login"}, "alice"},
		{"clear expired", func() error {
			e.clock.Advance(DefaultSessionAge + time.Second)
			_, err := e.svc.ClearExpired(ctx)
			return err
		}, []string{"session.clear-expired"}, "sessions"},
		{"clear nothing", func() error { _, err := e.svc.ClearExpired(ctx); return err }, nil, ""},
		{"lock", func() error {
			for i := 0; i < 2; i++ {
				e.svc.Authenticate(ctx, "bob", "wrong")
			}
			return nil
		}, []string{"auth.authenticate", "auth.authenticate"}, "bob"},
		{"unlock", func() error { return e.svc.Unlock(ctx, "bob") }, []string{"user.unlock"}, "bob"},
		{"delete group", func() error { return e.svc.DeleteGroup(ctx, "g") }, []string{"group.delete"}, "g"},
		{"delete user", func() error { return e.svc.DeleteUser(ctx, "bob") }, []string{"user.delete"}, "bob"},
	}
	for _, s := range steps {
		before := e.audit()
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		after := e.audit()
		added := after[len(before):]
		var actions []string
		for _, r := range added {
			actions = append(actions, r.Action)
		}
		// (A login's session.start is written by the success hook,
		// before the auth.login record of the attempt.)
		want := s.actions
		if !equalStrings(actions, want) {
			t.Errorf("%s: appended %v, want %v", s.name, actions, want)
			continue
		}
		if len(added) > 0 && added[len(added)-1].Target != s.target {
			t.Errorf("%s: target %q, want %q", s.name, added[len(added)-1].Target, s.target)
		}
		for _, r := range added {
			if r.OSUser != "tester" || !r.Time.Equal(e.clock.Now().UTC().Truncate(time.Microsecond)) {
				t.Errorf("%s: record %+v lacks the actor or the clock's time", s.name, r)
			}
		}
	}
	if n, err := e.svc.verifyCount(ctx); err != nil || n != len(e.audit()) {
		t.Errorf("AuditVerify = %d, %v", n, err)
	}
}

// TestAuditFailedChangeAppendsNothing: a change that fails writes neither
// the change nor a record.
func TestAuditFailedChangeAppendsNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	noErr(t, e.svc.CreateGroup(ctx, "g"))
	_, err := e.svc.CreatePermission(ctx, "app.one", "")
	noErr(t, err)
	fails := map[string]func() error{
		"duplicate user": func() error {
			_, err := e.svc.CreateUser(ctx, NewUser{Username: "alice", Password: NoPassword()})
			return err
		},
		"invalid user": func() error {
			_, err := e.svc.CreateUser(ctx, NewUser{Username: "a b", Password: NoPassword()})
			return err
		},
		"update unknown":  func() error { _, err := e.svc.UpdateUser(ctx, "nobody", UserPatch{IsStaff: refOf(true)}); return err },
		"delete unknown":  func() error { return e.svc.DeleteUser(ctx, "nobody") },
		"passwd unknown":  func() error { return e.svc.SetPassword(ctx, "nobody", NoPassword(), SetPasswordOptions{}) },
		"passwd rejected": func() error { return e.svc.SetPassword(ctx, "alice", RawPassword("123"), SetPasswordOptions{}) },
		"duplicate group": func() error { return e.svc.CreateGroup(ctx, "g") },
		"delete no group": func() error { return e.svc.DeleteGroup(ctx, "nog") },
		"members unknown": func() error { _, err := e.svc.AddMembers(ctx, "g", []string{"alice", "nobody"}); return err },
		"duplicate perm":  func() error { _, err := e.svc.CreatePermission(ctx, "app.one", ""); return err },
		"delete no perm":  func() error { return e.svc.DeletePermission(ctx, "app.none") },
		"grant unknown": func() error {
			_, err := e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"app.two", "app.one"}, false)
			return err
		},
		"grant bad format": func() error { _, err := e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"bad"}, true); return err },
		"revoke sessions":  func() error { return e.svc.RevokeSessions(ctx, []string{"nope"}) },
		"revoke user":      func() error { _, err := e.svc.RevokeUserSessions(ctx, "nobody"); return err },
		"unlock unknown":   func() error { return e.svc.Unlock(ctx, "nobody") },
	}
	for name, f := range fails {
		before := len(e.audit())
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
		if n := len(e.audit()) - before; n != 0 {
			t.Errorf("%s: appended %d records", name, n)
		}
	}
	if _, err := e.svc.verifyCount(ctx); err != nil {
		t.Error(err)
	}
}

// TestAuditSameTransaction makes the audit append fail: the change it
// records must then not happen either.
func TestAuditSameTransaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	noErr(t, e.svc.CreateGroup(ctx, "g"))
	live := e.login("alice", goodPassword)
	e.hook.failAudit = true
	ops := map[string]struct {
		do    func() error
		check func() bool // reports the change did NOT happen
	}{
		"CreateUser": {func() error {
			_, err := e.svc.CreateUser(ctx, NewUser{Username: "bob", Password: NoPassword()})
			return err
		},
			func() bool { return !e.hasUser("bob") }},
		"DeleteUser": {func() error { return e.svc.DeleteUser(ctx, "alice") },
			func() bool { return e.hasUser("alice") && e.valid(live.Token) }},
		"UpdateUser": {func() error { _, err := e.svc.UpdateUser(ctx, "alice", UserPatch{IsActive: refOf(false)}); return err },
			func() bool { return e.user("alice").IsActive && e.valid(live.Token) }},
		"Grant with create": {func() error { _, err := e.svc.Grant(ctx, Grantee{Group: "g"}, []string{"app.x"}, true); return err },
			func() bool {
				names, _ := e.svc.PermissionNames(ctx, "")
				return len(names) == 0
			}},
		"AddMembers": {func() error { _, err := e.svc.AddMembers(ctx, "g", []string{"alice"}); return err },
			func() bool { return len(e.user("alice").Groups) == 0 }},
		"SetPassword": {func() error {
			return e.svc.SetPassword(ctx, "alice", RawPassword("N3w-Passw0rd"), SetPasswordOptions{})
		},
			func() bool {
				ok, _ := e.svc.Hashers().Check(goodPassword, e.user("alice").Password)
				return ok && e.valid(live.Token)
			}},
		"Login": {func() error { _, err := e.svc.Login(ctx, "alice", goodPassword); return err },
			func() bool {
				ll := e.user("alice").LastLogin
				return len(e.sessions()) == 1 && ll != nil && live.User.LastLogin != nil && ll.Equal(*live.User.LastLogin)
			}},
		"failed Authenticate": {func() error { _, err := e.svc.Authenticate(ctx, "alice", "wrong"); return err },
			func() bool { return len(e.failures()) == 0 }},
		"Logout": {func() error { _, err := e.svc.Logout(ctx, live.Token); return err },
			func() bool { return e.valid(live.Token) }},
		"RevokeSessions": {func() error { return e.svc.RevokeSessions(ctx, []string{live.Session.ID}) },
			func() bool { return e.valid(live.Token) }},
	}
	for name, op := range ops {
		err := op.do()
		if !errors.Is(err, errAuditBoom) {
			t.Errorf("%s: err = %v, want the audit failure", name, err)
		}
		if !op.check() {
			t.Errorf("%s: the change was written without its audit record", name)
		}
	}
	e.hook.failAudit = false
	if n, err := e.svc.verifyCount(ctx); err != nil || n != len(e.audit()) {
		t.Errorf("AuditVerify = %d, %v", n, err)
	}
}

// TestAuditHoldsNoSecrets runs every path that handles a password, hash or
// token and scans the JSON of every record for them.
func TestAuditHoldsNoSecrets(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Lockout = LockoutPolicy{Attempts: 2, Window: time.Hour, Duration: time.Hour} })
	ctx := context.Background()
	var secrets []string
	pw := func(p string) string { secrets = append(secrets, p); return p }
	hashOf := func(name string) { secrets = append(secrets, e.user(name).Password) }

	e.mkUser("alice", func(nu *NewUser) { nu.Password = RawPassword(pw("Alice-Secret-1")) })
	hashOf("alice")
	old, err := pbkdf2Set(t, 2000).Make(pw("Bob-Secret-22"))
	noErr(t, err)
	secrets = append(secrets, old)
	_, err = e.svc.CreateUser(ctx, NewUser{Username: "bob", Password: HashedPassword(old)})
	noErr(t, err)
	_, err = e.svc.Authenticate(ctx, "bob", "Bob-Secret-22") // rehash
	noErr(t, err)
	hashOf("bob")
	_, _ = e.svc.Authenticate(ctx, "bob", pw("Wrong-Guess-333"))
	_, _ = e.svc.Authenticate(ctx, "nobody", pw("Wrong-Guess-4444"))
	res, err := e.svc.Login(ctx, "alice", "Alice-Secret-1")
	noErr(t, err)
	secrets = append(secrets, res.Token, res.Session.AuthHash)
	noErr(t, e.svc.SetPassword(ctx, "alice", RawPassword(pw("Alice-Secret-Two")), SetPasswordOptions{KeepSession: res.Session.ID}))
	hashOf("alice")
	_, err = e.svc.Logout(ctx, res.Token)
	noErr(t, err)
	for i := 0; i < 3; i++ {
		_, _ = e.svc.Login(ctx, "alice", pw("Locked-Out-Guess"))
	}
	_, _ = e.svc.Login(ctx, "alice", "Alice-Secret-Two") // locked, right password
	var secret []byte
	noErr(t, e.st.View(ctx, func(r store.Reader) error {
		var err error
		secret, err = r.Meta(secretKeyMeta)
		return err
	}))

	recs := e.audit()
	if len(recs) < 10 {
		t.Fatalf("only %d records", len(recs))
	}
	for _, r := range recs {
		b, err := json.Marshal(r)
		noErr(t, err)
		js := string(b)
		for _, s := range secrets {
			if strings.Contains(js, s) {
				t.Errorf("record %d holds a secret %q: %s", r.Seq, s, js)
			}
		}
		for _, frag := range []string{"pbkdf2_sha256$", "$1000$", "$2000$", string(secret)} {
			if strings.Contains(js, frag) {
				t.Errorf("record %d holds hash material %q: %s", r.Seq, frag, js)
			}
		}
	}
}
