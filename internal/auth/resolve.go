package auth

import (
	"sort"

	"authctl/internal/store"
)

// Reasons a permission check gives, for `check --explain`.
const (
	ReasonSuperuser     = "superuser"
	ReasonDirect        = "direct grant"
	ReasonGroup         = "via group"
	ReasonInactive      = "inactive user"
	ReasonNotGranted    = "not granted"
	ReasonUnknownPerm   = "unknown permission"
	ReasonNotLoggedIn   = "not logged in"
	ReasonEmptyRequired = "no permission asked for"
)

// PermResult is the answer for one permission.
type PermResult struct {
	Perm    string   `json:"permission"`
	Allowed bool     `json:"allowed"`
	Reason  string   `json:"reason"`
	Groups  []string `json:"groups,omitempty"` // the groups that grant it, for ReasonGroup
	// Malformed is set when Perm is not an "app_label.codename" string.
	Malformed bool `json:"malformed,omitempty"`
}

// Decision is the answer for a set of permissions: Django's has_perms, true
// only when every permission is allowed.
type Decision struct {
	User    string       `json:"user"`
	Allowed bool         `json:"allowed"`
	Results []PermResult `json:"results"`
}

// resolve decides one permission for user, exactly as Django's ModelBackend
// with the User.has_perm superuser shortcut:
//
//  1. an inactive user has no permission at all, superuser or not;
//  2. an active superuser has every permission, even one that does not exist;
//  3. otherwise the permission must be among the user's direct permissions
//     or the permissions of any of the user's groups (exact string match).
//
// groups holds the user's groups that exist; exists says whether perm is a
// permission in the database (only used to explain a denial or a superuser
// pass).
func resolve(user store.User, groups []store.Group, perm string, exists bool) PermResult {
	res := PermResult{Perm: perm}
	switch {
	case !user.IsActive:
		res.Reason = ReasonInactive
		return res
	case user.IsSuperuser:
		res.Allowed = true
		res.Reason = ReasonSuperuser
		return res
	}
	if contains(user.Permissions, perm) {
		res.Allowed = true
		res.Reason = ReasonDirect
	}
	for _, g := range groups {
		if contains(g.Permissions, perm) {
			res.Groups = append(res.Groups, g.Name)
		}
	}
	if !res.Allowed && len(res.Groups) > 0 {
		res.Allowed = true
		res.Reason = ReasonGroup
	}
	if !res.Allowed {
		res.Reason = ReasonNotGranted
		if !exists {
			res.Reason = ReasonUnknownPerm
		}
	}
	return res
}

// effectivePerms is Django's get_all_permissions for an active, non-superuser
// user: direct permissions ∪ group permissions, sorted. (An inactive user has
// none; a superuser has every permission in the database — callers handle
// those two.)
func effectivePerms(user store.User, groups []store.Group) []string {
	set := map[string]struct{}{}
	for _, p := range user.Permissions {
		set[p] = struct{}{}
	}
	for _, g := range groups {
		for _, p := range g.Permissions {
			set[p] = struct{}{}
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// contains reports whether the sorted slice s holds v.
func contains(s []string, v string) bool {
	i := sort.SearchStrings(s, v)
	return i < len(s) && s[i] == v
}

// insertSorted adds v to the sorted slice s unless present, reporting
// whether it changed.
func insertSorted(s []string, v string) ([]string, bool) {
	i := sort.SearchStrings(s, v)
	if i < len(s) && s[i] == v {
		return s, false
	}
	s = append(s, "")
	copy(s[i+1:], s[i:])
	s[i] = v
	return s, true
}

// removeSorted removes v from the sorted slice s, reporting whether it was
// there.
func removeSorted(s []string, v string) ([]string, bool) {
	i := sort.SearchStrings(s, v)
	if i == len(s) || s[i] != v {
		return s, false
	}
	return append(s[:i], s[i+1:]...), true
}
