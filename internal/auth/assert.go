package auth

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"authctl/internal/store"
)

// Expectation is one entry of an assertion file: what a user (or every
// member of a group) may and may not do.
type Expectation struct {
	// Where locates the entry in its file ("checks.yaml:12"), for
	// messages.
	Where string
	// Exactly one of User and Group is set; Group means every member.
	User  string
	Group string
	// Allowed and Denied are permissions (Django's has_perm);
	// ModulesAllowed and ModulesDenied are app labels (has_module_perms).
	Allowed        []string
	Denied         []string
	ModulesAllowed []string
	ModulesDenied  []string
}

// AssertCase is one checked fact: one user, one permission or module, one
// expected answer.
type AssertCase struct {
	Where  string
	User   string
	Group  string // the expectation's group, when it named one
	Module bool   // Target is an app label, not a permission
	Target string
	Want   bool
	Got    bool
	Reason string
	// Problem is set when the case could not be checked (no such user or
	// group, a group without members); the case fails.
	Problem string
}

// Passed reports whether the case holds.
func (c AssertCase) Passed() bool { return c.Problem == "" && c.Got == c.Want }

// AssertReport is every case, in file order.
type AssertReport struct {
	Cases  []AssertCase
	Failed int
}

// Assert checks expectations against the database, in one read
// transaction.
func (s *Service) Assert(ctx context.Context, exps []Expectation) (AssertReport, error) {
	var rep AssertReport
	err := s.view(ctx, func(r store.Reader) error {
		var err error
		rep, err = assertOn(r, exps)
		return err
	})
	return rep, err
}

func assertOn(r store.Reader, exps []Expectation) (AssertReport, error) {
	var rep AssertReport
	c := newChecker(r, true)
	add := func(ac AssertCase) {
		if !ac.Passed() {
			rep.Failed++
		}
		rep.Cases = append(rep.Cases, ac)
	}
	for _, e := range exps {
		users := []string{e.User}
		if e.Group != "" {
			users = users[:0]
			_, err := r.Group(e.Group)
			if errors.Is(err, store.ErrNotFound) {
				add(AssertCase{Where: e.Where, Group: e.Group, Problem: notFound("group", e.Group).Error()})
				continue
			}
			if err != nil {
				return rep, err
			}
			if err := r.GroupMembers(e.Group, func(name string) error {
				users = append(users, name)
				return nil
			}); err != nil {
				return rep, err
			}
			if len(users) == 0 {
				add(AssertCase{Where: e.Where, Group: e.Group, Problem: "group " + strconv.Quote(e.Group) + " has no members: nothing would be checked"})
				continue
			}
		}
		for _, u := range users {
			base := AssertCase{Where: e.Where, User: u, Group: e.Group}
			if _, err := r.User(u); errors.Is(err, store.ErrNotFound) {
				base.Problem = notFound("user", u).Error()
				add(base)
				continue
			} else if err != nil {
				return rep, err
			}
			for _, want := range []struct {
				perms []string
				allow bool
			}{{e.Allowed, true}, {e.Denied, false}} {
				for _, p := range want.perms {
					d, err := c.Check(u, []string{p})
					if err != nil {
						return rep, err
					}
					ac := base
					ac.Target, ac.Want, ac.Got, ac.Reason = p, want.allow, d.Allowed, explainResult(d.Results[0])
					add(ac)
				}
			}
			for _, want := range []struct {
				apps  []string
				allow bool
			}{{e.ModulesAllowed, true}, {e.ModulesDenied, false}} {
				for _, app := range want.apps {
					d, err := c.HasModulePerms(u, app)
					if err != nil {
						return rep, err
					}
					ac := base
					ac.Module, ac.Target, ac.Want, ac.Got, ac.Reason = true, app, want.allow, d.Allowed, d.Reason
					add(ac)
				}
			}
		}
	}
	return rep, nil
}

// explainResult is the --explain wording of one permission's answer.
func explainResult(r PermResult) string {
	if len(r.Groups) == 0 {
		return r.Reason
	}
	reason := ReasonGroup + " " + strings.Join(r.Groups, ", ")
	if r.Reason == ReasonDirect {
		reason = ReasonDirect + "; also " + reason
	}
	return reason
}
