package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"authctl/internal/store"
)

func TestSessionEnds(t *testing.T) {
	ctx := context.Background()

	t.Run("logout", func(t *testing.T) {
		e := newEnv(t)
		e.mkUser("alice")
		a, b := e.login("alice", goodPassword), e.login("alice", goodPassword)
		sess, err := e.svc.Logout(ctx, a.Token)
		noErr(t, err)
		if sess.ID != a.Session.ID {
			t.Errorf("Logout returned %+v", sess)
		}
		if e.valid(a.Token) || !e.valid(b.Token) {
			t.Error("logout ended the wrong session")
		}
		if n := len(e.sessions()); n != 1 {
			t.Errorf("%d sessions stored", n)
		}
		// Again: not an error, nothing recorded.
		before := len(e.audit())
		sess, err = e.svc.Logout(ctx, a.Token)
		noErr(t, err)
		if sess.ID != "" || len(e.audit()) != before {
			t.Error("a second logout did something")
		}
	})

	t.Run("expiry", func(t *testing.T) {
		e := newEnv(t, func(o *Options) { o.SessionAge = time.Hour })
		e.mkUser("alice")
		a := e.login("alice", goodPassword)
		e.clock.Advance(time.Hour - time.Microsecond)
		if !e.valid(a.Token) {
			t.Fatal("ended before its age")
		}
		e.clock.Advance(time.Microsecond)
		if e.valid(a.Token) {
			t.Fatal("valid at its expiry time (Django loads only expire_date > now)")
		}
	})

	t.Run("revoke by id", func(t *testing.T) {
		e := newEnv(t)
		e.mkUser("alice")
		e.mkUser("bob")
		a, b, c := e.login("alice", goodPassword), e.login("alice", goodPassword), e.login("bob", goodPassword)
		before := len(e.audit())
		err := e.svc.RevokeSessions(ctx, []string{a.Session.ID, "0000000000000000"})
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.Kind != "session" {
			t.Fatalf("unknown ID: %v", err)
		}
		if !e.valid(a.Token) || len(e.audit()) != before {
			t.Fatal("a failed revoke ended a session or left a record")
		}
		noErr(t, e.svc.RevokeSessions(ctx, []string{a.Session.ID, c.Session.ID}))
		if e.valid(a.Token) || e.valid(c.Token) || !e.valid(b.Token) {
			t.Error("revoke ended the wrong sessions")
		}
		if n := len(e.audit()) - before; n != 2 {
			t.Errorf("%d records for 2 revoked sessions", n)
		}
		// The same ID twice is one revocation, not "does not exist".
		if err := e.svc.RevokeSessions(ctx, []string{b.Session.ID, b.Session.ID}); err != nil {
			t.Errorf("duplicate ID: %v", err)
		}
		if e.valid(b.Token) || len(e.audit())-before != 3 {
			t.Error("duplicate ID: not revoked exactly once")
		}
	})

	t.Run("revoke by user", func(t *testing.T) {
		e := newEnv(t)
		e.mkUser("alice")
		e.mkUser("bob")
		a1, a2, b := e.login("alice", goodPassword), e.login("alice", goodPassword), e.login("bob", goodPassword)
		n, err := e.svc.RevokeUserSessions(ctx, "alice")
		noErr(t, err)
		if n != 2 || e.valid(a1.Token) || e.valid(a2.Token) || !e.valid(b.Token) {
			t.Errorf("revoked %d; alice %v %v bob %v", n, e.valid(a1.Token), e.valid(a2.Token), e.valid(b.Token))
		}
		n, err = e.svc.RevokeUserSessions(ctx, "alice")
		noErr(t, err)
		if n != 0 {
			t.Errorf("second revoke: %d", n)
		}
		if _, err := e.svc.RevokeUserSessions(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user: %v", err)
		}
	})

	t.Run("password change ends the others, KeepSession survives", func(t *testing.T) {
		e := newEnv(t)
		e.mkUser("alice")
		e.mkUser("bob")
		mine, theirs, bobs := e.login("alice", goodPassword), e.login("alice", goodPassword), e.login("bob", goodPassword)
		noErr(t, e.svc.SetPassword(ctx, "alice", RawPassword("N3w-Passw0rd"), SetPasswordOptions{KeepSession: mine.Session.ID}))
		if !e.valid(mine.Token) {
			t.Error("the caller's own session ended (update_session_auth_hash)")
		}
		if e.valid(theirs.Token) {
			t.Error("another session survived the password change")
		}
		if !e.valid(bobs.Token) {
			t.Error("another user's session ended")
		}
		for _, s := range e.sessions() {
			if s.ID == theirs.Session.ID {
				t.Error("the ended session is still stored")
			}
		}
		// Without KeepSession every session ends.
		noErr(t, e.svc.SetPassword(ctx, "alice", RawPassword("An0ther-Passw0rd"), SetPasswordOptions{}))
		if e.valid(mine.Token) {
			t.Error("a session survived a password change without KeepSession")
		}
		// Another user's session ID as KeepSession is not refreshed.
		noErr(t, e.svc.SetPassword(ctx, "alice", RawPassword("Th1rd-Passw0rd"), SetPasswordOptions{KeepSession: bobs.Session.ID}))
		if !e.valid(bobs.Token) {
			t.Error("bob's session was disturbed by alice's password change")
		}
	})

	t.Run("a password change behind the service's back ends sessions", func(t *testing.T) {
		// Whoami itself compares the session auth hash, so a change that
		// did not delete the sessions still ends them (Django's get_user).
		e := newEnv(t)
		e.mkUser("alice")
		a := e.login("alice", goodPassword)
		h, err := e.svc.Hashers().Make("changed-elsewhere")
		noErr(t, err)
		e.editUser("alice", func(u *store.User) {
			u.Password = h
		})
		if e.valid(a.Token) {
			t.Error("session valid after its user's password hash changed")
		}
	})

	t.Run("hash upgrade at login keeps the other sessions", func(t *testing.T) {
		// Django ends the older sessions here, since its session hash
		// covers the stored hash; authctl carries them over, because the
		// password did not change (rekeySessions).
		e := newEnv(t)
		old := e.newService(Options{Hashers: pbkdf2Set(t, 2000), Now: e.clock.Now})
		_, err := old.CreateUser(ctx, NewUser{Username: "alice", Password: RawPassword(goodPassword)})
		noErr(t, err)
		a, err := old.Login(ctx, "alice", goodPassword)
		noErr(t, err)
		b := e.login("alice", goodPassword) // upgrades 2000 → 1000 iterations
		if _, it, _ := hashIterations(t, e.user("alice").Password); it != 1000 {
			t.Fatalf("not upgraded: %q", e.user("alice").Password)
		}
		if !e.valid(b.Token) {
			t.Error("the upgrading login's own session is not valid")
		}
		if !e.valid(a.Token) {
			t.Error("an older session ended because its password was re-hashed")
		}
	})

	t.Run("deactivation", func(t *testing.T) {
		e := newEnv(t)
		e.mkUser("alice")
		a := e.login("alice", goodPassword)
		_, err := e.svc.UpdateUser(ctx, "alice", UserPatch{IsActive: refOf(false)})
		noErr(t, err)
		if e.valid(a.Token) || len(e.sessions()) != 0 {
			t.Error("session survived deactivation")
		}
		// Deactivated behind the service's back: Whoami still refuses.
		_, err = e.svc.UpdateUser(ctx, "alice", UserPatch{IsActive: refOf(true)})
		noErr(t, err)
		b := e.login("alice", goodPassword)
		e.editUser("alice", func(u *store.User) {
			u.IsActive = false
		})
		if e.valid(b.Token) {
			t.Error("session of an inactive user is valid")
		}
	})

	t.Run("user deleted", func(t *testing.T) {
		e := newEnv(t)
		e.mkUser("alice")
		a := e.login("alice", goodPassword)
		noErr(t, e.svc.DeleteUser(ctx, "alice"))
		if e.valid(a.Token) {
			t.Error("session of a deleted user")
		}
		// A new alice does not inherit a session left behind.
		e.mkUser("bob")
		b := e.login("bob", goodPassword)
		e.rawUpdate(func(w store.Writer) error { return w.DeleteUser("bob") })
		if e.valid(b.Token) {
			t.Error("session valid for a user removed behind the service's back")
		}
		e.mkUser("bob")
		if e.valid(b.Token) {
			t.Error("a recreated user inherits the old user's session")
		}
	})

	t.Run("failed login makes no session", func(t *testing.T) {
		e := newEnv(t)
		e.mkUser("alice")
		lastLogin := e.user("alice").LastLogin
		if _, err := e.svc.Login(ctx, "alice", "wrong"); !errors.Is(err, ErrAuthFailed) {
			t.Fatal(err)
		}
		if len(e.sessions()) != 0 || e.user("alice").LastLogin != lastLogin {
			t.Error("a failed login left a session or set last_login")
		}
	})
}
