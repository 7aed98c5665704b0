package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"authctl/internal/store"
)

// secretKeyMeta names the per-database secret that keys session auth hashes
// (Django's SECRET_KEY for this purpose). It is made when first needed.
const secretKeyMeta = "secret_key"

// sessionHashSalt is Django's key salt for get_session_auth_hash.
const sessionHashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

// SessionAuthHash is Django's get_session_auth_hash: salted_hmac with
// SHA-256 over the stored password field, in lower-case hex.
func SessionAuthHash(secret []byte, passwordField string) string {
	key := sha256.Sum256(append([]byte(sessionHashSalt), secret...))
	mac := hmac.New(sha256.New, key[:])
	mac.Write([]byte(passwordField))
	return hex.EncodeToString(mac.Sum(nil))
}

// tokenDigest is what the database keeps of a token, and sessionID the
// short public handle derived from it (shown by `session list`; it cannot be
// turned back into the token).
func tokenDigest(token string) []byte {
	d := sha256.Sum256([]byte(token))
	return d[:]
}

func sessionID(digest []byte) string { return hex.EncodeToString(digest[:8]) }

// secret returns the database's secret key, making it inside w if missing.
func secret(w store.Writer) ([]byte, error) {
	b, err := w.Meta(secretKeyMeta)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, w.PutMeta(secretKeyMeta, b)
}

// LoginResult is a new session and its token. The token is shown once and
// never stored.
type LoginResult struct {
	Token   string
	Session store.Session
	User    store.User
}

// startSession sets u's last_login and stores a new session for the token
// whose digest is given, in the transaction that records the login.
func (s *Service) startSession(w store.Writer, u *store.User, digest []byte) (store.Session, error) {
	key, err := secret(w)
	if err != nil {
		return store.Session{}, err
	}
	now := s.clock()
	u.LastLogin = &now
	if err := w.PutUser(*u); err != nil {
		return store.Session{}, err
	}
	sess := store.Session{
		ID:       sessionID(digest),
		Digest:   digest,
		Username: u.Username,
		AuthHash: SessionAuthHash(key, u.Password),
		Created:  now,
		Expires:  now.Add(s.sessionAge),
	}
	if err := w.PutSession(sess); err != nil {
		return store.Session{}, err
	}
	return sess, s.appendAudit(w, Event{Action: "session.start", Target: u.Username, Detail: "session " + sess.ID})
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
	return w.Sessions(func(sess store.Session) error {
		if sess.Username != username || subtle.ConstantTimeCompare([]byte(sess.AuthHash), []byte(oldAuth)) != 1 {
			return nil
		}
		sess.AuthHash = newAuth
		return w.PutSession(sess)
	})
}

// Whoami returns the session and user a token stands for, or
// ErrNotLoggedIn when the token is unknown, expired, or its session ended
// (user deleted or deactivated, password changed since login). It only
// reads, so a stale session is left for `session clear-expired`.
func (s *Service) Whoami(ctx context.Context, token string) (store.Session, store.User, error) {
	var (
		sess store.Session
		u    store.User
	)
	if token == "" {
		return sess, u, ErrNotLoggedIn
	}
	digest := tokenDigest(token)
	now := s.clock()
	err := s.view(ctx, func(r store.Reader) error {
		var err error
		sess, err = r.Session(sessionID(digest))
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotLoggedIn
		}
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(sess.Digest, digest) != 1 || !now.Before(sess.Expires) {
			return ErrNotLoggedIn
		}
		u, err = r.User(sess.Username)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotLoggedIn
		}
		if err != nil {
			return err
		}
		if !u.IsActive {
			return ErrNotLoggedIn
		}
		key, err := r.Meta(secretKeyMeta)
		if err != nil {
			return ErrNotLoggedIn
		}
		if subtle.ConstantTimeCompare([]byte(SessionAuthHash(key, u.Password)), []byte(sess.AuthHash)) != 1 {
			return ErrNotLoggedIn
		}
		return nil
	})
	return sess, u, err
}

