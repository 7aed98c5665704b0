package auth

// Unit tests of authenticate.go's steps, one outcome at a time: what the
// read step finds, what the verify step decides (and whether it re-hashes),
// how the record step re-decides against the stored records, and what a
// failure leaves in the failure records and the audit log.

import (
	"context"
	"errors"
	"strings"
	"testing"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
)

// The audit texts and results of every outcome are those the log has
// always recorded; scripts and `audit list --action` readers rely on them.
func TestAttemptOutcomeTexts(t *testing.T) {
	for _, c := range []struct {
		o              attemptOutcome
		detail, result string
	}{
		{outcomeOK, "", ResultOK},
		{outcomeLocked, "locked", ResultLocked},
		{outcomeUnknownUser, "unknown user", ResultFailed},
		{outcomeWrongPassword, "wrong password", ResultFailed},
		{outcomeHashOverCeiling, "password hash above the cost ceiling (not verified)", ResultFailed},
		{outcomeHashUnusable, "password hash of an unknown or malformed format (not verified)", ResultFailed},
		{outcomeInactive, "inactive user", ResultFailed},
		{outcomePasswordChanged, "password changed meanwhile", ResultFailed},
		{outcomeUserDeleted, "user deleted meanwhile", ResultFailed},
	} {
		if got := c.o.String(); got != c.detail {
			t.Errorf("outcome %d: String %q, want %q", c.o, got, c.detail)
		}
		if got := c.o.result(); got != c.result {
			t.Errorf("outcome %d: result %q, want %q", c.o, got, c.result)
		}
	}
}

// lockName gives name (a username or an unknown name's digest) a failure
// record that locks it at the test clock's time.
func (e *testEnv) lockName(name string) {
	e.t.Helper()
	now := e.svc.clock()
	e.rawUpdate(func(w store.Writer) error {
		return w.PutFailure(store.Failure{Username: name, Count: 5, First: now, Last: now, LockedUntil: now.Add(DefaultLockout.Duration)})
	})
}

func TestReadAttempt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mkUser("alice")
	e.mkUser("bob")
	e.lockName("bob")
	now := e.svc.clock()

	st, err := e.svc.readAttempt(ctx, "alice", now)
	noErr(t, err)
	if !st.found || st.locked || st.user.Password != alice.Password {
		t.Errorf("alice: %+v", st)
	}
	st, err = e.svc.readAttempt(ctx, "bob", now)
	noErr(t, err)
	if !st.found || !st.locked {
		t.Errorf("bob (locked): found %v locked %v", st.found, st.locked)
	}
	st, err = e.svc.readAttempt(ctx, "nobody", now)
	noErr(t, err)
	if st.found || st.locked {
		t.Errorf("nobody: found %v locked %v", st.found, st.locked)
	}
	// An unknown name is locked under its digest, never under the name.
	e.lockName(e.svc.unknownUserKey("ghost"))
	e.lockName("phantom")
	if st, _ := e.svc.readAttempt(ctx, "ghost", now); st.found || !st.locked {
		t.Errorf("ghost (digest locked): found %v locked %v", st.found, st.locked)
	}
	if st, _ := e.svc.readAttempt(ctx, "phantom", now); st.locked {
		t.Error("an unknown name was locked by a record under its plain name")
	}
	// A name no user can have is never looked up for a lock.
	if st, _ := e.svc.readAttempt(ctx, strings.Repeat("x", 200), now); st.found || st.locked {
		t.Errorf("over-long name: %+v", st)
	}
	// A store error is returned, not taken for "not found".
	e.st.Close()
	if _, err := e.svc.readAttempt(ctx, "alice", now); err == nil {
		t.Error("readAttempt on a closed store succeeded")
	}
}

