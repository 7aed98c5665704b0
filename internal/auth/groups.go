package auth

import (
	"context"
	"errors"
	"strings"

	"authctl/internal/auth/ident"
	"authctl/internal/store"
)

// GroupInfo is a group with its members.
type GroupInfo struct {
	Group   store.Group
	Members []string
}

// CreateGroup creates an empty group.
func (s *Service) CreateGroup(ctx context.Context, name string) error {
	if err := ident.ValidateGroupName(name); err != nil {
		return invalid(err)
	}
	return s.change(ctx, Event{Action: "group.create", Target: name}, func(w store.Writer) error {
		if err := mustNotExist(w.Group(name)); err != nil {
			return wrapExists(err, "group", name)
		}
		return w.PutGroup(store.Group{Name: name, Permissions: []string{}})
	})
}

// DeleteGroup deletes a group and removes it from every user, in one
// transaction.
func (s *Service) DeleteGroup(ctx context.Context, name string) error {
	return s.change(ctx, Event{Action: "group.delete", Target: name}, func(w store.Writer) error {
		if err := w.DeleteGroup(name); err != nil {
			return wrapNotFound(err, "group", name)
		}
		members := func(fn func(string) error) error { return w.GroupMembers(name, fn) }
		return rewriteListed(w, members, func(u *store.User) bool {
			var changed bool
			u.Groups, changed = removeSorted(u.Groups, name)
			return changed
		})
	})
}

// rewriteUsers applies edit to every user and writes back those it changed,
// as it goes: the store contract lets fn write the record it is visiting
// (internal/store/doc.go).
func rewriteUsers(w store.Writer, edit func(*store.User) bool) error {
	return w.Users("", func(u store.User) error {
		if !edit(&u) {
			return nil
		}
		return w.PutUser(u)
	})
}

// eachListed calls fn for each user an index lists (GroupMembers,
// PermissionHolders), in its order: the cost grows with them, not with
// every user. The names are read whole first, so fn may write, even to the
// very index being listed.
func eachListed(r store.Reader, list func(fn func(username string) error) error, fn func(store.User) error) error {
	var names []string
	if err := list(func(name string) error {
		names = append(names, name)
		return nil
	}); err != nil {
		return err
	}
	return eachNamed(r, names, fn)
}

// eachNamed calls fn for each of the named users that exists, in the order
// given. The names come from an index: a name without its user is skipped,
// since only a damaged index has one (the store's contract rules it out
// within a transaction), and doctor reports it.
func eachNamed(r store.Reader, names []string, fn func(store.User) error) error {
	for _, name := range names {
		u, err := r.User(name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(u); err != nil {
			return err
		}
	}
	return nil
}

// rewriteListed is rewriteUsers for the users an index lists.
func rewriteListed(w store.Writer, list func(fn func(username string) error) error, edit func(*store.User) bool) error {
	return eachListed(w, list, func(u store.User) error {
		if !edit(&u) {
			return nil
		}
		return w.PutUser(u)
	})
}

// rewriteGroups is rewriteUsers for groups.
func rewriteGroups(w store.Writer, edit func(*store.Group) bool) error {
	return w.Groups(func(g store.Group) error {
		if !edit(&g) {
			return nil
		}
		return w.PutGroup(g)
	})
}

// GetGroup reads a group and its members (in username order).
func (s *Service) GetGroup(ctx context.Context, name string) (GroupInfo, error) {
	var info GroupInfo
	err := s.view(ctx, func(r store.Reader) error {
		g, err := r.Group(name)
		if err != nil {
			return wrapNotFound(err, "group", name)
		}
		info.Group = g
		info.Members = []string{}
		return r.GroupMembers(name, func(username string) error {
			info.Members = append(info.Members, username)
			return nil
		})
	})
	return info, err
}

// ListGroups calls fn for each group, in name order, with its members when
// withMembers is set (read through the store's GroupMembers, so the cost
// grows with the members, not with every user).
func (s *Service) ListGroups(ctx context.Context, withMembers bool, fn func(GroupInfo) error) error {
	return s.view(ctx, func(r store.Reader) error {
		return r.Groups(func(g store.Group) error {
			info := GroupInfo{Group: g, Members: []string{}}
			if withMembers {
				if err := r.GroupMembers(g.Name, func(username string) error {
					info.Members = append(info.Members, username)
					return nil
				}); err != nil {
					return err
				}
			}
			return fn(info)
		})
	})
}

// AddMembers puts users into a group. Users already in it are left alone;
// an unknown user fails the whole change. It returns the users it added.
func (s *Service) AddMembers(ctx context.Context, group string, usernames []string) ([]string, error) {
	return s.editMembers(ctx, "group.add-members", group, usernames, insertSorted)
}

// RemoveMembers takes users out of a group. It returns the users it removed.
func (s *Service) RemoveMembers(ctx context.Context, group string, usernames []string) ([]string, error) {
	return s.editMembers(ctx, "group.remove-members", group, usernames, removeSorted)
}

func (s *Service) editMembers(ctx context.Context, action, group string, usernames []string, edit func([]string, string) ([]string, bool)) ([]string, error) {
	var done []string
	err := s.write(ctx, func(w store.Writer) error {
		done = done[:0]
		if _, err := w.Group(group); err != nil {
			return wrapNotFound(err, "group", group)
		}
		var missing []error
		for _, name := range usernames {
			u, err := w.User(name)
			if errors.Is(err, store.ErrNotFound) {
				missing = append(missing, notFound("user", name))
				continue
			}
			if err != nil {
				return err
			}
			var changed bool
			if u.Groups, changed = edit(u.Groups, group); !changed {
				continue
			}
			if err := w.PutUser(u); err != nil {
				return err
			}
			done = append(done, name)
		}
		if len(missing) == 1 {
			return missing[0]
		}
		if len(missing) > 1 {
			return &NotFoundError{Kind: "users", Name: joinErrs(missing)}
		}
		if len(done) == 0 {
			return nil
		}
		return s.appendAudit(w, Event{Action: action, Target: group, Detail: strings.Join(done, ",")})
	})
	return done, err
}

func joinErrs(errs []error) string {
	names := make([]string, len(errs))
	for i, e := range errs {
		var nf *NotFoundError
		if errors.As(e, &nf) {
			names[i] = nf.Name
		} else {
			names[i] = e.Error()
		}
	}
	return strings.Join(names, ", ")
}

// wrapExists turns ErrExists from mustNotExist into an ExistsError naming
// the record.
func wrapExists(err error, kind, name string) error {
	if errors.Is(err, ErrExists) {
		return exists(kind, name)
	}
	return err
}

// GroupNames lists group names starting with prefix; for shell completion.
func (s *Service) GroupNames(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	err := s.view(ctx, func(r store.Reader) error {
		return r.Groups(func(g store.Group) error {
			if strings.HasPrefix(g.Name, prefix) {
				out = append(out, g.Name)
			}
			return nil
		})
	})
	return out, err
}
