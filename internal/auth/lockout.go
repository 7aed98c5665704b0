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
	return f.LockedUntil.After(now) || now.Sub(f.Last) <= p.Window
}

// countAt is how many of f's failures fall within the window ending now.
func (p LockoutPolicy) countAt(f store.Failure, now time.Time) int {
	if len(f.Recent) == 0 {
		// A record written before failures kept their times.
		if p.countsAt(f, now) {
			return f.Count
		}
		return 0
	}
	n := 0
	for _, t := range f.Recent {
		if now.Sub(t) <= p.Window {
			n++
		}
	}
	return n
}

// locked reports whether f locks its account at now.
func (p LockoutPolicy) locked(f store.Failure, now time.Time) bool {
	return p.Attempts > 0 && f.LockedUntil.After(now)
}

// maxRecent bounds the failure times kept per username.
func (p LockoutPolicy) maxRecent() int {
	if p.Attempts > 0 {
		return p.Attempts
	}
	return 100
}

// recordFailure counts one more failure for username and returns the
// updated record. The window slides: a lock needs Attempts failures within
// any Window-long stretch, however they fall relative to the first one.
// A lock that has run out starts the count afresh.
func (p LockoutPolicy) recordFailure(w store.Writer, username string, now time.Time) (store.Failure, error) {
	f, err := w.Failure(username)
	if errors.Is(err, store.ErrNotFound) {
		f, err = store.Failure{Username: username}, nil
	}
	if err != nil {
		return f, err
	}
	if !f.LockedUntil.IsZero() && !f.LockedUntil.After(now) {
		f.Recent, f.LockedUntil = nil, time.Time{}
	}
	recent := f.Recent[:0:0]
	for _, t := range f.Recent {
		if now.Sub(t) <= p.Window {
			recent = append(recent, t)
		}
	}
	recent = append(recent, now)
	if extra := len(recent) - p.maxRecent(); extra > 0 {
		recent = recent[extra:]
	}
	f.Recent, f.Count, f.First, f.Last = recent, len(recent), recent[0], now
	if p.Attempts > 0 && f.Count >= p.Attempts && !f.LockedUntil.After(now) {
		f.LockedUntil = now.Add(p.Duration)
	}
	if err := w.PutFailure(f); err != nil {
		return f, err
	}
	return f, p.bound(w, username, now)
}

// bound keeps at most maxTracked failure records. It forgets, in this
// order: records whose failures no longer count, then unlocked ones, then
// locked ones, least recent first — and never keep's own record — so that
// flooding made-up names cannot lift a real account's lock while there is
// anything else to forget.
func (p LockoutPolicy) bound(w store.Writer, keep string, now time.Time) error {
	var all []store.Failure
	if err := w.Failures(func(f store.Failure) error {
		if f.Username != keep {
			all = append(all, f)
		}
		return nil
	}); err != nil {
		return err
	}
	excess := len(all) + 1 - p.maxTracked()
	if excess <= 0 {
		return nil
	}
	rank := func(f store.Failure) int {
		switch {
		case !p.countsAt(f, now):
			return 0
		case !p.locked(f, now):
			return 1
		default:
			return 2
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if ri, rj := rank(all[i]), rank(all[j]); ri != rj {
			return ri < rj
		}
		return all[i].Last.Before(all[j].Last)
	})
	for _, f := range all[:min(excess, len(all))] {
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
