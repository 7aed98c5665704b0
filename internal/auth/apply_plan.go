package auth

import (
	"errors"
	"fmt"
	"maps"
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
	// table holds the users that users' steps name by index.
	table *UserTable
	// userGroups and userPerms are the groups and permissions the users
	// name, each once: the write checks they still exist by name, not user
	// by user.
	userGroups, userPerms []string
	// userOrder, when not nil, is which of users this plan writes, by
	// index, in that order: a batch of a larger plan (planBatches) shares
	// the whole plan's steps instead of copying its share of them.
	userOrder []int32
	// managed objects to delete (Prune)
	pruneUsers, pruneGroups, prunePerms []string
	// warnings of an import as stored, by object
	warnings warnings
	// Django primary keys to record (an import)
	djangoKeys *DjangoKeys
}

type permStep struct {
	rec    store.Permission
	action ChangeAction
	fields []string
}

type groupStep struct {
	doc    DocGroup
	rec    store.Group
	action ChangeAction
	fields []string
}

type userStep struct {
	// user is the step's user's index in the plan's table.
	user   int32
	action ChangeAction
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

// makePlan compares doc with the database and checks every reference to a
// group or permission, kind by kind: permissions, groups, users, then what
// --prune deletes. It returns the problems found (every missing reference,
// with its location) apart from the error that stopped it (a store
// failure); with problems, the plan is not to be written.
func (s *Service) makePlan(r store.Reader, doc *Document, users *UserTable, opts ApplyOptions) (*plan, []error, error) {
	p := &planner{
		s: s, r: r, opts: opts, pl: &plan{table: users},
		docPerms:   make(map[string]bool, len(doc.Permissions)),
		docGroups:  make(map[string]bool, len(doc.Groups)),
		keepPerms:  make(map[string]bool, len(doc.Permissions)),
		keepGroups: make(map[string]bool, len(doc.Groups)),
	}
	p.permExists = cachedLookup(func(name string) (bool, error) {
		if p.docPerms[name] {
			return true, nil
		}
		return found(r.Permission(name))
	})
	p.groupExists = cachedLookup(func(name string) (bool, error) {
		if p.docGroups[name] {
			return true, nil
		}
		return found(r.Group(name))
	})
	if err := p.permissions(doc.Permissions); err != nil {
		return nil, nil, err
	}
	if err := p.groups(doc.Groups); err != nil {
		return nil, nil, err
	}
	if err := p.users(users); err != nil {
		return nil, nil, err
	}
	if len(p.problems) > 0 {
		return nil, p.problems, nil
	}
	if opts.Prune {
		p.docUsers = make(map[string]bool, users.Len())
		for i := range users.Len() {
			p.docUsers[users.username(i)] = true
		}
		if err := planPrune(r, p.pl, p.docUsers, p.keepGroups, p.keepPerms); err != nil {
			return nil, nil, err
		}
	}
	return p.pl, nil, nil
}

// planner holds what makePlan's steps share: the plan so far, the problems
// found, and what the document declares or refers to.
type planner struct {
	s        *Service
	r        store.Reader
	opts     ApplyOptions
	pl       *plan
	problems []error
	// declared in the document (the users only for --prune: a map of a
	// million names is not made for nothing)
	docPerms, docGroups, docUsers map[string]bool
	// declared or referred to: --prune must not delete a group that a
	// declared user still names.
	keepPerms, keepGroups map[string]bool
	// whether a name is declared or in the database, remembered
	permExists, groupExists func(string) (bool, error)
}

func (p *planner) problem(where string, err error) {
	p.problems = append(p.problems, located{where, err})
}

// permissions plans the declared permissions.
func (p *planner) permissions(perms []DocPermission) error {
	for _, d := range perms {
		p.docPerms[d.Perm] = true
		p.keepPerms[d.Perm] = true
		cur, err := p.r.Permission(d.Perm)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rec, err := newPermission(d.Perm, d.Name)
			if p.opts.AsStored {
				rec, err = storedPermission(d.Perm, d.Name), nil
			}
			if err != nil {
				p.problem(at(d.Where, d.Path, "permission"), err)
				continue
			}
			rec.Managed, rec.Model = p.opts.Manage, d.Model
			p.pl.perms = append(p.pl.perms, permStep{rec: rec, action: ActionCreate})
		case err != nil:
			return err
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
			p.pl.perms = append(p.pl.perms, step)
		}
	}
	return nil
}

