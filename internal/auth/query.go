package auth

import (
	"context"
	"slices"
	"sort"

	"authctl/internal/auth/ident"
	"authctl/internal/store"
)

// Permission queries that answer "who" rather than "may": Django's
// UserManager.with_perm, the holders of a permission, and a user's
// permissions with their sources. Users are reached through the store's
// GroupMembers, PermissionHolders and Superusers, never by reading every
// user; groups are few, so the groups holding a permission are found by
// reading every group.

// WithPermOptions are Django's with_perm arguments.
type WithPermOptions struct {
	// Active selects active (true, Django's default), inactive (false)
	// or all (nil) users.
	Active *bool
	// ExcludeSuperusers is include_superusers=False: superusers are
	// listed only when they hold the permission directly or through a
	// group.
	ExcludeSuperusers bool
}

// Holding says how a user holds a permission.
type Holding struct {
	User store.User
	// Direct: the permission is among the user's own permissions.
	Direct bool
	// Groups that grant it, in name order.
	Groups []string
	// Superuser: the user is a superuser.
	Superuser bool
}

// WithPerm calls fn, in username order, for each user Django's
// User.objects.with_perm(perm, is_active, include_superusers) returns.
// perm must be an "app_label.codename" string (Django raises ValueError
// otherwise); a permission that does not exist is held by nobody but the
// superusers.
func (s *Service) WithPerm(ctx context.Context, perm string, o WithPermOptions, fn func(Holding) error) error {
	if _, _, err := ident.ParsePerm(perm); err != nil {
		return invalid(err)
	}
	return s.view(ctx, func(r store.Reader) error {
		return withPerm(r, perm, o, fn)
	})
}

func withPerm(r store.Reader, perm string, o WithPermOptions, fn func(Holding) error) error {
	held, err := holdersOf(r, perm, o)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(held))
	for name := range held {
		names = append(names, name)
	}
	sort.Strings(names)
	return eachNamed(r, names, func(u store.User) error {
		if o.Active != nil && u.IsActive != *o.Active {
			return nil
		}
		h := held[u.Username]
		h.User, h.Superuser = u, u.IsSuperuser
		return fn(*h)
	})
}

// holdersOf finds, through the store's indexes, every user who holds perm
// directly, through a group or (unless excluded) as a superuser, by name.
func holdersOf(r store.Reader, perm string, o WithPermOptions) (map[string]*Holding, error) {
	held := map[string]*Holding{}
	get := func(name string) *Holding {
		h := held[name]
		if h == nil {
			h = &Holding{}
			held[name] = h
		}
		return h
	}
	if err := r.PermissionHolders(perm, func(name string) error {
		get(name).Direct = true
		return nil
	}); err != nil {
		return nil, err
	}
	groups, err := groupsHolding(r, perm)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if err := r.GroupMembers(g, func(name string) error {
			h := get(name)
			h.Groups = append(h.Groups, g)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if !o.ExcludeSuperusers {
		if err := r.Superusers(func(name string) error {
			get(name)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return held, nil
}

// groupsHolding lists, in name order, the groups that grant perm. It reads
// every group: groups are few next to users.
func groupsHolding(r store.Reader, perm string) ([]string, error) {
	var out []string
	err := r.Groups(func(g store.Group) error {
		if contains(g.Permissions, perm) {
			out = append(out, g.Name)
		}
		return nil
	})
	return out, err
}

// PermissionInfo is a permission with whom it is granted to.
type PermissionInfo struct {
	Permission store.Permission
	// Groups and Users it is granted to directly, in name order.
	Groups []string
	Users  []string
	// Holders counts the users who hold it effectively: with_perm's
	// default (active users, superusers included).
	Holders int
}

// GetPermission reads a permission, the groups and users it is granted to
// and the number of users who hold it.
func (s *Service) GetPermission(ctx context.Context, perm string) (PermissionInfo, error) {
	info := PermissionInfo{Groups: []string{}, Users: []string{}}
	err := s.view(ctx, func(r store.Reader) error {
		p, err := r.Permission(perm)
		if err != nil {
			return wrapNotFound(err, "permission", perm)
		}
		info.Permission = p
		if err := r.PermissionHolders(perm, func(name string) error {
			info.Users = append(info.Users, name)
			return nil
		}); err != nil {
			return err
		}
		groups, err := groupsHolding(r, perm)
		if err != nil {
			return err
		}
		info.Groups = append(info.Groups, groups...)
		active := true
		return withPerm(r, perm, WithPermOptions{Active: &active}, func(Holding) error {
			info.Holders++
			return nil
		})
	})
	return info, err
}

// PermSource says where a user's effective permission comes from.
type PermSource struct {
	Perm      string   `json:"permission"`
	Direct    bool     `json:"direct"`
	Groups    []string `json:"groups"`
	Superuser bool     `json:"superuser"`
}

// UserPermissions is Django's ModelBackend view of one user's permissions.
type UserPermissions struct {
	User store.User
	// UserPerms, GroupPerms and AllPerms are Django's
	// get_user_permissions, get_group_permissions and
	// get_all_permissions: empty for an inactive user; every permission in
	// the database, all three, for an active superuser.
	UserPerms  []string
	GroupPerms []string
	AllPerms   []string
	// Sources holds one entry per permission of AllPerms.
	Sources []PermSource
}

// GetUserPermissions reads a user's permissions with their sources.
func (s *Service) GetUserPermissions(ctx context.Context, username string) (UserPermissions, error) {
	up := UserPermissions{UserPerms: []string{}, GroupPerms: []string{}, AllPerms: []string{}, Sources: []PermSource{}}
	err := s.view(ctx, func(r store.Reader) error {
		u, err := r.User(username)
		if err != nil {
			return wrapNotFound(err, "user", username)
		}
		up.User = u
		if !u.IsActive {
			return nil
		}
		groups, err := userGroups(r, u)
		if err != nil {
			return err
		}
		if u.IsSuperuser {
			if err := r.Permissions("", func(p store.Permission) error {
				up.AllPerms = append(up.AllPerms, p.Perm)
				return nil
			}); err != nil {
				return err
			}
			up.UserPerms = slices.Clone(up.AllPerms)
			up.GroupPerms = slices.Clone(up.AllPerms)
		} else {
			up.UserPerms = append(up.UserPerms, u.Permissions...)
			up.AllPerms = effectivePerms(u, groups)
			up.GroupPerms = effectivePerms(store.User{}, groups)
		}
		for _, p := range up.AllPerms {
			src := PermSource{Perm: p, Direct: contains(u.Permissions, p), Groups: []string{}, Superuser: u.IsSuperuser}
			for _, g := range groups {
				if contains(g.Permissions, p) {
					src.Groups = append(src.Groups, g.Name)
				}
			}
			up.Sources = append(up.Sources, src)
		}
		return nil
	})
	return up, err
}
