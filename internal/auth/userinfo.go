package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
)

// UserInfo is everything `user show` tells about a user. It never holds the
// password hash itself, only Django's masked summary of it.
type UserInfo struct {
	User store.User
	// EffectivePerms is Django's get_all_permissions: empty for an inactive
	// user, every permission in the database for an active superuser, else
	// direct ∪ group permissions.
	EffectivePerms []string
	PasswordUsable bool
	HashSummary    []hasher.Field
	Failures       int
	LockedUntil    time.Time // zero when not locked
}

// GetUser reads one user with its effective permissions.
func (s *Service) GetUser(ctx context.Context, username string) (UserInfo, error) {
	var info UserInfo
	err := s.view(ctx, func(r store.Reader) error {
		u, err := r.User(username)
		if err != nil {
			return wrapNotFound(err, "user", username)
		}
		info.User = u
		switch {
		case !u.IsActive:
			info.EffectivePerms = []string{}
		case u.IsSuperuser:
			info.EffectivePerms = []string{}
			if err := r.Permissions("", func(p store.Permission) error {
				info.EffectivePerms = append(info.EffectivePerms, p.Perm)
				return nil
			}); err != nil {
				return err
			}
		default:
			groups, err := userGroups(r, u)
			if err != nil {
				return err
			}
			info.EffectivePerms = effectivePerms(u, groups)
		}
		f, err := r.Failure(username)
		if err == nil {
			now := s.clock()
			info.Failures = s.lockout.countAt(f, now)
			if f.LockedUntil.After(now) {
				info.LockedUntil = f.LockedUntil
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	info.PasswordUsable = hasher.IsUsable(info.User.Password)
	info.HashSummary = s.hashers.Summary(info.User.Password)
	return info, nil
}

// UserFilter selects users for ListUsers. Zero values select everyone.
type UserFilter struct {
	Group     string
	Active    *bool
	Superuser bool
	// Search matches, case-insensitively, a part of the username, email,
	// first or last name (Django admin's search fields).
	Search string
}

func (f UserFilter) match(u store.User) bool {
	if f.Group != "" && !contains(u.Groups, f.Group) {
		return false
	}
	if f.Active != nil && u.IsActive != *f.Active {
		return false
	}
	if f.Superuser && !u.IsSuperuser {
		return false
	}
	if f.Search != "" {
		q := strings.ToLower(f.Search)
		hit := false
		for _, v := range []string{u.Username, u.Email, u.FirstName, u.LastName} {
			if strings.Contains(strings.ToLower(v), q) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// ListUsers calls fn for each matching user in username order, one at a
// time, so memory does not grow with the number of users. A filter on a
// group that does not exist is an error, not an empty list.
func (s *Service) ListUsers(ctx context.Context, f UserFilter, fn func(store.User) error) error {
	return s.view(ctx, func(r store.Reader) error {
		if f.Group != "" {
			if _, err := r.Group(f.Group); err != nil {
				return wrapNotFound(err, "group", f.Group)
			}
			// The group's members, through the index, in username order
			// like the scan: the cost follows the group's size.
			members := func(fn func(string) error) error { return r.GroupMembers(f.Group, fn) }
			return eachListed(r, members, func(u store.User) error {
				if !f.match(u) {
					return nil
				}
				return fn(u)
			})
		}
		return r.Users("", func(u store.User) error {
			if !f.match(u) {
				return nil
			}
			return fn(u)
		})
	})
}

// Usernames lists usernames starting with prefix, at most limit of them (0:
// all); for shell completion.
func (s *Service) Usernames(ctx context.Context, prefix string, limit int) ([]string, error) {
	var out []string
	errEnough := errors.New("enough")
	err := s.view(ctx, func(r store.Reader) error {
		return r.Users(prefix, func(u store.User) error {
			out = append(out, u.Username)
			if limit > 0 && len(out) >= limit {
				return errEnough
			}
			return nil
		})
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	return out, err
}
