package auth

import (
	"context"
	"errors"

	"authctl/internal/auth/hasher"
	"authctl/internal/auth/ident"
	"authctl/internal/auth/validate"
	"authctl/internal/store"
)

// NewUser describes a user to create.
type NewUser struct {
	Username    string
	Email       string
	FirstName   string
	LastName    string
	IsSuperuser bool // also makes the user staff, as Django's create_superuser does
	IsStaff     bool
	Inactive    bool
	Password    Password
	// SkipValidation skips the password validators (never the hash format
	// check).
	SkipValidation bool
	// Groups and Permissions are given to the user in the same transaction
	// that creates it; each must exist.
	Groups      []string
	Permissions []string
}

// Password is where a new password comes from: a plain password (hashed
// here with the preferred hasher), an encoded hash (checked, stored as is),
// or none (Django's unusable password).
type Password struct {
	kind  passwordKind
	value string
}

type passwordKind int

const (
	passwordNone passwordKind = iota
	passwordRaw
	passwordHash
)

// RawPassword is a password typed by a person or read from a file.
func RawPassword(p string) Password { return Password{kind: passwordRaw, value: p} }

// HashedPassword is a Django-format encoded hash.
func HashedPassword(h string) Password { return Password{kind: passwordHash, value: h} }

// NoPassword is an unusable password: the user cannot authenticate.
func NoPassword() Password { return Password{kind: passwordNone} }

// userAttrs is what the similarity validator compares a password with.
func userAttrs(u store.User) *validate.User {
	return &validate.User{Username: u.Username, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email}
}

// checkNewUser normalises nu into a record and returns every problem found
// with it at once.
func (s *Service) checkNewUser(nu NewUser) (store.User, error) {
	u := store.User{
		Username:    ident.NormalizeUsername(nu.Username),
		Email:       ident.NormalizeEmail(nu.Email),
		FirstName:   nu.FirstName,
		LastName:    nu.LastName,
		IsActive:    !nu.Inactive,
		IsStaff:     nu.IsStaff || nu.IsSuperuser,
		IsSuperuser: nu.IsSuperuser,
		DateJoined:  s.clock(),
	}
	var problems []error
	add := func(err error) {
		if err != nil {
			problems = append(problems, err)
		}
	}
	add(ident.ValidateUsername(u.Username))
	add(ident.ValidateEmail(u.Email))
	add(ident.ValidatePersonName("first name", u.FirstName))
	add(ident.ValidatePersonName("last name", u.LastName))
	switch nu.Password.kind {
	case passwordRaw:
		if !nu.SkipValidation {
			problems = append(problems, validationProblems(s.validators.Validate(nu.Password.value, userAttrs(u)))...)
		}
	case passwordHash:
		add(s.checkHash(nu.Password.value))
	}
	if len(problems) > 0 {
		return u, invalid(problems...)
	}
	return u, nil
}

// checkHash accepts a Django-format hash of a known algorithm, or an
// unusable password.
func (s *Service) checkHash(encoded string) error {
	if err := s.hashers.Validate(encoded); err != nil {
		return err
	}
	if len(encoded) > 128 {
		return errors.New("password hash is longer than Django's 128-character column")
	}
	return nil
}

// validationProblems splits a validator error into its failures so that each
// is reported on its own line.
func validationProblems(err error) []error {
	if err == nil {
		return nil
	}
	var verr *validate.Error
	if errors.As(err, &verr) {
		out := make([]error, len(verr.Failures))
		for i, f := range verr.Failures {
			out[i] = errors.New(f.Message)
		}
		return out
	}
	return []error{err}
}

// encode turns a Password into what is stored. It hashes, so it must run
// outside any write transaction.
func (s *Service) encode(p Password) (string, error) {
	switch p.kind {
	case passwordRaw:
		// The hash's memory is not held through the write that follows.
		defer hasher.ReleaseHashMemory()
		return s.hashers.Make(p.value)
	case passwordHash:
		return p.value, nil
	default:
		return hasher.Unusable(), nil
	}
}

