package auth

import (
	"context"
	"errors"
	"sort"
	"time"

	"authctl/internal/store"
)

// LockoutPolicy locks an account after too many failed authentications, as
// pam_faillock and django-axes do (Django itself does not). Attempts 0
// turns lockout off; failures are still counted for `user show`.
type LockoutPolicy struct {
	Attempts int           // failures within Window that lock the account
	Window   time.Duration // how long failures are remembered
	Duration time.Duration // how long a lock lasts
	// MaxTracked bounds how many usernames (existing or not) have a failure
	// record, so that guessing random names cannot grow the database
	// without limit. Zero means 10,000.
	MaxTracked int
}

// DefaultLockout is authctl's default: 5 failures within 15 minutes lock
// the account for 15 minutes.
var DefaultLockout = LockoutPolicy{Attempts: 5, Window: 15 * time.Minute, Duration: 15 * time.Minute}

func (p LockoutPolicy) maxTracked() int {
	if p.MaxTracked <= 0 {
		return 10000
	}
	return p.MaxTracked
}

// countsAt reports whether f's failures still count at now.
func (p LockoutPolicy) countsAt(f store.Failure, now time.Time) bool {
	return f.LockedUntil.After(now) || now.Sub(f.First) <= p.Window
}

// locked reports whether f locks its account at now.
func (p LockoutPolicy) locked(f store.Failure, now time.Time) bool {
	return p.Attempts > 0 && f.LockedUntil.After(now)
}

// recordFailure counts one more failure for username and returns the
// updated record.
func (p LockoutPolicy) recordFailure(w store.Writer, username string, now time.Time) (store.Failure, error) {
	f, err := w.Failure(username)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !p.countsAt(f, now)) {
		f, err = store.Failure{Username: username, First: now}, nil
	}
	if err != nil {
		return f, err
	}
	f.Count++
	f.Last = now
	if p.Attempts > 0 && f.Count >= p.Attempts && !f.LockedUntil.After(now) {
		f.LockedUntil = now.Add(p.Duration)
	}
	if err := w.PutFailure(f); err != nil {
		return f, err
	}
	return f, p.bound(w, now)
}

// bound keeps at most maxTracked failure records: it forgets records whose
// failures no longer count, then the least recent ones.
func (p LockoutPolicy) bound(w store.Writer, now time.Time) error {
	var all []store.Failure
	if err := w.Failures(func(f store.Failure) error {
		all = append(all, f)
		return nil
	}); err != nil {
		return err
	}
	excess := len(all) - p.maxTracked()
	if excess <= 0 {
		return nil
	}
	sort.Slice(all, func(i, j int) bool {
		ci, cj := p.countsAt(all[i], now), p.countsAt(all[j], now)
		if ci != cj {
			return !ci
		}
		return all[i].Last.Before(all[j].Last)
	})
	for _, f := range all[:excess] {
		if err := w.DeleteFailure(f.Username); err != nil {
			return err
		}
	}
	return nil
}

// Unlock forgets a user's failed attempts and lifts any lock. Unlocking a
// user who has none is not an error.
func (s *Service) Unlock(ctx context.Context, username string) error {
	return s.change(ctx, Event{Action: "user.unlock", Target: username}, func(w store.Writer) error {
		if _, err := w.User(username); err != nil {
			return wrapNotFound(err, "user", username)
		}
		if err := w.DeleteFailure(username); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
}
