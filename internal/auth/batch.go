package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"authctl/internal/auth/ident"
	"authctl/internal/store"
)

// ReasonMalformed explains a permission string that is not
// "app_label.codename": no user holds it (Django compares strings, so it
// is simply never granted), but an active superuser still passes, as in
// Django's User.has_perm.
const ReasonMalformed = "malformed permission (want app_label.codename)"

// Checker answers many permission questions from one read transaction, so
// the answers are consistent with each other. It caches the groups it has
// read, and with explain whether each permission exists: a batch of a
// million questions over a thousand groups reads each group once.
//
// A Checker is only valid inside the callback of Service.Checks.
type Checker struct {
	r       store.Reader
	explain bool
	groups  map[string]*store.Group // nil value: the group does not exist
	exists  map[string]bool
	buf     []store.Group
}

// maxPermCache bounds the cache of permission lookups, which input can fill
// with arbitrary strings.
const maxPermCache = 1 << 16

// Checks runs fn with a Checker over one read transaction.
func (s *Service) Checks(ctx context.Context, explain bool, fn func(*Checker) error) error {
	return s.view(ctx, func(r store.Reader) error {
		return fn(newChecker(r, explain))
	})
}

func newChecker(r store.Reader, explain bool) *Checker {
	return &Checker{r: r, explain: explain, groups: map[string]*store.Group{}, exists: map[string]bool{}}
}

// userGroups returns the existing groups of u, from the cache. The slice is
// reused by the next call.
func (c *Checker) userGroups(u store.User) ([]store.Group, error) {
	c.buf = c.buf[:0]
	for _, name := range u.Groups {
		g, ok := c.groups[name]
		if !ok {
			rec, err := c.r.Group(name)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return nil, err
			default:
				g = &rec
			}
			c.groups[name] = g
		}
		if g != nil {
			c.buf = append(c.buf, *g)
		}
	}
	return c.buf, nil
}

func (c *Checker) permExists(p string) (bool, error) {
	if ok, cached := c.exists[p]; cached {
		return ok, nil
	}
	_, err := c.r.Permission(p)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	if len(c.exists) >= maxPermCache {
		clear(c.exists)
	}
	c.exists[p] = err == nil
	return err == nil, nil
}

// Check is Django's has_perms for username: allowed only when every one of
// perms is (and always for an empty list). An unknown user is a
// *NotFoundError.
func (c *Checker) Check(username string, perms []string) (Decision, error) {
	d := Decision{User: username, Allowed: true}
	u, err := c.r.User(username)
	if err != nil {
		return d, wrapNotFound(err, "user", username)
	}
	groups, err := c.userGroups(u)
	if err != nil {
		return d, err
	}
	d.Results = make([]PermResult, 0, len(perms))
	for _, p := range perms {
		res, err := c.decide(u, groups, p)
		if err != nil {
			return d, err
		}
		d.Allowed = d.Allowed && res.Allowed
		d.Results = append(d.Results, res)
	}
	return d, nil
}

// decide is resolve with the explanation of a malformed or unknown
// permission.
func (c *Checker) decide(u store.User, groups []store.Group, p string) (PermResult, error) {
	malformed := !WellFormedPerm(p)
	exists := true
	if c.explain && !malformed {
		var err error
		if exists, err = c.permExists(p); err != nil {
			return PermResult{}, err
		}
	}
	res := resolve(u, groups, p, exists && !malformed)
	res.Malformed = malformed
	switch {
	case malformed && res.Allowed:
		res.Reason = ReasonSuperuser + "; " + ReasonMalformed
	case malformed && res.Reason != ReasonInactive:
		res.Reason = ReasonMalformed
	case res.Reason == ReasonSuperuser && !exists:
		res.Reason = ReasonSuperuser + "; the permission does not exist"
	}
	return res, nil
}

// WellFormedPerm reports whether p is an "app_label.codename" permission
// string.
func WellFormedPerm(p string) bool {
	_, _, err := ident.ParsePerm(p)
	return err == nil
}

// ModuleDecision is Django's has_module_perms: whether the user has any
// permission of an app.
type ModuleDecision struct {
	User    string `json:"user"`
	Module  string `json:"module"`
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
	// Perms are the app's permissions the user holds (none listed for a
	// superuser, who holds them all).
	Perms []string `json:"permissions"`
}

// HasModulePerms is Django's User.has_module_perms(app): an inactive user
// has none; an active superuser has every app; otherwise the user must hold
// at least one "app.*" permission, directly or through a group.
func (c *Checker) HasModulePerms(username, app string) (ModuleDecision, error) {
	d := ModuleDecision{User: username, Module: app, Perms: []string{}}
	u, err := c.r.User(username)
	if err != nil {
		return d, wrapNotFound(err, "user", username)
	}
	switch {
	case !u.IsActive:
		d.Reason = ReasonInactive
		return d, nil
	case u.IsSuperuser:
		d.Allowed, d.Reason = true, ReasonSuperuser
		return d, nil
	}
	groups, err := c.userGroups(u)
	if err != nil {
		return d, err
	}
	for _, p := range effectivePerms(u, groups) {
		if a, _, ok := strings.Cut(p, "."); ok && a == app {
			d.Perms = append(d.Perms, p)
		}
	}
	d.Allowed = len(d.Perms) > 0
	d.Reason = "no permission of " + app
	if d.Allowed {
		d.Reason = fmt.Sprintf("holds %d permission(s) of %s", len(d.Perms), app)
	}
	return d, nil
}

// HasModulePerms answers Django's has_module_perms for one user.
func (s *Service) HasModulePerms(ctx context.Context, username, app string) (ModuleDecision, error) {
	var d ModuleDecision
	err := s.Checks(ctx, false, func(c *Checker) error {
		var err error
		d, err = c.HasModulePerms(username, app)
		return err
	})
	return d, err
}
