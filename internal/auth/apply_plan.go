package auth

import (
	"errors"
	"fmt"
	"slices"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
)

// plan is what Apply will do, decided in one read transaction and then
// written in one write transaction.
type plan struct {
	perms  []permStep
	groups []groupStep
	users  []userStep
	// managed objects to delete (Prune)
	pruneUsers, pruneGroups, prunePerms []string
	// warnings of an import as stored, by object
	warnings warnings
	// Django primary keys to record (an import)
	djangoKeys *DjangoKeys
}

type permStep struct {
	rec    store.Permission
	action string
	fields []string
}

type groupStep struct {
	doc    DocGroup
	rec    store.Group
	action string
	fields []string
}

type userStep struct {
	doc    *DocUser
	action string
	fields []string
	// before is the stored password when planned, so that the write can
	// tell whether someone changed it meanwhile.
	before string
	// password is the encoded password to store ("" keeps the stored one).
	password string
	// hash: the declared plain password must be hashed; verify: it must
	// first be checked against before (UpdatePasswords).
	hash, verify bool
	// setEmpty: store the empty password (an import as stored), which
	// password "" cannot say.
	setEmpty bool
}

func (p *plan) changes() []Change {
	out := make([]Change, 0, len(p.perms)+len(p.groups)+len(p.users)+len(p.pruneUsers)+len(p.pruneGroups)+len(p.prunePerms))
	for _, s := range p.perms {
		out = append(out, Change{Kind: "permission", Name: s.rec.Perm, Action: s.action, Fields: s.fields, Warnings: p.warnings[warnKey("permission", s.rec.Perm)]})
	}
	for _, s := range p.groups {
		out = append(out, Change{Kind: "group", Name: s.rec.Name, Action: s.action, Fields: s.fields, Warnings: p.warnings[warnKey("group", s.rec.Name)]})
	}
	for _, s := range p.users {
		out = append(out, Change{Kind: "user", Name: s.doc.Username, Action: s.action, Fields: s.fields, Warnings: p.warnings[warnKey("user", s.doc.Username)]})
	}
	for _, n := range p.pruneUsers {
		out = append(out, Change{Kind: "user", Name: n, Action: ActionDelete})
	}
	for _, n := range p.pruneGroups {
		out = append(out, Change{Kind: "group", Name: n, Action: ActionDelete})
	}
	for _, n := range p.prunePerms {
		out = append(out, Change{Kind: "permission", Name: n, Action: ActionDelete})
	}
	return out
}

// makePlan compares doc with the database and checks every reference to a
// group or permission. It returns the problems found (every missing
// reference, with its location) apart from the error that stopped it (a
// store failure); with problems, the plan is not to be written.
func (s *Service) makePlan(r store.Reader, doc *Document, opts ApplyOptions) (*plan, []error, error) {
	pl := &plan{}
	var problems []error
	docPerms := make(map[string]bool, len(doc.Permissions))
	// keepPerms and keepGroups are what the document declares or refers
	// to: --prune must not delete a group that a declared user still names.
	keepPerms := make(map[string]bool, len(doc.Permissions))
	keepGroups := make(map[string]bool, len(doc.Groups))
	for _, d := range doc.Permissions {
		docPerms[d.Perm] = true
		keepPerms[d.Perm] = true
		cur, err := r.Permission(d.Perm)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rec, err := newPermission(d.Perm, d.Name)
			if opts.AsStored {
				rec, err = storedPermission(d.Perm, d.Name), nil
			}
			if err != nil {
				problems = append(problems, located{at(d.Where, d.Path, "permission"), err})
				continue
			}
			rec.Managed, rec.Model = opts.Manage, d.Model
			pl.perms = append(pl.perms, permStep{rec: rec, action: ActionCreate})
		case err != nil:
			return nil, nil, err
		default:
			step := permStep{rec: cur, action: ActionUnchanged}
			if d.Name != "" && d.Name != cur.Name {
				step.rec.Name = d.Name
				step.fields = append(step.fields, "name")
			}
			if d.Model != "" && d.Model != cur.Model {
				step.rec.Model = d.Model
				step.fields = append(step.fields, "model")
			}
			if len(step.fields) > 0 {
				step.action = ActionUpdate
			}
			pl.perms = append(pl.perms, step)
		}
	}
	permExists := cachedLookup(func(p string) (bool, error) {
		if docPerms[p] {
			return true, nil
		}
		return found(r.Permission(p))
	})
	checkRefs := func(where, owner string, perms *[]string) error {
		if perms == nil {
			return nil
		}
		for _, p := range *perms {
			keepPerms[p] = true
			ok, err := permExists(p)
			if err != nil {
				return err
			}
			if !ok {
				problems = append(problems, located{where, fmt.Errorf("%s: permission %q is neither declared nor in the database", owner, p)})
			}
		}
		return nil
	}

	docGroups := make(map[string]bool, len(doc.Groups))
	for _, d := range doc.Groups {
		docGroups[d.Name] = true
		keepGroups[d.Name] = true
		if err := checkRefs(at(d.Where, d.Path, "permissions"), "group "+d.Name, d.Permissions); err != nil {
			return nil, nil, err
		}
		cur, err := r.Group(d.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rec := store.Group{Name: d.Name, Permissions: []string{}, Managed: opts.Manage}
			if d.Permissions != nil {
				rec.Permissions = sortedSet(*d.Permissions)
			}
			pl.groups = append(pl.groups, groupStep{doc: d, rec: rec, action: ActionCreate})
		case err != nil:
			return nil, nil, err
		default:
			step := groupStep{doc: d, rec: cur, action: ActionUnchanged}
			if d.Permissions != nil && !slices.Equal(cur.Permissions, sortedSet(*d.Permissions)) {
				step.rec.Permissions = sortedSet(*d.Permissions)
				step.action, step.fields = ActionUpdate, []string{"permissions"}
			}
			pl.groups = append(pl.groups, step)
		}
	}
	groupExists := cachedLookup(func(g string) (bool, error) {
		if docGroups[g] {
			return true, nil
		}
		return found(r.Group(g))
	})

	docUsers := make(map[string]bool, len(doc.Users))
	for i := range doc.Users {
		d := &doc.Users[i]
		docUsers[d.Username] = true
		if err := checkRefs(at(d.Where, d.Path, "user_permissions"), "user "+d.Username, d.Permissions); err != nil {
			return nil, nil, err
		}
		if d.Groups != nil {
			for _, g := range *d.Groups {
				keepGroups[g] = true
				ok, err := groupExists(g)
				if err != nil {
					return nil, nil, err
				}
				if !ok {
					problems = append(problems, located{at(d.Where, d.Path, "groups"), fmt.Errorf("user %s: group %q is neither declared nor in the database", d.Username, g)})
				}
			}
		}
		step, attrs, err := s.planUser(r, d, opts)
		if err != nil {
			return nil, nil, err
		}
		problems = append(problems, s.validatePlanned(d, attrs, step, opts)...)
		if d.PasswordMissing != "" && (step.action == ActionCreate || opts.UpdatePasswords) {
			problems = append(problems, located{at(d.Where, d.Path, ""), fmt.Errorf("user %s: %s", d.Username, d.PasswordMissing)})
		}
		if opts.OnlyExisting && step.action == ActionCreate {
			problems = append(problems, located{at(d.Where, d.Path, ""), fmt.Errorf("user %q does not exist", d.Username)})
		}
		pl.users = append(pl.users, step)
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	if opts.Prune {
		if err := planPrune(r, pl, docUsers, keepGroups, keepPerms); err != nil {
			return nil, nil, err
		}
	}
	return pl, nil, nil
}

