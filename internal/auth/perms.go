package auth

import (
	"context"
	"errors"
	"strings"

	"authctl/internal/auth/ident"
	"authctl/internal/store"
)

// CreatePermission creates "app_label.codename" with a human name (a
// readable default from the codename when name is empty).
func (s *Service) CreatePermission(ctx context.Context, perm, name string) (store.Permission, error) {
	p, err := newPermission(perm, name)
	if err != nil {
		return p, err
	}
	err = s.change(ctx, Event{Action: "perm.create", Target: perm}, func(w store.Writer) error {
		if err := mustNotExist(w.Permission(perm)); err != nil {
			return wrapExists(err, "permission", perm)
		}
		return w.PutPermission(p)
	})
	return p, err
}

func newPermission(perm, name string) (store.Permission, error) {
	_, codename, err := ident.ParsePerm(perm)
	if err != nil {
		return store.Permission{}, invalid(err)
	}
	if name == "" {
		name = ident.DefaultPermName(codename)
	}
	if err := ident.ValidatePermName(name); err != nil {
		return store.Permission{}, invalid(err)
	}
	return store.Permission{Perm: perm, Name: name}, nil
}

// DeletePermission deletes a permission and revokes it from every user and
// group, in one transaction.
func (s *Service) DeletePermission(ctx context.Context, perm string) error {
	return s.change(ctx, Event{Action: "perm.delete", Target: perm}, func(w store.Writer) error {
		if err := w.DeletePermission(perm); err != nil {
			return wrapNotFound(err, "permission", perm)
		}
		holders := func(fn func(string) error) error { return w.PermissionHolders(perm, fn) }
		if err := rewriteListed(w, holders, func(u *store.User) bool {
			var changed bool
			u.Permissions, changed = removeSorted(u.Permissions, perm)
			return changed
		}); err != nil {
			return err
		}
		return rewriteGroups(w, func(g *store.Group) bool {
			var changed bool
			g.Permissions, changed = removeSorted(g.Permissions, perm)
			return changed
		})
	})
}

// ListPermissions calls fn for each permission of app (all when empty), in
// "app.codename" order.
func (s *Service) ListPermissions(ctx context.Context, app string, fn func(store.Permission) error) error {
	prefix := ""
	if app != "" {
		prefix = app + "."
	}
	return s.view(ctx, func(r store.Reader) error {
		return r.Permissions(prefix, fn)
	})
}

// Grantee is the user or the group a permission is granted to; exactly one
// is set.
type Grantee struct {
	User  string
	Group string
}

func (g Grantee) String() string {
	if g.User != "" {
		return "user " + g.User
	}
	return "group " + g.Group
}

// Grant gives perms to a user or a group. A permission must exist unless
// create is set, in which case it is created with a default name. It returns
// the permissions newly granted (those already held are not an error).
func (s *Service) Grant(ctx context.Context, to Grantee, perms []string, create bool) ([]string, error) {
	return s.editGrants(ctx, "perm.grant", to, perms, create, insertSorted)
}

// Revoke takes perms away from a user or a group. It returns the permissions
// that were held and are now revoked.
func (s *Service) Revoke(ctx context.Context, from Grantee, perms []string) ([]string, error) {
	return s.editGrants(ctx, "perm.revoke", from, perms, false, removeSorted)
}

func (s *Service) editGrants(ctx context.Context, action string, to Grantee, perms []string, create bool, edit func([]string, string) ([]string, bool)) ([]string, error) {
	var problems []error
	for _, p := range perms {
		if _, _, err := ident.ParsePerm(p); err != nil {
			problems = append(problems, err)
		}
	}
	if len(problems) > 0 {
		return nil, invalid(problems...)
	}
	var done []string
	err := s.write(ctx, func(w store.Writer) error {
		done = done[:0]
		held, save, err := grantsOf(w, to)
		if err != nil {
			return err
		}
		for _, p := range perms {
			if err := s.ensurePermission(w, p, create); err != nil {
				return err
			}
			var changed bool
			if *held, changed = edit(*held, p); changed {
				done = append(done, p)
			}
		}
		if len(done) == 0 {
			return nil
		}
		if err := save(); err != nil {
			return err
		}
		return s.appendAudit(w, Event{Action: action, Target: to.String(), Detail: strings.Join(done, ",")})
	})
	return done, err
}

// grantsOf reads the grantee and returns its grants, to edit in place, and
// the function that stores them.
func grantsOf(w store.Writer, to Grantee) (held *[]string, save func() error, err error) {
	if to.User != "" {
		u, err := w.User(to.User)
		if err != nil {
			return nil, nil, wrapNotFound(err, "user", to.User)
		}
		return &u.Permissions, func() error { return w.PutUser(u) }, nil
	}
	g, err := w.Group(to.Group)
	if err != nil {
		return nil, nil, wrapNotFound(err, "group", to.Group)
	}
	return &g.Permissions, func() error { return w.PutGroup(g) }, nil
}

// ensurePermission fails when perm does not exist, or with create makes
// it (recording that too).
func (s *Service) ensurePermission(w store.Writer, perm string, create bool) error {
	_, err := w.Permission(perm)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if !create {
		return &NotFoundError{Kind: "permission", Name: perm}
	}
	np, err := newPermission(perm, "")
	if err != nil {
		return err
	}
	if err := w.PutPermission(np); err != nil {
		return err
	}
	return s.appendAudit(w, Event{Action: "perm.create", Target: perm})
}

// PermissionNames lists permission strings starting with prefix; for shell
// completion.
func (s *Service) PermissionNames(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	err := s.view(ctx, func(r store.Reader) error {
		return r.Permissions(prefix, func(p store.Permission) error {
			out = append(out, p.Perm)
			return nil
		})
	})
	return out, err
}
