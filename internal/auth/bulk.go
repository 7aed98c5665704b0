package auth

import (
	"context"
	"errors"
	"strings"

	"authctl/internal/store"
)

// Selector picks the users a bulk change applies to. Names, when given,
// are the candidates (each must exist); otherwise every user is. Group and
// Inactive then keep only the candidates that are members of Group and
// that are inactive, as `user list --group G --inactive` does. The users
// are picked inside the change's own transaction, so the choice and the
// change cannot disagree.
type Selector struct {
	Names    []string
	Group    string
	Inactive bool
}

// IsZero reports whether the selector picks nothing at all: no names and
// no filter. Bulk changes refuse it rather than change every user.
func (sel Selector) IsZero() bool {
	return len(sel.Names) == 0 && sel.Group == "" && !sel.Inactive
}

// ErrEmptySelection is returned by a bulk change whose selector picks no
// user, so that a script learns its filter matched nothing. It matches
// store.ErrNotFound.
var ErrEmptySelection error = emptySelection{}

type emptySelection struct{}

func (emptySelection) Error() string        { return "no user matches the selection" }
func (emptySelection) Is(target error) bool { return target == store.ErrNotFound }

func (s *Service) selectUsers(r store.Reader, sel Selector) ([]store.User, error) {
	if sel.IsZero() {
		return nil, invalid(errors.New("name at least one user, or select users with a filter"))
	}
	keep := func(u store.User) bool {
		if sel.Inactive && u.IsActive {
			return false
		}
		if sel.Group != "" {
			return contains(u.Groups, sel.Group)
		}
		return true
	}
	if sel.Group != "" {
		if _, err := r.Group(sel.Group); err != nil {
			return nil, wrapNotFound(err, "group", sel.Group)
		}
	}
	if len(sel.Names) > 0 {
		return selectNamed(r, sel.Names, keep)
	}
	var out []store.User
	if sel.Group != "" {
		// The membership index answers in the group's size.
		err := r.GroupMembers(sel.Group, func(name string) error {
			u, err := r.User(name)
			if err != nil {
				return err
			}
			if keep(u) {
				out = append(out, u)
			}
			return nil
		})
		return out, err
	}
	err := r.Users("", func(u store.User) error {
		if keep(u) {
			out = append(out, u)
		}
		return nil
	})
	return out, err
}

// selectNamed reads the named users (each once, in the order given) and
// keeps those keep accepts; an unknown name fails the selection.
func selectNamed(r store.Reader, names []string, keep func(store.User) bool) ([]store.User, error) {
	var out []store.User
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		u, err := r.User(name)
		if err != nil {
			return nil, wrapNotFound(err, "user", name)
		}
		if keep(u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// bulkChange runs edit on every selected user in one transaction. An empty
// selection is ErrEmptySelection and writes nothing.
func (s *Service) bulkChange(ctx context.Context, sel Selector, edit func(w store.Writer, u store.User) error) ([]store.User, error) {
	var picked []store.User
	err := s.write(ctx, func(w store.Writer) error {
		var err error
		if picked, err = s.selectUsers(w, sel); err != nil {
			return err
		}
		if len(picked) == 0 {
			return ErrEmptySelection
		}
		for _, u := range picked {
			if err := edit(w, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return picked, nil
}

// UpdateUsers applies one patch to every selected user in one transaction,
// with an audit record per user changed; deactivated users lose their
// sessions. It returns the selected users as they are afterwards.
func (s *Service) UpdateUsers(ctx context.Context, sel Selector, p UserPatch) ([]store.User, error) {
	if err := checkPatch(&p); err != nil {
		return nil, err
	}
	// By name, not appended: the store may run the transaction more than
	// once (etcd on a conflict), and only the last run counts.
	after := map[string]store.User{}
	picked, err := s.bulkChange(ctx, sel, func(w store.Writer, u store.User) error {
		changed := applyDocFields(&u, DocUser{
			Email: p.Email, FirstName: p.FirstName, LastName: p.LastName,
			IsActive: p.IsActive, IsStaff: p.IsStaff, IsSuperuser: p.IsSuperuser,
		})
		after[u.Username] = u
		if len(changed) == 0 {
			return nil
		}
		if err := w.PutUser(u); err != nil {
			return err
		}
		if !u.IsActive {
			if err := s.endSessions(w, u.Username, "", "user deactivated"); err != nil {
				return err
			}
		}
		return s.appendAudit(w, Event{Action: "user.update", Target: u.Username, Detail: strings.Join(changed, ",")})
	})
	if err != nil {
		return nil, err
	}
	out := make([]store.User, len(picked))
	for i, u := range picked {
		out[i] = after[u.Username]
	}
	return out, nil
}

// DeleteUsers deletes every selected user, with their sessions and failure
// counts, in one transaction, and returns their names.
func (s *Service) DeleteUsers(ctx context.Context, sel Selector) ([]string, error) {
	picked, err := s.bulkChange(ctx, sel, func(w store.Writer, u store.User) error {
		return s.deleteUser(w, u.Username)
	})
	return usernames(picked), err
}

// UnlockUsers forgets the failed logins of every selected user in one
// transaction and returns their names.
func (s *Service) UnlockUsers(ctx context.Context, sel Selector) ([]string, error) {
	picked, err := s.bulkChange(ctx, sel, func(w store.Writer, u store.User) error {
		if err := w.DeleteFailure(u.Username); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return s.appendAudit(w, Event{Action: "user.unlock", Target: u.Username})
	})
	return usernames(picked), err
}

// SelectedUsers lists the users sel picks, for a confirmation question.
func (s *Service) SelectedUsers(ctx context.Context, sel Selector) ([]string, error) {
	var picked []store.User
	err := s.view(ctx, func(r store.Reader) error {
		var err error
		picked, err = s.selectUsers(r, sel)
		return err
	})
	return usernames(picked), err
}

func usernames(users []store.User) []string {
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.Username
	}
	return names
}
