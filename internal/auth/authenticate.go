package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"
	"unicode/utf8"

	"authctl/internal/auth/hasher"
	"authctl/internal/auth/ident"
	"authctl/internal/store"
)

// Authenticate checks a username and password like Django's authenticate():
// it succeeds only for an active user with the right password who is not
// locked out, and upgrades an outdated hash on a correct password.
func (s *Service) Authenticate(ctx context.Context, username, password string) (store.User, error) {
	return s.attempt(ctx, "auth.authenticate", username, password, nil)
}

// Login authenticates and, on success, starts a session and sets
// last_login, in the same transaction that records the attempt. Like
// Django's login form (and unlike its authenticate()), it NFKC-normalises
// the username first, unless it is longer than a username can be (Django's
// defence against normalising huge input, CVE-2023-46695).
func (s *Service) Login(ctx context.Context, username, password string) (LoginResult, error) {
	if utf8.RuneCountInString(username) <= ident.UsernameMaxLength {
		username = ident.NormalizeUsername(username)
	}
	var res LoginResult
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return res, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	digest := tokenDigest(token)
	u, err := s.attempt(ctx, "auth.login", username, password, func(w store.Writer, u *store.User) error {
		var err error
		res.Session, err = s.startSession(w, u, digest)
		return err
	})
	if err != nil {
		return LoginResult{}, err
	}
	res.Token, res.User = token, u
	return res, nil
}

// attemptOutcome is what an authentication attempt came to. Every outcome
// but outcomeOK is ErrAuthFailed to the caller; the audit log records its
// String.
type attemptOutcome int

const (
	outcomeOK attemptOutcome = iota
	// Decided before hashing, from the records read first.
	outcomeLocked
	outcomeUnknownUser
	outcomeWrongPassword
	outcomeHashOverCeiling // the stored hash costs more than the ceiling allows
	outcomeHashUnusable    // the stored hash has an unknown or malformed format
	outcomeInactive
	// Decided in the write transaction, against what is stored by then.
	outcomePasswordChanged
	outcomeUserDeleted
)

// String is the reason the audit log records.
func (o attemptOutcome) String() string {
	switch o {
	case outcomeOK:
		return ""
	case outcomeLocked:
		return "locked"
	case outcomeUnknownUser:
		return "unknown user"
	case outcomeWrongPassword:
		return "wrong password"
	case outcomeHashOverCeiling:
		return "password hash above the cost ceiling (not verified)"
	case outcomeHashUnusable:
		return "password hash of an unknown or malformed format (not verified)"
	case outcomeInactive:
		return "inactive user"
	case outcomePasswordChanged:
		return "password changed meanwhile"
	case outcomeUserDeleted:
		return "user deleted meanwhile"
	}
	return "unknown outcome"
}

// result is the audit record's Result for the outcome.
func (o attemptOutcome) result() string {
	switch o {
	case outcomeOK:
		return ResultOK
	case outcomeLocked:
		return ResultLocked
	}
	return ResultFailed
}

// attemptState is what an attempt reads before hashing.
type attemptState struct {
	user   store.User // the stored record, when found
	found  bool
	locked bool // the name (or the digest of an unknown one) is locked out
}

// attemptVerdict is what the check of the password decided, outside any
// transaction.
type attemptVerdict struct {
	outcome  attemptOutcome
	upgraded string // the password re-hashed with the preferred hasher, or ""
}

// attempt is one authentication, in three steps: read the user and its
// failure record, verify the password outside any write transaction
// (hashing is the slow part), then record the outcome — failure count, hash
// upgrade, audit record, and whatever onSuccess adds — in one transaction.
// Every failure returns ErrAuthFailed; the audit log keeps the real reason.
func (s *Service) attempt(ctx context.Context, action, username, password string, onSuccess func(w store.Writer, u *store.User) error) (store.User, error) {
	now := s.clock()
	st, err := s.readAttempt(ctx, username, now)
	if err != nil {
		return store.User{}, err
	}
	v, err := s.verifyAttempt(ctx, st, password)
	if err != nil {
		return store.User{}, err
	}
	out, outcome, err := s.recordAttempt(ctx, action, username, now, st, v, onSuccess)
	if err != nil {
		return store.User{}, err
	}
	if outcome != outcomeOK {
		return store.User{}, ErrAuthFailed
	}
	return out, nil
}

