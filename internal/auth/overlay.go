package auth

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"authctl/internal/store"
)

// overlay is a store.Reader that shows what the database would hold after
// an apply plan is written, without writing it: the plan's users, groups
// and permissions layered over the current state, pruned objects gone, and
// references to pruned groups and permissions removed (as writePrune
// does). Passwords are not hashed: a planned user keeps its stored hash, or
// none, which no permission question looks at. Sessions, failures, the
// audit log and meta are the base's.
type overlay struct {
	store.Reader
	users      map[string]*store.User // nil: deleted
	groups     map[string]*store.Group
	perms      map[string]*store.Permission
	goneGroups map[string]bool
	gonePerms  map[string]bool
	// the names above, sorted, for merged iteration
	userNames, groupNames, permNames []string
}

// newOverlay layers pl over r. It reads the users the plan updates.
func newOverlay(r store.Reader, pl *plan, opts ApplyOptions) (*overlay, error) {
	o := &overlay{
		Reader:     r,
		users:      map[string]*store.User{},
		groups:     map[string]*store.Group{},
		perms:      map[string]*store.Permission{},
		goneGroups: map[string]bool{},
		gonePerms:  map[string]bool{},
	}
	for _, st := range pl.perms {
		if st.action != ActionUnchanged {
			rec := st.rec
			o.perms[rec.Perm] = &rec
		}
	}
	for _, st := range pl.groups {
		if st.action != ActionUnchanged {
			rec := st.rec
			o.groups[rec.Name] = &rec
		}
	}
	var v userView
	for _, st := range pl.users {
		if st.action == ActionUnchanged {
			continue
		}
		d := pl.table.load(int(st.user), &v)
		rec, err := r.User(d.Username)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rec = docUserRecord(*d)
			rec.Managed = opts.Manage
		case err != nil:
			return nil, err
		default:
			applyDocFields(&rec, *d)
		}
		o.users[rec.Username] = &rec
	}
	for _, name := range pl.pruneUsers {
		o.users[name] = nil
	}
	for _, name := range pl.pruneGroups {
		o.groups[name] = nil
		o.goneGroups[name] = true
	}
	for _, name := range pl.prunePerms {
		o.perms[name] = nil
		o.gonePerms[name] = true
	}
	o.userNames, o.groupNames, o.permNames = sortedKeys(o.users), sortedKeys(o.groups), sortedKeys(o.perms)
	return o, nil
}