// validatePlanned runs the password validators on a declared plain
// password that the plan may set (on creation, or with UpdatePasswords),
// comparing it with the user as the document leaves it — the stored record
// with the declared fields applied — as `user passwd` compares with the
// stored user.
func (s *Service) validatePlanned(d *DocUser, attrs store.User, step userStep, opts ApplyOptions) []error {
	if opts.SkipValidation || d.Password == nil || d.Password.kind != passwordRaw || !(step.hash || step.verify) {
		return nil
	}
	var problems []error
	for _, p := range validationProblems(s.validators.Validate(d.Password.value, userAttrs(attrs))) {
		problems = append(problems, located{at(d.Where, d.Path, "password"), fmt.Errorf("password of %s: %w", d.Username, p)})
	}
	return problems
}

// planUser decides what to do with one declared user, and returns the user
// as the document would leave it (for the validators).
func (s *Service) planUser(r store.Reader, d *DocUser, opts ApplyOptions) (userStep, store.User, error) {
	step := userStep{doc: d}
	cur, err := r.User(d.Username)
	if errors.Is(err, store.ErrNotFound) {
		step.action = ActionCreate
		switch {
		case d.Password == nil:
			step.password = hasher.Unusable()
		case d.Password.kind == passwordRaw:
			step.hash = true
		default:
			step.password, _ = s.encode(*d.Password)
		}
		return step, docUserRecord(*d), nil
	}
	if err != nil {
		return step, cur, err
	}
	step.before = cur.Password
	step.fields = applyDocFields(&cur, *d)
	if opts.UpdatePasswords && d.Password != nil {
		switch d.Password.kind {
		case passwordRaw:
			step.verify = true
		case passwordHash:
			if d.Password.value != cur.Password {
				step.password = d.Password.value
				step.setEmpty = d.Password.value == ""
			}
		default:
			if hasher.IsUsable(cur.Password) {
				step.password = hasher.Unusable()
			}
		}
		if step.password != "" || step.setEmpty {
			step.fields = append(step.fields, "password")
		}
	}
	step.action = ActionUnchanged
	if len(step.fields) > 0 {
		step.action = ActionUpdate
	}
	return step, cur, nil
}

// planPrune lists managed objects the document no longer declares.
func planPrune(r store.Reader, pl *plan, users, groups, perms map[string]bool) error {
	if err := r.Users("", func(u store.User) error {
		if u.Managed && !users[u.Username] {
			pl.pruneUsers = append(pl.pruneUsers, u.Username)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := r.Groups(func(g store.Group) error {
		if g.Managed && !groups[g.Name] {
			pl.pruneGroups = append(pl.pruneGroups, g.Name)
		}
		return nil
	}); err != nil {
		return err
	}
	return r.Permissions("", func(p store.Permission) error {
		if p.Managed && !perms[p.Perm] {
			pl.prunePerms = append(pl.prunePerms, p.Perm)
		}
		return nil
	})
}

// found turns a lookup into "exists".
func found[T any](_ T, err error) (bool, error) {
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// cachedLookup remembers answers, since thousands of users name the same
// few groups.
func cachedLookup(lookup func(string) (bool, error)) func(string) (bool, error) {
	cache := map[string]bool{}
	return func(k string) (bool, error) {
		if v, ok := cache[k]; ok {
			return v, nil
		}
		v, err := lookup(k)
		if err != nil {
			return false, err
		}
		cache[k] = v
		return v, nil
	}
}
