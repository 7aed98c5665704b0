package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"sync"
	"time"
	"unicode/utf8"

	"authctl/internal/auth/hasher"
	"authctl/internal/auth/ident"
	"authctl/internal/auth/validate"
	"authctl/internal/store"
)

// PasswordFailures runs the configured validators and returns every rule
// the password breaks, in configuration order (none: it passes). With a
// username, the similarity check compares against that user's attributes,
// as Django's changepassword does.
func (s *Service) PasswordFailures(ctx context.Context, password, username string) ([]validate.Failure, error) {
	var attrs *validate.User
	if username != "" {
		err := s.view(ctx, func(r store.Reader) error {
			u, err := r.User(username)
			if err != nil {
				return wrapNotFound(err, "user", username)
			}
			attrs = userAttrs(u)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err := s.validators.Validate(password, attrs)
	if err == nil {
		return nil, nil
	}
	var verr *validate.Error
	if errors.As(err, &verr) {
		return verr.Failures, nil
	}
	return nil, err
}

// HashPassword encodes password with the named hasher ("" for the preferred
// one), for seeding files. It does not run the validators.
func (s *Service) HashPassword(password, algorithm string) (string, error) {
	if algorithm == "" {
		return s.hashers.Make(password)
	}
	h, err := s.hashers.MakeWith(algorithm, password)
	if err != nil {
		return "", invalid(err)
	}
	return h, nil
}

// SetPasswordOptions tunes SetPassword.
type SetPasswordOptions struct {
	SkipValidation bool
	// KeepSession is the ID of the caller's own session, which survives the
	// change with its auth hash updated (Django's update_session_auth_hash);
	// every other session of the user ends.
	KeepSession string
}

// SetPassword changes a user's password: validate against the user, hash
// outside the transaction, then store it and end the user's other sessions
// in one transaction.
func (s *Service) SetPassword(ctx context.Context, username string, p Password, opts SetPasswordOptions) error {
	var u store.User
	if err := s.view(ctx, func(r store.Reader) error {
		var err error
		u, err = r.User(username)
		return wrapNotFound(err, "user", username)
	}); err != nil {
		return err
	}
	switch {
	case p.kind == passwordRaw && !opts.SkipValidation:
		if problems := validationProblems(s.validators.Validate(p.value, userAttrs(u))); len(problems) > 0 {
			return invalid(problems...)
		}
	case p.kind == passwordHash:
		if err := s.checkHash(p.value); err != nil {
			return invalid(err)
		}
	}
	encoded, err := s.encode(p)
	if err != nil {
		return err
	}
	return s.change(ctx, Event{Action: "user.passwd", Target: username}, func(w store.Writer) error {
		u, err := w.User(username)
		if err != nil {
			return wrapNotFound(err, "user", username)
		}
		u.Password = encoded
		if err := w.PutUser(u); err != nil {
			return err
		}
		_, err = s.endSessionsAfterPasswordChange(w, u, opts.KeepSession)
		return err
	})
}

// attempt is one authentication: it decides outside any write transaction
// (hashing is the slow part), then records the outcome — failure count,
// hash upgrade, audit record, and whatever onSuccess adds — in one
// transaction. Every failure returns ErrAuthFailed; the audit log keeps the
// real reason.
func (s *Service) attempt(ctx context.Context, action, username, password string, onSuccess func(w store.Writer, u *store.User) error) (store.User, error) {
	now := s.clock()
	var (
		u        store.User
		found    bool
		isLocked bool
	)
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
		var err error
		u, err = r.User(username)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		key := username
		if !found {
			key = s.unknownUserKey(username)
		}
		if !trackable(username) {
			return nil
		}
		f, err := r.Failure(key)
		if err == nil {
			isLocked = s.lockout.locked(f, now)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return store.User{}, err
	}

	// The check, a pad that runs the preferred hasher, and an upgrade hold
	// memory: the gate bounds how much all processes hold at once.
	leave, err := s.enterGate(ctx, found && !isLocked, u.Password)
	if err != nil {
		return store.User{}, err
	}
	defer leave()
	var ok, mustUpdate bool
	start := time.Now()
	switch {
	case isLocked || !found:
		// A locked account is not checked at all, so that neither the time
		// taken nor a hash upgrade tells a guesser whether a guess was
		// right while the lock lasts; an unknown user costs what a wrong
		// password costs.
		s.dummy(password)
	default:
		ok, mustUpdate = s.hashers.Check(password, u.Password)
	}
	if isLocked || !found || !ok || !u.IsActive {
		// Whatever hasher made the user's hash (a weak argon2, an old
		// pbkdf2), a failure lasts as long as the preferred hasher takes,
		// so that the time does not tell which users exist (timing.go).
		s.padFailure(start, password)
	}
	// Django upgrades an outdated hash on a correct password even when the
	// user is inactive.
	upgraded := ""
	if ok && mustUpdate {
		if upgraded, err = s.hashers.Make(password); err != nil {
			return store.User{}, err
		}
	}
	leave()

	checked := ""
	switch {
	case isLocked:
		checked = "locked"
	case !found:
		checked = "unknown user"
	case !ok:
		checked = "wrong password"
		// A stored value that can never verify is named in the audit log
		// (never to the caller), so that an administrator finds it.
		switch c, _ := s.hashers.Classify(u.Password); c {
		case hasher.ClassOverCeiling:
			checked = "password hash above the cost ceiling (not verified)"
		case hasher.ClassUnknownFormat, hasher.ClassMalformed:
			checked = "password hash of an unknown or malformed format (not verified)"
		}
	case !u.IsActive:
		checked = "inactive user"
	}

	// fn may run more than once (store.Store.Update), so it starts from
	// checked and u each time and leaves its outcome in reason and out.
	var (
		reason string
		out    store.User
	)
	err = s.st.Update(ctx, func(w store.Writer) error {
		if err := s.storeCost(w); err != nil {
			return err
		}
		reason = checked
		cur, err := w.User(username)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// The password was checked against the record read before hashing;
		// decide against what is stored now, so that a password changed, a
		// user deactivated or an account locked (by concurrent failures)
		// meanwhile is not let in.
		if reason == "" && exists {
			switch {
			case cur.Password != u.Password:
				reason = "password changed meanwhile"
			case !cur.IsActive:
				reason = "inactive user"
			default:
				f, err := w.Failure(username)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				if err == nil && s.lockout.locked(f, now) {
					reason = "locked"
				}
			}
		}
		// Upgrade only the hash that was checked: a password changed since
		// then must not be overwritten.
		if exists && upgraded != "" && cur.Password == u.Password {
			cur.Password = upgraded
			if err := w.PutUser(cur); err != nil {
				return err
			}
			if err := rekeySessions(w, username, u.Password, upgraded); err != nil {
				return err
			}
			if err := s.appendAudit(w, Event{Action: "user.rehash", Target: username, Detail: "password hash upgraded to " + s.hashers.Preferred().Algorithm()}); err != nil {
				return err
			}
		}
		if reason != "" || !exists {
			result := ResultFailed
			if reason == "locked" {
				result = ResultLocked
			}
			if reason == "" {
				reason = "user deleted meanwhile"
			}
			detail := reason
			// A name that is no user's is recorded only as a digest: it may
			// be a password typed into the username prompt.
			key := username
			if !exists {
				key = s.unknownUserKey(username)
			}
			// A name that no user can have (empty, not UTF-8, longer
			// than a username) is not worth a failure record.
			if trackable(username) {
				f, err := s.lockout.recordFailure(w, key, now)
				if err != nil {
					return err
				}
				if reason != "locked" && s.lockout.locked(f, now) {
					detail += "; account now locked"
				}
			}
			return s.appendAudit(w, Event{Action: action, Target: key, Result: result, Detail: detail})
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
		return store.User{}, err
	}
	if d, ok := s.cost.toStore(); ok {
		s.cost.setStored(d)
	}
	if reason != "" {
		return store.User{}, ErrAuthFailed
	}
	return out, nil
}

// enterGate waits for the verification gate, for the memory a check of
// encoded holds (when checked) or one run of the preferred hasher.
func (s *Service) enterGate(ctx context.Context, checked bool, encoded string) (func(), error) {
	if s.gate == nil {
		return func() {}, nil
	}
	// The peak: the stored hash's check, or the preferred hasher's run (a
	// dummy, a pad, an upgrade), one after the other.
	mem := s.prefMem
	if checked {
		mem = max(mem, hashMemory(encoded))
	}
	leave, err := s.gate.Enter(ctx, mem)
	if err != nil {
		return nil, err
	}
	var once sync.Once
	return func() { once.Do(leave) }, nil
}

// trackable reports whether username may get a failure record: any name a
// user could have, whether or not one does.
func trackable(username string) bool {
	return username != "" && utf8.ValidString(username) && utf8.RuneCountInString(username) <= ident.UsernameMaxLength
}

// Authenticate checks a username and password like Django's authenticate():
// it succeeds only for an active user with the right password who is not
// locked out, and upgrades an outdated hash on a correct password.
func (s *Service) Authenticate(ctx context.Context, username, password string) (store.User, error) {
	return s.attempt(ctx, "auth.authenticate", username, password, nil)
}

// rekeySessions keeps a user's sessions valid across a hash upgrade: the
// password did not change, only how it is stored. (Django ties sessions to
// the stored hash and so logs a user out everywhere when it re-hashes;
// raising a hasher cost should not do that.) Only sessions whose auth hash
// matched the old hash are carried over.
func rekeySessions(w store.Writer, username, oldHash, newHash string) error {
	key, err := w.Meta(secretKeyMeta)
	if errors.Is(err, store.ErrNotFound) {
		return nil // no session was ever made
	}
	if err != nil {
		return err
	}
	oldAuth, newAuth := SessionAuthHash(key, oldHash), SessionAuthHash(key, newHash)
	var carried []store.Session
	if err := w.Sessions(func(sess store.Session) error {
		if sess.Username == username && subtle.ConstantTimeCompare([]byte(sess.AuthHash), []byte(oldAuth)) == 1 {
			sess.AuthHash = newAuth
			carried = append(carried, sess)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, sess := range carried {
		if err := w.PutSession(sess); err != nil {
			return err
		}
	}
	return nil
}
