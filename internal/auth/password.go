package auth

import (
	"context"
	"errors"

	"authctl/internal/auth/hasher"
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
	defer hasher.ReleaseHashMemory()
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
