package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"
)

func TestLockout(t *testing.T) {
	ctx := context.Background()
	pol := LockoutPolicy{Attempts: 5, Window: 15 * time.Minute, Duration: 10 * time.Minute}
	setup := func(t *testing.T) *testEnv {
		e := newEnv(t, func(o *Options) { o.Lockout = pol })
		e.mkUser("alice")
		return e
	}
	fail := func(t *testing.T, e *testEnv, n int, step time.Duration) {
		t.Helper()
		for i := 0; i < n; i++ {
			if _, err := e.svc.Authenticate(ctx, "alice", "wrong"); !errors.Is(err, ErrAuthFailed) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
			e.clock.Advance(step)
		}
	}
	right := func(e *testEnv) error {
		_, err := e.svc.Authenticate(ctx, "alice", goodPassword)
		return err
	}

	t.Run("locks after Attempts failures and expires after Duration", func(t *testing.T) {
		e := setup(t)
		fail(t, e, 4, time.Minute)
		info, err := e.svc.GetUser(ctx, "alice")
		noErr(t, err)
		if info.Failures != 4 || !info.LockedUntil.IsZero() {
			t.Fatalf("after 4: %+v", info)
		}
		fail(t, e, 1, 0)
		lockedAt := e.clock.Now().UTC().Truncate(time.Microsecond)
		info, err = e.svc.GetUser(ctx, "alice")
		noErr(t, err)
		if info.Failures != 5 || !info.LockedUntil.Equal(lockedAt.Add(pol.Duration)) {
			t.Fatalf("after 5: failures %d, locked until %v", info.Failures, info.LockedUntil)
		}
		// Locked: the right password fails with the same error.
		err = right(e)
		if !errors.Is(err, ErrAuthFailed) || err.Error() != ErrAuthFailed.Error() {
			t.Fatalf("locked account: %v", err)
		}
		if _, err := e.svc.Login(ctx, "alice", goodPassword); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("locked account logged in: %v", err)
		}
		recs := e.audit()
		last := recs[len(recs)-1]
		if last.Action != "auth.login" || last.Result != ResultLocked {
			t.Errorf("audit says %+v, want a locked auth.login", last)
		}
		// More attempts while locked do not extend the lock.
		e.clock.Advance(pol.Duration - time.Second)
		fail(t, e, 1, 0)
		if err := right(e); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("lock lifted early: %v", err)
		}
		e.clock.Advance(time.Second)
		if err := right(e); err != nil {
			t.Fatalf("lock did not expire after Duration: %v", err)
		}
		if len(e.failures()) != 0 {
			t.Errorf("success kept the failure record: %+v", e.failures())
		}
	})

	t.Run("failures outside the window reset the count", func(t *testing.T) {
		e := setup(t)
		fail(t, e, 4, time.Minute) // at 0..3 min, clock now at 4 min
		e.clock.Advance(pol.Window)
		fail(t, e, 1, 0)
		info, err := e.svc.GetUser(ctx, "alice")
		noErr(t, err)
		if info.Failures != 1 {
			t.Fatalf("count after the window: %d, want 1", info.Failures)
		}
		fail(t, e, 3, time.Second)
		if err := right(e); err != nil {
			t.Fatalf("locked by failures spread over two windows: %v", err)
		}
		// And the count shown by GetUser forgets stale failures.
		fail(t, e, 2, 0)
		e.clock.Advance(pol.Window + time.Second)
		info, err = e.svc.GetUser(ctx, "alice")
		noErr(t, err)
		if info.Failures != 0 {
			t.Errorf("stale failures shown: %d", info.Failures)
		}
	})

	t.Run("the window slides", func(t *testing.T) {
		// Four failures late in one window and one early in the next are
		// five within fifteen minutes: a fixed window would miss them.
		e := setup(t)
		fail(t, e, 1, 10*time.Minute) // at 0, now 10 min
		fail(t, e, 3, time.Minute)    // at 10..12, now 13 min
		e.clock.Advance(4 * time.Minute)
		fail(t, e, 1, 0) // at 17 min: the failure at 0 has left the window
		if info, _ := e.svc.GetUser(ctx, "alice"); info.Failures != 4 || !info.LockedUntil.IsZero() {
			t.Fatalf("after the first failure left the window: %+v", info)
		}
		fail(t, e, 1, 0) // five within 10..17 min
		if err := right(e); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("five failures within the window did not lock: %v", err)
		}
	})

	t.Run("success resets the count", func(t *testing.T) {
		e := setup(t)
		fail(t, e, 4, time.Second)
		if err := right(e); err != nil {
			t.Fatal(err)
		}
		fail(t, e, 4, time.Second)
		if err := right(e); err != nil {
			t.Fatalf("locked although a success came between: %v", err)
		}
	})

	t.Run("Unlock", func(t *testing.T) {
		e := setup(t)
		fail(t, e, 5, time.Second)
		if err := right(e); !errors.Is(err, ErrAuthFailed) {
			t.Fatal("not locked")
		}
		noErr(t, e.svc.Unlock(ctx, "alice"))
		info, err := e.svc.GetUser(ctx, "alice")
		noErr(t, err)
		if info.Failures != 0 || !info.LockedUntil.IsZero() {
			t.Errorf("after unlock: %+v", info)
		}
		if err := right(e); err != nil {
			t.Fatalf("still locked after Unlock: %v", err)
		}
		noErr(t, e.svc.Unlock(ctx, "alice")) // nothing to unlock: fine
		if err := e.svc.Unlock(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Unlock(unknown) = %v", err)
		}
	})

	t.Run("Attempts 0 never locks", func(t *testing.T) {
		e := newEnv(t, func(o *Options) { o.Lockout = LockoutPolicy{Attempts: 0, Window: time.Hour, Duration: time.Hour} })
		e.mkUser("alice")
		fail(t, e, 20, 0)
		if err := right(e); err != nil {
			t.Fatalf("locked with Attempts 0: %v", err)
		}
		fail(t, e, 3, 0)
		info, err := e.svc.GetUser(ctx, "alice")
		noErr(t, err)
		if info.Failures != 3 || !info.LockedUntil.IsZero() {
			t.Errorf("failures still counted for user show: %+v", info)
		}
	})

	t.Run("unknown usernames are counted, without users", func(t *testing.T) {
		e := setup(t)
		for i := 0; i < 5; i++ {
			if _, err := e.svc.Authenticate(ctx, "nobody", "x"); !errors.Is(err, ErrAuthFailed) {
				t.Fatal(err)
			}
		}
		fs := e.failures()
		if len(fs) != 1 || fs[0].Username != e.svc.unknownUserKey("nobody") || fs[0].Count != 5 || !fs[0].LockedUntil.After(e.clock.Now()) {
			t.Errorf("failures %+v", fs)
		}
		if e.hasUser("nobody") {
			t.Error("a user was created")
		}
	})

	t.Run("flooding made-up names does not lift a lock", func(t *testing.T) {
		e := newEnv(t, func(o *Options) {
			o.Lockout = LockoutPolicy{Attempts: 5, Window: time.Hour, Duration: time.Hour, MaxTracked: 3}
		})
		e.mkUser("alice")
		fail(t, e, 5, time.Second)
		for i := 0; i < 10; i++ {
			if _, err := e.svc.Authenticate(ctx, fmt.Sprintf("guess%02d", i), "x"); !errors.Is(err, ErrAuthFailed) {
				t.Fatal(err)
			}
		}
		if err := right(e); !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("the lock was evicted by made-up names: %v", err)
		}
		if n := len(e.failures()); n > 3 {
			t.Fatalf("%d failure records, MaxTracked 3", n)
		}
	})

	t.Run("storage is bounded by MaxTracked", func(t *testing.T) {
		e := newEnv(t, func(o *Options) {
			o.Lockout = LockoutPolicy{Attempts: 5, Window: time.Hour, Duration: time.Hour, MaxTracked: 3}
		})
		for i := 0; i < 10; i++ {
			if _, err := e.svc.Authenticate(ctx, fmt.Sprintf("guess%02d", i), "x"); !errors.Is(err, ErrAuthFailed) {
				t.Fatal(err)
			}
			e.clock.Advance(time.Second)
			if n := len(e.failures()); n > 3 {
				t.Fatalf("%d failure records after %d names, MaxTracked 3", n, i+1)
			}
		}
		var names []string
		for _, f := range e.failures() {
			names = append(names, f.Username)
		}
		want := []string{e.svc.unknownUserKey("guess07"), e.svc.unknownUserKey("guess08"), e.svc.unknownUserKey("guess09")}
		sort.Strings(names)
		sort.Strings(want)
		if !equalStrings(names, want) {
			t.Errorf("kept %v, want the three most recent", names)
		}
	})

	t.Run("default policy", func(t *testing.T) {
		e := newEnv(t) // DefaultLockout
		e.mkUser("alice")
		fail(t, e, 5, time.Minute)
		if err := right(e); !errors.Is(err, ErrAuthFailed) {
			t.Fatal("default policy did not lock after 5 failures")
		}
		e.clock.Advance(15 * time.Minute)
		if err := right(e); err != nil {
			t.Fatalf("default lock outlived 15 minutes: %v", err)
		}
	})
}
