package auth

import (
	"context"
	"errors"
	"sync"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/auth/validate"
	"authctl/internal/store"
)

// Options configures a Service. Zero values take Django's defaults where
// Django has one.
type Options struct {
	// Hashers is the configured hasher set; its preferred hasher makes every
	// new hash. Nil means argon2 with Django's parameters.
	Hashers *hasher.Set
	// Validators run on every path that sets a password unless the caller
	// asks to skip them. Nil means Django's four defaults.
	Validators validate.Set
	// Now is the clock; tests inject one. Nil means time.Now.
	Now func() time.Time
	// Actor is recorded in the audit log.
	Actor Actor
	// SessionAge is how long a login session lasts (Django's
	// SESSION_COOKIE_AGE). Zero means two weeks.
	SessionAge time.Duration
	// Lockout is the failed-login policy.
	Lockout LockoutPolicy
	// VerifyGate bounds the memory that concurrent password checks of the
	// database hold, across processes (SlotFiles). Nil: no bound.
	VerifyGate VerifyGate
	// PreferredMemory is what one run of the preferred hasher holds, in
	// bytes (argon2's m, scrypt's 128·N·r), for VerifyGate.
	PreferredMemory uint64
	// AuditKeys holds the key of the audit chain and of unknown-username
	// digests, kept outside the database (a KeyFile). Nil keeps the
	// unkeyed chain of earlier versions; authctl always sets it.
	AuditKeys AuditKeys
}

// DefaultSessionAge is Django's SESSION_COOKIE_AGE: two weeks.
const DefaultSessionAge = 14 * 24 * time.Hour

// Service is the auth core: every use case of users, groups, permissions,
// passwords and sessions, over a store.Store. It never prints and never
// exits; its errors are those the package documentation lists.
type Service struct {
	st         store.Store
	hashers    *hasher.Set
	validators validate.Set
	now        func() time.Time
	who        actorState
	sessionAge time.Duration
	lockout    LockoutPolicy
	keys       AuditKeys
	gate       VerifyGate
	prefMem    uint64

	keyMu      sync.Mutex
	chain      *chainMAC // under a key derived from the audit key on first use
	cost       costEstimate
	unknownKey []byte
}

// New returns a Service over st.
func New(st store.Store, opts Options) (*Service, error) {
	s := &Service{
		st:         st,
		hashers:    opts.Hashers,
		validators: opts.Validators,
		now:        opts.Now,
		sessionAge: opts.SessionAge,
		lockout:    opts.Lockout,
		keys:       opts.AuditKeys,
		gate:       opts.VerifyGate,
		prefMem:    opts.PreferredMemory,
	}
	s.who.a = opts.Actor
	s.st = actorStore{Store: st, s: s}
	if s.hashers == nil {
		hs, err := hasher.NewSet("argon2", hasher.DefaultParams())
		if err != nil {
			return nil, err
		}
		s.hashers = hs
	}
	if s.validators == nil {
		vs, err := validate.New(validate.DefaultSpecs())
		if err != nil {
			return nil, err
		}
		s.validators = vs
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sessionAge <= 0 {
		s.sessionAge = DefaultSessionAge
	}
	return s, nil
}

// Hashers returns the configured hasher set.
func (s *Service) Hashers() *hasher.Set { return s.hashers }

// clock returns the current time in UTC, truncated to microseconds as
// Django's database columns are, so that stored times round-trip exactly.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// write is the one way a use case changes the store: fn runs in one
// store.Update (after the actor is resolved, see actorStore), and a
// transaction in which fn changed anything without appending an audit
// record fails instead of committing, so that every change has its record
// by construction. Whatever fn records lands with the change or not at all.
//
// Use cases that make one change with one record use change; those whose
// records depend on what they find (one per user changed, none when
// nothing changed) call write and append their own. The apply engine's
// writer fits this shape too (one write per batch).
func (s *Service) write(ctx context.Context, fn func(w store.Writer) error) error {
	return s.st.Update(ctx, func(w store.Writer) error { return auditedRun(w, fn) })
}

// writeStaged is write for a change too large for one transaction's
// memory: each call of stage runs its fn in a transaction of its own, with
// the same audit rule as write, and the stages become visible together
// (store.UpdateStaged) or not at all.
func (s *Service) writeStaged(ctx context.Context, fn func(stage func(func(store.Writer) error) error) error) error {
	return store.UpdateStaged(ctx, s.st, func(stage func(func(store.Writer) error) error) error {
		return fn(func(f func(store.Writer) error) error {
			return stage(func(w store.Writer) error { return auditedRun(w, f) })
		})
	})
}

// auditedRun runs fn with a Writer that notes its changes and refuses to
// let a change without its audit record commit.
func auditedRun(w store.Writer, fn func(store.Writer) error) error {
	aw := &auditedWriter{Writer: w}
	if err := fn(aw); err != nil {
		return err
	}
	if aw.changed && !aw.audited {
		return errUnaudited
	}
	return nil
}

// errUnaudited is a programming error: a change without its audit record.
var errUnaudited = errors.New("internal error: a change without its audit record was not committed")

// change is write for a change with exactly one audit record, ev, appended
// after fn in the same transaction.
func (s *Service) change(ctx context.Context, ev Event, fn func(w store.Writer) error) error {
	return s.write(ctx, func(w store.Writer) error {
		if fn != nil {
			if err := fn(w); err != nil {
				return err
			}
		}
		return s.appendAudit(w, ev)
	})
}

// view runs fn in a read transaction.
func (s *Service) view(ctx context.Context, fn func(r store.Reader) error) error {
	return s.st.View(ctx, fn)
}
