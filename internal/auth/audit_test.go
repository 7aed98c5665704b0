package auth

// The tamper tests open the database file with go.etcd.io/bbolt itself:
// the store has no way to rewrite or remove a single audit record (there is
// no PutAudit, and DeleteAuditThrough only cuts a prefix), which is the
// point, so a test that plays the attacker has to go under it. Only test
// code imports bbolt here.

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

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

// editAuditFile opens the (closed) store's file with bbolt and lets edit
// change the audit bucket.
func editAuditFile(t *testing.T, e *testEnv, edit func(b *bbolt.Bucket) error) {
	t.Helper()
	reopen := e.closeStore()
	db, err := bbolt.Open(e.path, 0o600, &bbolt.Options{Timeout: time.Second})
	noErr(t, err)
	noErr(t, db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		if b == nil {
			return errors.New("no audit bucket")
		}
		return edit(b)
	}))
	noErr(t, db.Close())
	reopen()
}

func auditKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// auditedEnv has nine records: three users created, two groups, a grant,
// three authentications.
func auditedEnv(t *testing.T) *testEnv {
	e := newEnv(t)
	ctx := context.Background()
	for _, n := range []string{"alice", "bob", "carol"} {
		e.mkUser(n)
		e.clock.Advance(time.Minute)
	}
	noErr(t, e.svc.CreateGroup(ctx, "g1"))
	noErr(t, e.svc.CreateGroup(ctx, "g2"))
	e.clock.Advance(time.Minute)
	_, err := e.svc.Grant(ctx, Grantee{Group: "g1"}, []string{"app.x"}, true) // 2 records
	noErr(t, err)
	e.clock.Advance(time.Minute)
	_, err = e.svc.Authenticate(ctx, "alice", goodPassword)
	noErr(t, err)
	_, _ = e.svc.Authenticate(ctx, "bob", "wrong")
	if n, err := e.svc.verifyCount(ctx); err != nil || n != 9 {
		t.Fatalf("fresh chain: %d, %v", n, err)
	}
	return e
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()

	t.Run("edited record", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error {
			var rec map[string]any
			if err := json.Unmarshal(b.Get(auditKey(4)), &rec); err != nil {
				return err
			}
			rec["target"] = "mallory"
			v, _ := json.Marshal(rec)
			return b.Put(auditKey(4), v)
		})
		_, err := e.svc.verifyCount(ctx)
		var ve *AuditVerifyError
		if !errors.As(err, &ve) || ve.Seq != 4 || !strings.Contains(ve.Reason, "changed") {
			t.Errorf("AuditVerify after editing record 4: %v", err)
		}
	})

	t.Run("edited record with its MAC recomputed under another key", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error {
			var rec store.AuditRecord
			if err := json.Unmarshal(b.Get(auditKey(4)), &rec); err != nil {
				return err
			}
			rec.Result = "failed"
			rec.Hash = keyedHash(subKey([]byte("guessed key"), purposeChain), 4, &rec)
			v, _ := json.Marshal(rec)
			return b.Put(auditKey(4), v)
		})
		_, err := e.svc.verifyCount(ctx)
		var ve *AuditVerifyError
		if !errors.As(err, &ve) || ve.Seq != 4 || !strings.Contains(ve.Reason, "not written with the audit key") {
			t.Errorf("AuditVerify after rewriting record 4 and its hash: %v", err)
		}
	})

	t.Run("deleted middle record", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error { return b.Delete(auditKey(5)) })
		_, err := e.svc.verifyCount(ctx)
		var ve *AuditVerifyError
		if !errors.As(err, &ve) || ve.Seq != 6 || !strings.Contains(ve.Reason, "record 5 is missing") {
			t.Errorf("AuditVerify after deleting record 5: %v", err)
		}
	})

	t.Run("deleted first record", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error { return b.Delete(auditKey(1)) })
		var ve *AuditVerifyError
		if _, err := e.svc.verifyCount(ctx); !errors.As(err, &ve) || ve.Seq != 2 {
			t.Errorf("AuditVerify after deleting record 1: %v", err)
		}
	})

	t.Run("swapped records", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(b *bbolt.Bucket) error {
			a, c := append([]byte{}, b.Get(auditKey(2))...), append([]byte{}, b.Get(auditKey(3))...)
			if err := b.Put(auditKey(2), c); err != nil {
				return err
			}
			return b.Put(auditKey(3), a)
		})
		if _, err := e.svc.verifyCount(ctx); err == nil {
			t.Error("AuditVerify accepted reordered records")
		}
	})

	t.Run("untouched file still verifies after reopening", func(t *testing.T) {
		e := auditedEnv(t)
		editAuditFile(t, e, func(*bbolt.Bucket) error { return nil })
		if n, err := e.svc.verifyCount(ctx); err != nil || n != 9 {
			t.Errorf("AuditVerify = %d, %v", n, err)
		}
	})
}