// permRefs checks that each permission an owner (a group or a user) is
// given is declared or exists.
func (p *planner) permRefs(where, owner string, perms *[]string) error {
	if perms == nil {
		return nil
	}
	for _, name := range *perms {
		p.keepPerms[name] = true
		ok, err := p.permExists(name)
		if err != nil {
			return err
		}
		if !ok {
			p.problem(where, fmt.Errorf("%s: permission %q is neither declared nor in the database", owner, name))
		}
	}
	return nil
}

// groups plans the declared groups, after the permissions.
func (p *planner) groups(groups []DocGroup) error {
	for _, d := range groups {
		p.docGroups[d.Name] = true
		p.keepGroups[d.Name] = true
	}
	for _, d := range groups {
		if err := p.permRefs(at(d.Where, d.Path, "permissions"), "group "+d.Name, d.Permissions); err != nil {
			return err
		}
		cur, err := p.r.Group(d.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rec := store.Group{Name: d.Name, Permissions: []string{}, Managed: p.opts.Manage}
			if d.Permissions != nil {
				rec.Permissions = sortedSet(*d.Permissions)
			}
			p.pl.groups = append(p.pl.groups, groupStep{doc: d, rec: rec, action: ActionCreate})
		case err != nil:
			return err
		default:
			step := groupStep{doc: d, rec: cur, action: ActionUnchanged}
			if d.Permissions != nil && !slices.Equal(cur.Permissions, sortedSet(*d.Permissions)) {
				step.rec.Permissions = sortedSet(*d.Permissions)
				step.action, step.fields = ActionUpdate, []string{"permissions"}
			}
			p.pl.groups = append(p.pl.groups, step)
		}
	}
	return nil
}

// users plans the declared users, after the groups and permissions.
func (p *planner) users(users *UserTable) error {
	p.pl.users = make([]userStep, 0, users.Len())
	userGroups, userPerms := map[string]bool{}, map[string]bool{}
	defer func() {
		p.pl.userGroups = slices.Sorted(maps.Keys(userGroups))
		p.pl.userPerms = slices.Sorted(maps.Keys(userPerms))
	}()
	var v userView
	for i := range users.Len() {
		d := users.load(i, &v)
		if err := p.permRefs(d.at("user_permissions"), "user "+d.Username, d.Permissions); err != nil {
			return err
		}
		if d.Permissions != nil {
			for _, name := range *d.Permissions {
				userPerms[name] = true
			}
		}
		if d.Groups != nil {
			for _, g := range *d.Groups {
				userGroups[g] = true
				p.keepGroups[g] = true
				ok, err := p.groupExists(g)
				if err != nil {
					return err
				}
				if !ok {
					p.problem(d.at("groups"), fmt.Errorf("user %s: group %q is neither declared nor in the database", d.Username, g))
				}
			}
		}
		step, attrs, err := p.s.planUser(p.r, d, p.opts)
		if err != nil {
			return err
		}
		step.user = int32(i)
		p.problems = append(p.problems, p.s.validatePlanned(d, attrs, step, p.opts)...)
		if d.PasswordMissing != "" && (step.action == ActionCreate || p.opts.UpdatePasswords) {
			p.problem(d.at(""), fmt.Errorf("user %s: %s", d.Username, d.PasswordMissing))
		}
		if p.opts.OnlyExisting && step.action == ActionCreate {
			p.problem(d.at(""), fmt.Errorf("user %q does not exist", d.Username))
		}
		p.pl.users = append(p.pl.users, step)
	}
	return nil
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
		problems = append(problems, located{d.at("password"), fmt.Errorf("password of %s: %w", d.Username, p)})
	}
	return problems
}

// planUser decides what to do with one declared user, and returns the user
// as the document would leave it (for the validators).
func (s *Service) planUser(r store.Reader, d *DocUser, opts ApplyOptions) (userStep, store.User, error) {
	var step userStep
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
