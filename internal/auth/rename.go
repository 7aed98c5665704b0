package auth

import (
	"context"
	"errors"

	"authctl/internal/auth/ident"
	"authctl/internal/store"
)

// RenameUser gives a user a new username, as usermod -l does, in one
// transaction: the record with its groups, grants and password moves to the
// new key, and so do the user's sessions and failed-login count. The new
// name is NFKC-normalised and validated as a new user's would be. The audit
// log records the rename; its earlier records keep the name they were
// written with.
func (s *Service) RenameUser(ctx context.Context, from, to string) (store.User, error) {
	to = ident.NormalizeUsername(to)
	if err := ident.ValidateUsername(to); err != nil {
		return store.User{}, invalid(err)
	}
	var u store.User
	err := s.change(ctx, Event{Action: "user.rename", Target: from, Detail: "renamed to " + to}, func(w store.Writer) error {
		var err error
		if u, err = w.User(from); err != nil {
			return wrapNotFound(err, "user", from)
		}
		if from == to {
			return exists("user", to)
		}
		if err := mustNotExist(w.User(to)); err != nil {
			return wrapExists(err, "user", to)
		}
		u.Username = to
		if err := w.PutUser(u); err != nil {
			return err
		}
		if err := w.DeleteUser(from); err != nil {
			return err
		}
		if err := moveSessions(w, from, to); err != nil {
			return err
		}
		return moveFailure(w, from, to)
	})
	return u, err
}

func moveSessions(w store.Writer, from, to string) error {
	return w.Sessions(func(sess store.Session) error {
		if sess.Username != from {
			return nil
		}
		sess.Username = to
		return w.PutSession(sess)
	})
}

func moveFailure(w store.Writer, from, to string) error {
	f, err := w.Failure(from)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	f.Username = to
	if err := w.PutFailure(f); err != nil {
		return err
	}
	return w.DeleteFailure(from)
}

// RenameGroup gives a group a new name, as groupmod -n does, in one
// transaction: its grants move with it and every member's membership
// follows.
func (s *Service) RenameGroup(ctx context.Context, from, to string) error {
	if err := ident.ValidateGroupName(to); err != nil {
		return invalid(err)
	}
	return s.change(ctx, Event{Action: "group.rename", Target: from, Detail: "renamed to " + to}, func(w store.Writer) error {
		g, err := w.Group(from)
		if err != nil {
			return wrapNotFound(err, "group", from)
		}
		if from == to {
			return exists("group", to)
		}
		if err := mustNotExist(w.Group(to)); err != nil {
			return wrapExists(err, "group", to)
		}
		// The store lets fn change the member it visits (internal/store/doc.go).
		if err := w.GroupMembers(from, func(name string) error {
			u, err := w.User(name)
			if err != nil {
				return err
			}
			u.Groups, _ = removeSorted(u.Groups, from)
			u.Groups, _ = insertSorted(u.Groups, to)
			return w.PutUser(u)
		}); err != nil {
			return err
		}
		g.Name = to
		if err := w.PutGroup(g); err != nil {
			return err
		}
		return w.DeleteGroup(from)
	})
}