func TestAuditPrune(t *testing.T) {
	ctx := context.Background()
	e := auditedEnv(t)
	all := e.audit()
	cut := all[3].Time // records 1-3 are older (one minute apart)
	n, err := e.svc.AuditPrune(ctx, cut)
	noErr(t, err)
	if n != 3 {
		t.Fatalf("pruned %d, want 3", n)
	}
	left := e.audit()
	if len(left) != len(all)-3+1 || left[0].Seq != 4 {
		t.Fatalf("left %d records starting at %d", len(left), left[0].Seq)
	}
	last := left[len(left)-1]
	if last.Action != "audit.prune" || last.Target != "3 records" {
		t.Errorf("prune record %+v", last)
	}
	if v, err := e.svc.verifyCount(ctx); err != nil || v != len(left) {
		t.Errorf("AuditVerify after prune = %d, %v", v, err)
	}
	// Nothing older: nothing pruned, nothing appended.
	n, err = e.svc.AuditPrune(ctx, cut)
	noErr(t, err)
	if n != 0 || len(e.audit()) != len(left) {
		t.Errorf("second prune: %d", n)
	}
	// Tampering right after the anchor is still caught.
	editAuditFile(t, e, func(b *bbolt.Bucket) error { return b.Delete(auditKey(4)) })
	if _, err := e.svc.verifyCount(ctx); err == nil {
		t.Error("deleting the first record after a prune went unnoticed")
	}

	// Pruning everything leaves a chain that continues from the anchor.
	e2 := auditedEnv(t)
	e2.clock.Advance(time.Hour)
	n, err = e2.svc.AuditPrune(ctx, e2.clock.Now())
	noErr(t, err)
	if n != 9 {
		t.Fatalf("pruned %d of 9", n)
	}
	e2.mkUser("dave")
	if v, err := e2.svc.verifyCount(ctx); err != nil || v != 2 {
		t.Errorf("after pruning all and writing on: %d, %v", v, err)
	}
	// The sequence never goes back.
	if recs := e2.audit(); recs[0].Seq != 10 || recs[1].Seq != 11 {
		t.Errorf("seqs %d, %d", recs[0].Seq, recs[1].Seq)
	}
}

func TestAuditList(t *testing.T) {
	ctx := context.Background()
	e := auditedEnv(t)
	e.svc.SetActor(Actor{OSUser: "tester", SessionUser: "carol"})
	noErr(t, e.svc.CreateGroup(ctx, "g3"))
	_, err := e.svc.Grant(ctx, Grantee{User: "alice"}, []string{"app.x"}, false) // target "user alice"
	noErr(t, err)
	list := func(f AuditFilter) []uint64 {
		var out []uint64
		noErr(t, e.svc.AuditList(ctx, f, func(r store.AuditRecord) error {
			out = append(out, r.Seq)
			return nil
		}))
		return out
	}
	eq := func(a, b []uint64) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	recs := e.audit()
	if len(recs) != 11 {
		t.Fatalf("%d records", len(recs))
	}
	for _, c := range []struct {
		name string
		f    AuditFilter
		want []uint64
	}{
		{"all", AuditFilter{}, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{"since", AuditFilter{Since: recs[3].Time}, []uint64{4, 5, 6, 7, 8, 9, 10, 11}},
		{"before", AuditFilter{Before: recs[3].Time}, []uint64{1, 2, 3}},
		{"user as target, and as grantee", AuditFilter{User: "alice"}, []uint64{1, 8, 11}},
		{"user as session user", AuditFilter{User: "carol"}, []uint64{3, 10, 11}},
		{"plain target name (not \"group g1\")", AuditFilter{User: "g1"}, []uint64{4}},
		{"action prefix", AuditFilter{Action: "group."}, []uint64{4, 5, 10}},
		{"exact action", AuditFilter{Action: "perm.grant"}, []uint64{7, 11}},
		{"prefix needs the dot", AuditFilter{Action: "group"}, nil},
		{"limit keeps the newest", AuditFilter{Limit: 3}, []uint64{9, 10, 11}},
		{"limit after filter", AuditFilter{Action: "user.", Limit: 2}, []uint64{2, 3}},
		{"limit above count", AuditFilter{Action: "auth.", Limit: 5}, []uint64{8, 9}},
		{"combined", AuditFilter{Since: recs[1].Time, User: "bob", Action: "auth."}, []uint64{9}},
	} {
		if got := list(c.f); !eq(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if r := recs[9]; r.SessionUser != "carol" || r.OSUser != "tester" {
		t.Errorf("actor not recorded: %+v", r)
	}
	// A callback error stops the listing and comes back.
	stop := errors.New("stop")
	seen := 0
	err = e.svc.AuditList(ctx, AuditFilter{}, func(store.AuditRecord) error { seen++; return stop })
	if !errors.Is(err, stop) || seen != 1 {
		t.Errorf("stop: %v after %d", err, seen)
	}
}

// TestAuditInvalidUTF8 writes records whose text is not valid UTF-8 (a
// username typed at a prompt, SUDO_USER): the chain must still verify, as
// JSON would otherwise change the bytes between hashing and storing.
func TestAuditInvalidUTF8(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.svc.SetActor(Actor{OSUser: "root\xff", SessionUser: "s\xc3"})
	e.mkUser("alice")
	_, _ = e.svc.Authenticate(ctx, "al\xffice", "x")
	if n, err := e.svc.verifyCount(ctx); err != nil || n != 2 {
		t.Errorf("AuditVerify = %d, %v", n, err)
	}
	recs := e.audit()
	if recs[1].Target != e.svc.unknownUserKey("al\xffice") || recs[0].OSUser != "root\uFFFD" {
		t.Errorf("records %+v", recs)
	}
}