func TestVerifyAttemptOutcomes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cheap := e.mkUser("cheap")
	// A hash of the right password with fewer iterations than preferred.
	oldHash, err := pbkdf2Set(t, 500).Make(goodPassword)
	noErr(t, err)
	over := "pbkdf2_sha256$20000000$salt$" + strings.Repeat("A", 43) + "="
	if c, _ := e.svc.hashers.Classify(over); c != hasher.ClassOverCeiling {
		t.Fatalf("fixture %q classifies as %v", over, c)
	}
	found := func(password string, active bool) attemptState {
		return attemptState{found: true, user: store.User{Username: "u", Password: password, IsActive: active}}
	}
	for _, c := range []struct {
		name     string
		st       attemptState
		password string
		want     attemptOutcome
		upgrade  bool
	}{
		{"right password", found(cheap.Password, true), goodPassword, outcomeOK, false},
		{"outdated hash", found(oldHash, true), goodPassword, outcomeOK, true},
		{"wrong password", found(cheap.Password, true), "wrong", outcomeWrongPassword, false},
		{"over the ceiling", found(over, true), goodPassword, outcomeHashOverCeiling, false},
		{"unknown format", found("crypt$$abc", true), goodPassword, outcomeHashUnusable, false},
		{"malformed", found("pbkdf2_sha256$x$y", true), goodPassword, outcomeHashUnusable, false},
		{"unusable password", found("!abc", true), goodPassword, outcomeWrongPassword, false},
		{"inactive", found(cheap.Password, false), goodPassword, outcomeInactive, false},
		// Django re-hashes on a correct password even for an inactive user.
		{"inactive, outdated hash", found(oldHash, false), goodPassword, outcomeInactive, true},
		// A locked account is not checked: no upgrade, whatever the guess.
		{"locked", attemptState{found: true, locked: true, user: store.User{Password: oldHash, IsActive: true}}, goodPassword, outcomeLocked, false},
		{"unknown user", attemptState{}, goodPassword, outcomeUnknownUser, false},
		{"unknown and locked", attemptState{locked: true}, goodPassword, outcomeLocked, false},
	} {
		v, err := e.svc.verifyAttempt(ctx, c.st, c.password)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if v.outcome != c.want {
			t.Errorf("%s: outcome %q, want %q", c.name, v.outcome, c.want)
		}
		if (v.upgraded != "") != c.upgrade {
			t.Errorf("%s: upgraded %q, want an upgrade: %v", c.name, v.upgraded, c.upgrade)
		}
		if v.upgraded != "" {
			if ok, _ := e.svc.hashers.Check(goodPassword, v.upgraded); !ok {
				t.Errorf("%s: the upgraded hash does not check", c.name)
			}
		}
	}
}

func TestRecheckAttempt(t *testing.T) {
	e := newEnv(t)
	alice := e.mkUser("alice")
	checked := attemptState{found: true, user: alice}
	recheck := func(name string, prior attemptOutcome) (store.User, bool, attemptOutcome) {
		t.Helper()
		var (
			cur    store.User
			exists bool
			o      attemptOutcome
		)
		e.rawUpdate(func(w store.Writer) error {
			var err error
			cur, exists, o, err = e.svc.recheckAttempt(w, name, e.svc.clock(), checked, prior)
			return err
		})
		return cur, exists, o
	}

	if cur, exists, o := recheck("alice", outcomeOK); o != outcomeOK || !exists || cur.Username != "alice" {
		t.Errorf("unchanged: %v %v %q", o, exists, cur.Username)
	}
	// A failure decided before the transaction stands.
	if _, exists, o := recheck("alice", outcomeWrongPassword); o != outcomeWrongPassword || !exists {
		t.Errorf("prior failure: %v %v", o, exists)
	}
	// An account locked meanwhile (by concurrent failures).
	e.lockName("alice")
	if _, _, o := recheck("alice", outcomeOK); o != outcomeLocked {
		t.Errorf("locked meanwhile: %v", o)
	}
	e.rawUpdate(func(w store.Writer) error { return w.DeleteFailure("alice") })
	// Deactivated meanwhile.
	e.rawUpdate(func(w store.Writer) error {
		u := alice
		u.IsActive = false
		return w.PutUser(u)
	})
	if _, _, o := recheck("alice", outcomeOK); o != outcomeInactive {
		t.Errorf("deactivated meanwhile: %v", o)
	}
	// Password changed meanwhile (wins over inactive: it is checked first).
	e.rawUpdate(func(w store.Writer) error {
		u := alice
		u.Password = "!changed"
		return w.PutUser(u)
	})
	if _, _, o := recheck("alice", outcomeOK); o != outcomePasswordChanged {
		t.Errorf("password changed meanwhile: %v", o)
	}
	// Deleted meanwhile; and an unknown user stays unknown.
	e.rawUpdate(func(w store.Writer) error { return w.DeleteUser("alice") })
	if _, exists, o := recheck("alice", outcomeOK); o != outcomeUserDeleted || exists {
		t.Errorf("deleted meanwhile: %v %v", o, exists)
	}
	if _, exists, o := recheck("alice", outcomeUnknownUser); o != outcomeUnknownUser || exists {
		t.Errorf("unknown: %v %v", o, exists)
	}
	// A store error is returned.
	boom := errors.New("boom")
	err := e.st.Update(context.Background(), func(w store.Writer) error {
		_, _, _, err := e.svc.recheckAttempt(failingUserWriter{w, boom}, "alice", e.svc.clock(), checked, outcomeOK)
		return err
	})
	if !errors.Is(err, boom) {
		t.Errorf("store error: %v", err)
	}
}