// CreateUser creates a user. The password is validated and hashed before the
// write transaction starts; the transaction only checks that the name is
// still free and the given groups and permissions exist, and writes the
// record with its audit entry.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (store.User, error) {
	// A taken name is the first thing to report (exit 4), before the
	// password is validated or paid for: a script re-run against an
	// existing user learns that, not that its password is weak.
	if err := s.nameFree(ctx, ident.NormalizeUsername(nu.Username)); err != nil {
		return store.User{}, err
	}
	u, err := s.checkNewUser(nu)
	if err != nil {
		return u, err
	}
	if u.Password, err = s.encode(nu.Password); err != nil {
		return u, err
	}
	err = s.change(ctx, Event{Action: "user.create", Target: u.Username}, func(w store.Writer) error {
		if err := mustNotExist(w.User(u.Username)); err != nil {
			return wrapExists(err, "user", u.Username)
		}
		var err error
		if u.Groups, err = existingNames(nu.Groups, "group", func(g string) error { _, err := w.Group(g); return err }); err != nil {
			return err
		}
		if u.Permissions, err = existingNames(nu.Permissions, "permission", func(p string) error { _, err := w.Permission(p); return err }); err != nil {
			return err
		}
		return w.PutUser(u)
	})
	return u, err
}

// existingNames returns names sorted and without duplicates once lookup
// has found each of them.
func existingNames(names []string, kind string, lookup func(string) error) ([]string, error) {
	out := []string{}
	for _, n := range names {
		if err := lookup(n); err != nil {
			return nil, wrapNotFound(err, kind, n)
		}
		out, _ = insertSorted(out, n)
	}
	return out, nil
}

// mustNotExist turns a successful lookup into ErrExists and a missing record
// into nil.
func mustNotExist[T any](_ T, err error) error {
	switch {
	case err == nil:
		return ErrExists
	case errors.Is(err, store.ErrNotFound):
		return nil
	default:
		return err
	}
}

// UserPatch lists the fields to change; nil leaves a field as it is.
type UserPatch struct {
	Email       *string
	FirstName   *string
	LastName    *string
	IsActive    *bool
	IsStaff     *bool
	IsSuperuser *bool
}

// UpdateUser changes a user's fields. Deactivating a user ends all of the
// user's sessions.
func (s *Service) UpdateUser(ctx context.Context, username string, p UserPatch) (store.User, error) {
	users, err := s.UpdateUsers(ctx, Selector{Names: []string{username}}, p)
	if err != nil {
		return store.User{}, err
	}
	return users[0], nil
}

// checkPatch normalises the patch's email and reports every problem with
// its fields at once.
func checkPatch(p *UserPatch) error {
	var problems []error
	if p.Email != nil {
		e := ident.NormalizeEmail(*p.Email)
		p.Email = &e
		if err := ident.ValidateEmail(e); err != nil {
			problems = append(problems, err)
		}
	}
	if p.FirstName != nil {
		if err := ident.ValidatePersonName("first name", *p.FirstName); err != nil {
			problems = append(problems, err)
		}
	}
	if p.LastName != nil {
		if err := ident.ValidatePersonName("last name", *p.LastName); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return invalid(problems...)
	}
	return nil
}

// DeleteUser deletes a user with its sessions and failure count, in one
// transaction.
func (s *Service) DeleteUser(ctx context.Context, username string) error {
	_, err := s.DeleteUsers(ctx, Selector{Names: []string{username}})
	return err
}

// deleteUser deletes a user with its sessions and failure count, and
// records it.
func (s *Service) deleteUser(w store.Writer, username string) error {
	if err := w.DeleteUser(username); err != nil {
		return wrapNotFound(err, "user", username)
	}
	if err := s.endSessions(w, username, "", "user deleted"); err != nil {
		return err
	}
	if err := w.DeleteFailure(username); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.appendAudit(w, Event{Action: "user.delete", Target: username})
}

// CheckNewUser reports every problem with nu (name, email, names, and the
// password when it is given), then whether the (normalised) username is
// taken, without writing anything: an interactive create asks for a
// password only once the rest is known to be fine, as Django's
// createsuperuser does.
func (s *Service) CheckNewUser(ctx context.Context, nu NewUser) error {
	u, err := s.checkNewUser(nu)
	if err != nil {
		return err
	}
	return s.nameFree(ctx, u.Username)
}

// nameFree returns an ExistsError when username is taken.
func (s *Service) nameFree(ctx context.Context, username string) error {
	err := s.view(ctx, func(r store.Reader) error { return mustNotExist(r.User(username)) })
	if errors.Is(err, ErrExists) {
		return exists("user", username)
	}
	return err
}