// readAttempt reads what the check depends on: the user, and whether the
// name is locked out.
func (s *Service) readAttempt(ctx context.Context, username string, now time.Time) (attemptState, error) {
	var st attemptState
	err := s.view(ctx, func(r store.Reader) error {
		// The audit key (made here on a first use) keys the digest of an
		// unknown username.
		if key, err := s.auditKey(r); err != nil {
			return err
		} else if key != nil {
			s.chainFor(key)
		}
		if err := s.loadCost(r); err != nil {
			return err
		}
		u, err := r.User(username)
		switch {
		case err == nil:
			st.user, st.found = u, true
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		key := username
		if !st.found {
			key = s.unknownUserKey(username)
		}
		if !trackable(username) {
			return nil
		}
		f, err := r.Failure(key)
		if err == nil {
			st.locked = s.lockout.locked(f, now)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return attemptState{}, err
	}
	return st, nil
}

// verifyAttempt checks the password against what readAttempt found, pads a
// failure to the preferred hasher's time, and re-hashes a correct password
// whose hash is outdated.
func (s *Service) verifyAttempt(ctx context.Context, st attemptState, password string) (attemptVerdict, error) {
	// The check, a pad that runs the preferred hasher, and an upgrade hold
	// memory: the gate bounds how much all processes hold at once.
	leave, err := s.enterGate(ctx, st.found && !st.locked, st.user.Password)
	if err != nil {
		return attemptVerdict{}, err
	}
	defer func() {
		// The memory leaves with the gate, not after the write that
		// follows (which may wait for the database's lock).
		hasher.ReleaseHashMemory()
		leave()
	}()
	var ok, mustUpdate bool
	start := time.Now()
	if st.locked || !st.found {
		// A locked account is not checked at all, so that neither the time
		// taken nor a hash upgrade tells a guesser whether a guess was
		// right while the lock lasts; an unknown user costs what a wrong
		// password costs.
		s.dummy(password)
	} else {
		ok, mustUpdate = s.hashers.Check(password, st.user.Password)
	}
	v := attemptVerdict{outcome: s.checkedOutcome(st, ok)}
	if v.outcome != outcomeOK {
		// Whatever hasher made the user's hash (a weak argon2, an old
		// pbkdf2), a failure lasts as long as the preferred hasher takes,
		// so that the time does not tell which users exist (timing.go).
		s.padFailure(start, password)
	}
	// Django upgrades an outdated hash on a correct password even when the
	// user is inactive.
	if ok && mustUpdate {
		if v.upgraded, err = s.hashers.Make(password); err != nil {
			return attemptVerdict{}, err
		}
	}
	return v, nil
}

// checkedOutcome names the outcome of the check: ok tells whether the
// password matched the stored hash.
func (s *Service) checkedOutcome(st attemptState, ok bool) attemptOutcome {
	switch {
	case st.locked:
		return outcomeLocked
	case !st.found:
		return outcomeUnknownUser
	case !ok:
		// A stored value that can never verify is named in the audit log
		// (never to the caller), so that an administrator finds it.
		switch c, _ := s.hashers.Classify(st.user.Password); c {
		case hasher.ClassOverCeiling:
			return outcomeHashOverCeiling
		case hasher.ClassUnknownFormat, hasher.ClassMalformed:
			return outcomeHashUnusable
		}
		return outcomeWrongPassword
	case !st.user.IsActive:
		return outcomeInactive
	}
	return outcomeOK
}

// recordAttempt writes the attempt's outcome in one transaction and
// returns the user as stored (on success) and the final outcome, which may
// have turned into a failure since the check.
func (s *Service) recordAttempt(ctx context.Context, action, username string, now time.Time, st attemptState, v attemptVerdict, onSuccess func(w store.Writer, u *store.User) error) (store.User, attemptOutcome, error) {
	// fn may run more than once (store.Store.Update), so it starts from the
	// verdict each time and leaves its result in outcome and out.
	var (
		outcome attemptOutcome
		out     store.User
	)
	err := s.write(ctx, func(w store.Writer) error {
		if err := s.storeCost(w); err != nil {
			return err
		}
		cur, exists, o, err := s.recheckAttempt(w, username, now, st, v.outcome)
		if err != nil {
			return err
		}
		outcome = o
		// Upgrade only the hash that was checked: a password changed since
		// then must not be overwritten.
		if exists && v.upgraded != "" && cur.Password == st.user.Password {
			if err := s.upgradeHash(w, &cur, v.upgraded); err != nil {
				return err
			}
		}
		if outcome != outcomeOK {
			return s.recordFailedAttempt(w, action, username, exists, outcome, now)
		}
		if err := w.DeleteFailure(username); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if onSuccess != nil {
			if err := onSuccess(w, &cur); err != nil {
				return err
			}
		}
		out = cur
		return s.appendAudit(w, Event{Action: action, Target: username})
	})
	if err != nil {
		return store.User{}, outcomeOK, err
	}
	if d, ok := s.cost.toStore(); ok {
		s.cost.setStored(d)
	}
	return out, outcome, nil
}

// recheckAttempt reads the user as stored now and decides the outcome
// against it: the password was checked against the record read before
// hashing, so that a password changed, a user deactivated or deleted, or
// an account locked (by concurrent failures) meanwhile is not let in.
func (s *Service) recheckAttempt(w store.Writer, username string, now time.Time, st attemptState, checked attemptOutcome) (cur store.User, exists bool, outcome attemptOutcome, err error) {
	cur, err = w.User(username)
	exists = err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return cur, false, checked, err
	}
	if checked != outcomeOK {
		return cur, exists, checked, nil
	}
	if !exists {
		return cur, false, outcomeUserDeleted, nil
	}
	switch {
	case cur.Password != st.user.Password:
		return cur, true, outcomePasswordChanged, nil
	case !cur.IsActive:
		return cur, true, outcomeInactive, nil
	}
	f, err := w.Failure(username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return cur, true, checked, err
	}
	if err == nil && s.lockout.locked(f, now) {
		return cur, true, outcomeLocked, nil
	}
	return cur, true, outcomeOK, nil
}

// upgradeHash stores the re-hashed password in place of the checked one,
// carries the user's sessions over and records it.
func (s *Service) upgradeHash(w store.Writer, cur *store.User, upgraded string) error {
	old := cur.Password
	cur.Password = upgraded
	if err := w.PutUser(*cur); err != nil {
		return err
	}
	if err := rekeySessions(w, cur.Username, old, upgraded); err != nil {
		return err
	}
	return s.appendAudit(w, Event{Action: "user.rehash", Target: cur.Username, Detail: "password hash upgraded to " + s.hashers.Preferred().Algorithm()})
}

// recordFailedAttempt counts a failure against the name (a digest of it
// when no user has it) and records the attempt with its reason.
func (s *Service) recordFailedAttempt(w store.Writer, action, username string, exists bool, outcome attemptOutcome, now time.Time) error {
	detail := outcome.String()
	// A name that is no user's is recorded only as a digest: it may be a
	// password typed into the username prompt.
	key := username
	if !exists {
		key = s.unknownUserKey(username)
	}
	// A name that no user can have (empty, not UTF-8, longer than a
	// username) is not worth a failure record.
	if trackable(username) {
		f, err := s.lockout.recordFailure(w, key, now)
		if err != nil {
			return err
		}
		if outcome != outcomeLocked && s.lockout.locked(f, now) {
			detail += "; account now locked"
		}
	}
	return s.appendAudit(w, Event{Action: action, Target: key, Result: outcome.result(), Detail: detail})
}

// trackable reports whether username may get a failure record: any name a
// user could have, whether or not one does.
func trackable(username string) bool {
	return username != "" && utf8.ValidString(username) && utf8.RuneCountInString(username) <= ident.UsernameMaxLength
}