func TestRecordAttempt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.mkUser("alice")
	now := e.svc.clock()
	ok := attemptState{found: true, user: alice}
	lastAudit := func() store.AuditRecord {
		recs := e.audit()
		return recs[len(recs)-1]
	}

	// Success: the failure record goes, onSuccess runs, one record.
	e.rawUpdate(func(w store.Writer) error {
		return w.PutFailure(store.Failure{Username: "alice", Count: 1, First: now, Last: now})
	})
	called := false
	u, o, err := e.svc.recordAttempt(ctx, "auth.test", "alice", now, ok, attemptVerdict{}, func(w store.Writer, u *store.User) error {
		called = true
		return nil
	})
	noErr(t, err)
	if o != outcomeOK || u.Username != "alice" || !called {
		t.Errorf("success: %v %q called %v", o, u.Username, called)
	}
	if len(e.failures()) != 0 {
		t.Error("success kept the failure record")
	}
	if r := lastAudit(); r.Action != "auth.test" || r.Result != ResultOK || r.Target != "alice" {
		t.Errorf("success record %+v", r)
	}

	// A hash upgrade is stored and recorded before the attempt's record.
	upgraded, err := e.svc.hashers.Make(goodPassword + "x") // any other hash
	noErr(t, err)
	_, o, err = e.svc.recordAttempt(ctx, "auth.test", "alice", now, ok, attemptVerdict{upgraded: upgraded}, nil)
	noErr(t, err)
	if o != outcomeOK || e.user("alice").Password != upgraded {
		t.Errorf("upgrade: %v, stored %q", o, e.user("alice").Password)
	}
	recs := e.audit()
	if r := recs[len(recs)-2]; r.Action != "user.rehash" || r.Target != "alice" {
		t.Errorf("upgrade record %+v", r)
	}
	// The upgrade of a hash that is no longer stored is not made, and the
	// attempt fails.
	_, o, err = e.svc.recordAttempt(ctx, "auth.test", "alice", now, ok, attemptVerdict{upgraded: "!other"}, nil)
	noErr(t, err)
	if o != outcomePasswordChanged || e.user("alice").Password != upgraded {
		t.Errorf("stale upgrade: %v, stored %q", o, e.user("alice").Password)
	}

	// Failures count against the name; the one that locks says so.
	e.svc.lockout = LockoutPolicy{Attempts: 2, Window: DefaultLockout.Window, Duration: DefaultLockout.Duration}
	e.rawUpdate(func(w store.Writer) error { return w.DeleteFailure("alice") })
	for i, want := range []string{"wrong password", "wrong password; account now locked"} {
		_, o, err := e.svc.recordAttempt(ctx, "auth.test", "alice", now, ok, attemptVerdict{outcome: outcomeWrongPassword}, nil)
		noErr(t, err)
		if r := lastAudit(); o != outcomeWrongPassword || r.Detail != want || r.Result != ResultFailed || r.Target != "alice" {
			t.Errorf("failure %d: %v, record %+v", i+1, o, r)
		}
	}
	_, o, err = e.svc.recordAttempt(ctx, "auth.test", "alice", now, ok, attemptVerdict{outcome: outcomeLocked}, nil)
	noErr(t, err)
	if r := lastAudit(); o != outcomeLocked || r.Detail != "locked" || r.Result != ResultLocked {
		t.Errorf("locked: %v, record %+v", o, r)
	}

	// An unknown name is counted and recorded under its digest only.
	_, o, err = e.svc.recordAttempt(ctx, "auth.test", "secret-typed-as-name", now, attemptState{}, attemptVerdict{outcome: outcomeUnknownUser}, nil)
	noErr(t, err)
	digest := e.svc.unknownUserKey("secret-typed-as-name")
	if r := lastAudit(); o != outcomeUnknownUser || r.Target != digest || r.Detail != "unknown user" {
		t.Errorf("unknown: %v, record %+v", o, r)
	}
	for _, f := range e.failures() {
		if f.Username == "secret-typed-as-name" {
			t.Error("an unknown name has a failure record under its plain name")
		}
	}

	// A name no user can have gets a record in the log but no failure record.
	before := len(e.failures())
	long := strings.Repeat("y", 200)
	_, o, err = e.svc.recordAttempt(ctx, "auth.test", long, now, attemptState{}, attemptVerdict{outcome: outcomeUnknownUser}, nil)
	noErr(t, err)
	if o != outcomeUnknownUser || len(e.failures()) != before || lastAudit().Detail != "unknown user" {
		t.Errorf("untrackable: %v, %d failure records (was %d), %+v", o, len(e.failures()), before, lastAudit())
	}
}