// Logout ends the session a token stands for. Ending a session that is
// already gone is not an error: the caller is logged out either way.
func (s *Service) Logout(ctx context.Context, token string) (store.Session, error) {
	digest := tokenDigest(token)
	id := sessionID(digest)
	var sess store.Session
	err := s.write(ctx, func(w store.Writer) error {
		var err error
		sess, err = w.Session(id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && subtle.ConstantTimeCompare(sess.Digest, digest) != 1) {
			sess = store.Session{}
			return nil
		}
		if err != nil {
			return err
		}
		if err := w.DeleteSession(id); err != nil {
			return err
		}
		return s.appendAudit(w, Event{Action: "session.end", Target: sess.Username, Detail: "logout, session " + id})
	})
	return sess, err
}

// ListSessions calls fn for each stored session (of username, when given),
// including expired ones not yet cleared.
func (s *Service) ListSessions(ctx context.Context, username string, fn func(store.Session) error) error {
	return s.view(ctx, func(r store.Reader) error {
		return r.Sessions(func(sess store.Session) error {
			if username != "" && sess.Username != username {
				return nil
			}
			return fn(sess)
		})
	})
}

// RevokeSessions ends the sessions with the given IDs, all or none: an
// unknown ID fails the whole call. An ID given twice is revoked once.
func (s *Service) RevokeSessions(ctx context.Context, ids []string) error {
	return s.write(ctx, func(w store.Writer) error {
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			sess, err := w.Session(id)
			if err != nil {
				return wrapNotFound(err, "session", id)
			}
			if err := w.DeleteSession(id); err != nil {
				return err
			}
			if err := s.appendAudit(w, Event{Action: "session.end", Target: sess.Username, Detail: "revoked, session " + id}); err != nil {
				return err
			}
		}
		return nil
	})
}

// RevokeUserSessions ends every session of a user and returns how many.
func (s *Service) RevokeUserSessions(ctx context.Context, username string) (int, error) {
	n := 0
	err := s.write(ctx, func(w store.Writer) error {
		if _, err := w.User(username); err != nil {
			return wrapNotFound(err, "user", username)
		}
		var err error
		if n, err = deleteUserSessions(w, username, ""); err != nil || n == 0 {
			return err
		}
		return s.appendAudit(w, Event{Action: "session.end", Target: username, Detail: "revoked all sessions"})
	})
	return n, err
}

// ClearExpired deletes sessions whose expiry has passed (Django's
// clearsessions) and returns how many.
func (s *Service) ClearExpired(ctx context.Context) (int, error) {
	now := s.clock()
	n := 0
	err := s.write(ctx, func(w store.Writer) error {
		n = 0
		if err := w.Sessions(func(sess store.Session) error {
			if !sess.Expires.Before(now) {
				return nil
			}
			n++
			return w.DeleteSession(sess.ID)
		}); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return s.appendAudit(w, Event{Action: "session.clear-expired", Target: "sessions", Detail: strconv.Itoa(n) + " expired sessions deleted"})
	})
	return n, err
}

// endSessions deletes every session of username except keep and, if it
// ended any, records why in the audit log (in the caller's transaction).
func (s *Service) endSessions(w store.Writer, username, keep, why string) error {
	n, err := deleteUserSessions(w, username, keep)
	if err != nil || n == 0 {
		return err
	}
	return s.appendAudit(w, Event{Action: "session.end", Target: username, Detail: fmt.Sprintf("%d session(s) ended: %s", n, why)})
}

// deleteUserSessions deletes every session of username except keep.
func deleteUserSessions(w store.Writer, username, keep string) (int, error) {
	n := 0
	err := w.Sessions(func(sess store.Session) error {
		if sess.Username != username || sess.ID == keep {
			return nil
		}
		n++
		return w.DeleteSession(sess.ID)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// endSessionsAfterPasswordChange ends u's sessions except keep, whose auth
// hash it brings up to date with u's new password (Django's
// update_session_auth_hash).
func (s *Service) endSessionsAfterPasswordChange(w store.Writer, u store.User, keep string) (int, error) {
	n := 0
	if err := s.endSessions(w, u.Username, keep, "password changed"); err != nil || keep == "" {
		return n, err
	}
	sess, err := w.Session(keep)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sess.Username != u.Username) {
		return n, nil
	}
	if err != nil {
		return n, err
	}
	key, err := secret(w)
	if err != nil {
		return n, err
	}
	sess.AuthHash = SessionAuthHash(key, u.Password)
	return n, w.PutSession(sess)
}