func sortedKeys[T any](m map[string]*T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func without(s []string, gone map[string]bool) []string {
	if len(gone) == 0 {
		return s
	}
	return slices.DeleteFunc(slices.Clone(s), func(v string) bool { return gone[v] })
}

func (o *overlay) fixUser(u *store.User) {
	u.Groups = without(u.Groups, o.goneGroups)
	u.Permissions = without(u.Permissions, o.gonePerms)
}

func (o *overlay) fixGroup(g *store.Group) { g.Permissions = without(g.Permissions, o.gonePerms) }

func (o *overlay) User(username string) (store.User, error) {
	if u, ok := o.users[username]; ok {
		if u == nil {
			return store.User{}, notFound("user", username)
		}
		rec := *u
		o.fixUser(&rec)
		return rec, nil
	}
	u, err := o.Reader.User(username)
	if err == nil {
		o.fixUser(&u)
	}
	return u, err
}

func (o *overlay) Group(name string) (store.Group, error) {
	if g, ok := o.groups[name]; ok {
		if g == nil {
			return store.Group{}, notFound("group", name)
		}
		rec := *g
		o.fixGroup(&rec)
		return rec, nil
	}
	g, err := o.Reader.Group(name)
	if err == nil {
		o.fixGroup(&g)
	}
	return g, err
}

func (o *overlay) Permission(perm string) (store.Permission, error) {
	if p, ok := o.perms[perm]; ok {
		if p == nil {
			return store.Permission{}, notFound("permission", perm)
		}
		return *p, nil
	}
	return o.Reader.Permission(perm)
}

// mergeVisit visits, in key order, the base's records (from iter) with the
// overlay's in their place, and the overlay's new ones between them.
func mergeVisit[T any](names []string, layer map[string]*T, prefix string, iter func(func(T) error) error, key func(T) string, fix func(*T), fn func(T) error) error {
	i := 0
	emit := func(name string) error {
		rec := layer[name]
		if rec == nil {
			return nil
		}
		v := *rec
		fix(&v)
		return fn(v)
	}
	flushBefore := func(k string, all bool) error {
		for ; i < len(names) && (all || names[i] < k); i++ {
			if strings.HasPrefix(names[i], prefix) {
				if err := emit(names[i]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	err := iter(func(v T) error {
		k := key(v)
		if err := flushBefore(k, false); err != nil {
			return err
		}
		if i < len(names) && names[i] == k {
			i++
			return emit(k)
		}
		fix(&v)
		return fn(v)
	})
	if err != nil {
		return err
	}
	return flushBefore("", true)
}

func (o *overlay) Users(prefix string, fn func(store.User) error) error {
	return mergeVisit(o.userNames, o.users, prefix,
		func(f func(store.User) error) error { return o.Reader.Users(prefix, f) },
		func(u store.User) string { return u.Username }, o.fixUser, fn)
}

func (o *overlay) Groups(fn func(store.Group) error) error {
	return mergeVisit(o.groupNames, o.groups, "", o.Reader.Groups,
		func(g store.Group) string { return g.Name }, o.fixGroup, fn)
}

func (o *overlay) Permissions(prefix string, fn func(store.Permission) error) error {
	return mergeVisit(o.permNames, o.perms, prefix,
		func(f func(store.Permission) error) error { return o.Reader.Permissions(prefix, f) },
		func(p store.Permission) string { return p.Perm }, func(*store.Permission) {}, fn)
}

// usersWhere visits, in order, the usernames an index of the base gives
// (minus the users the overlay replaces) and the overlay's users that match.
func (o *overlay) usersWhere(index func(func(string) error) error, match func(store.User) bool, fn func(string) error) error {
	var names []string
	if err := index(func(name string) error {
		if _, replaced := o.users[name]; !replaced {
			names = append(names, name)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, name := range o.userNames {
		if u := o.users[name]; u != nil {
			rec := *u
			o.fixUser(&rec)
			if match(rec) {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := fn(name); err != nil {
			return err
		}
	}
	return nil
}

func (o *overlay) GroupMembers(group string, fn func(string) error) error {
	if o.goneGroups[group] {
		return nil
	}
	return o.usersWhere(func(f func(string) error) error { return o.Reader.GroupMembers(group, f) },
		func(u store.User) bool { return contains(u.Groups, group) }, fn)
}

func (o *overlay) PermissionHolders(perm string, fn func(string) error) error {
	if o.gonePerms[perm] {
		return nil
	}
	return o.usersWhere(func(f func(string) error) error { return o.Reader.PermissionHolders(perm, f) },
		func(u store.User) bool { return contains(u.Permissions, perm) }, fn)
}

func (o *overlay) Superusers(fn func(string) error) error {
	return o.usersWhere(o.Reader.Superusers, func(u store.User) bool { return u.IsSuperuser }, fn)
}

// AssertPlan checks expectations against the state that writing ap would
// leave, writing nothing: the plan layered over the database as it is now.
func (s *Service) AssertPlan(ctx context.Context, ap *ApplyPlan, exps []Expectation) (AssertReport, error) {
	var rep AssertReport
	err := s.view(ctx, func(r store.Reader) error {
		o, err := newOverlay(r, ap.pl, ap.opts)
		if err != nil {
			return err
		}
		rep, err = assertOn(o, exps)
		return err
	})
	return rep, err
}
