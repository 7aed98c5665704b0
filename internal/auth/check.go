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
// permission" from "not granted". A malformed permission string is denied
// (ReasonMalformed) except to an active superuser, as in Django.
func (s *Service) Check(ctx context.Context, username string, perms []string, explain bool) (Decision, error) {
	var d Decision
	err := s.Checks(ctx, explain, func(c *Checker) error {
		var err error
		d, err = c.Check(username, perms)
		return err
	})
	return d, err
}

// Anonymous is the decision for a caller with no session: Django's
// AnonymousUser has no permissions (but has_perms of nothing is true).
func Anonymous(perms []string) Decision {
	d := Decision{Allowed: len(perms) == 0}
	for _, p := range perms {
		d.Results = append(d.Results, PermResult{Perm: p, Reason: ReasonNotLoggedIn, Malformed: !WellFormedPerm(p)})
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
