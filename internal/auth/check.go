package auth

import (
	"context"
	"errors"

	"authctl/internal/store"
)

// Check answers whether username has every one of perms (Django's
// has_perms). An empty perms list is allowed for everyone, as in Django.
// When explain is false, it reads only the user and the user's groups;
// with explain it also looks up each permission to tell "unknown
// permission" from "not granted".
func (s *Service) Check(ctx context.Context, username string, perms []string, explain bool) (Decision, error) {
	d := Decision{User: username, Allowed: true}
	err := s.view(ctx, func(r store.Reader) error {
		u, err := r.User(username)
		if err != nil {
			return wrapNotFound(err, "user", username)
		}
		groups, err := userGroups(r, u)
		if err != nil {
			return err
		}
		d.Results = make([]PermResult, 0, len(perms))
		for _, p := range perms {
			exists := true
			if explain {
				if _, err := r.Permission(p); errors.Is(err, store.ErrNotFound) {
					exists = false
				} else if err != nil {
					return err
				}
			}
			res := resolve(u, groups, p, exists)
			if res.Reason == ReasonSuperuser && !exists {
				res.Reason = ReasonSuperuser + "; the permission does not exist"
			}
			d.Allowed = d.Allowed && res.Allowed
			d.Results = append(d.Results, res)
		}
		return nil
	})
	return d, err
}

// Anonymous is the decision for a caller with no session: Django's
// AnonymousUser has no permissions (but has_perms of nothing is true).
func Anonymous(perms []string) Decision {
	d := Decision{Allowed: len(perms) == 0}
	for _, p := range perms {
		d.Results = append(d.Results, PermResult{Perm: p, Reason: ReasonNotLoggedIn})
	}
	return d
}

// userGroups reads the groups u belongs to, skipping any that vanished.
func userGroups(r store.Reader, u store.User) ([]store.Group, error) {
	groups := make([]store.Group, 0, len(u.Groups))
	for _, name := range u.Groups {
		g, err := r.Group(name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		groups = append(groups, g)
	}
	return groups, nil
}
