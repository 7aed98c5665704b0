package auth

import (
	"context"
	"slices"
	"sort"
	"time"

	"authctl/internal/store"
)

// Document declares permissions, groups and users, as a seeding file or a
// Django dump does. A nil field in a DocUser (or an absent list) means "not
// managed by the document": created with its default, left alone on update.
type Document struct {
	Permissions []DocPermission
	Groups      []DocGroup
	Users       []DocUser
	// UserTable, when set, holds more users compactly: a large seeding
	// file's. The document's users are UserTable's, then Users.
	UserTable *UserTable
	// Problems are those found while reading the document that did not stop
	// it from being read (an unset password_env, a malformed line of a
	// password list). Apply reports them together with its own checks, so
	// that every problem is reported at once, and then writes nothing.
	Problems []error
	// DjangoKeys are the Django primary keys a numeric-key dump brings; an
	// import records them for later dumps of users alone.
	DjangoKeys *DjangoKeys
}

// DocPermission declares one permission.
type DocPermission struct {
	Perm  string
	Name  string // "" keeps the existing name, or makes a default one
	Model string // Django content type model, when known ("" keeps it)
	Where string // where it was declared ("seed.yaml:12"), for error messages
	// Path is the item's JSON path ("permissions[3]"), for inputs where
	// the line alone may not find it (a one-line JSON file); "" if none.
	Path string
}

// DocGroup declares one group.
type DocGroup struct {
	Name        string
	Permissions *[]string
	Where       string
	Path        string
}

// DocUser declares one user.
type DocUser struct {
	Username    string
	Email       *string
	FirstName   *string
	LastName    *string
	IsActive    *bool
	IsStaff     *bool
	IsSuperuser *bool
	Groups      *[]string
	Permissions *[]string
	// Password is set only when a user is created, unless
	// ApplyOptions.UpdatePasswords. Nil: an unusable password on creation.
	Password *Password
	// PasswordMissing, when set, says why a declared password source
	// could not be read (an unset variable). It is a problem only where
	// the password would be used: on creation, or with UpdatePasswords.
	PasswordMissing string
	DateJoined      *time.Time
	LastLogin       *time.Time
	// Where and Path say where the user was declared (see DocPermission);
	// when Where is empty, Pos says it.
	Where string
	Path  string
	Pos   DocPos
}

// ApplyOptions tunes Apply.
type ApplyOptions struct {
	// DryRun plans and validates but writes nothing.
	DryRun bool
	// Prune deletes managed objects (created by an earlier apply) that the
	// document does not declare. Objects made by hand are never pruned.
	Prune bool
	// UpdatePasswords sets declared passwords on existing users too. A plain
	// password is compared by verifying it against the stored hash, so
	// that fresh salts do not cause churn; a hash is compared as a string.
	UpdatePasswords bool
	// SkipValidation skips the password validators.
	SkipValidation bool
	// Manage marks the objects Apply creates as managed (candidates for a
	// later Prune). Apply from a seeding file sets it; an import does not.
	Manage bool
	// Workers is how many passwords are hashed at once; 0 means GOMAXPROCS,
	// divided by the preferred hasher's lanes (argon2's threads).
	Workers int
	// Progress, if set, is called as password hashing advances.
	Progress func(done, total int)
	// Origin names the operation in the audit log ("apply", "import").
	Origin string
	// OnlyExisting makes a declared user that does not exist an error
	// instead of creating it (chpasswd's behaviour, for password imports).
	OnlyExisting bool
	// AsStored imports values as Django stored them (import --format
	// django): nothing is normalised, and a value authctl would not create
	// (an e-mail that is not an address, a codename with capitals, a hash
	// of an unknown hasher, an empty password) is kept with a warning
	// (Change.Warnings). Only what cannot be stored is refused: invalid
	// UTF-8, and empty keys or keys with control characters. A kept hash
	// that no hasher verifies never authenticates until it is reset.
	AsStored bool
	// BatchSize, if positive, writes the plan in transactions of at most
	// that many objects instead of one (apply_batch.go).
	BatchSize int
	// CountsOnly makes the result of a write say how many objects each
	// action touched (ApplyResult.Count) without a Change for each: a
	// million of them are 96 MB, for a caller that prints four numbers.
	// A plan with warnings (AsStored) still lists its changes.
	CountsOnly bool
}

// ChangeAction is what a plan does to one object; its value is the word
// reported ("created", …), in -o json too.
type ChangeAction string

// The actions of a plan.
const (
	ActionCreate    ChangeAction = "created"
	ActionUpdate    ChangeAction = "updated"
	ActionUnchanged ChangeAction = "unchanged"
	ActionDelete    ChangeAction = "deleted"
)

// Change is what Apply did (or, in a dry run, would do) to one object.
type Change struct {
	Kind   string       `json:"kind"` // "permission", "group", "user"
	Name   string       `json:"name"`
	Action ChangeAction `json:"action"`
	Fields []string     `json:"fields,omitempty"` // for updates: what changes
	// Warnings are values kept as stored that authctl would not create
	// (AsStored), each with its location.
	Warnings []string `json:"warnings,omitempty"`
}

// ApplyResult lists every change, in the order applied; with
// ApplyOptions.CountsOnly, only how many of each action.
type ApplyResult struct {
	Changes []Change
	counts  map[ChangeAction]int
}

// Count returns how many changes have the given action.
func (r ApplyResult) Count(action ChangeAction) int {
	if r.counts != nil {
		return r.counts[action]
	}
	n := 0
	for _, c := range r.Changes {
		if c.Action == action {
			n++
		}
	}
	return n
}

// ErrChangedDuringApply is returned when another process changed a
// declared object between planning and writing; nothing was written. It
// wraps store.ErrConflict. A type of its own rather than a package-level
// fmt.Errorf, which would run fmt's printer when every process starts.
var ErrChangedDuringApply error = changedDuringApply{}

type changedDuringApply struct{}

func (changedDuringApply) Error() string {
	return store.ErrConflict.Error() + ": the database changed while applying; nothing was written, run it again"
}

func (changedDuringApply) Unwrap() error { return store.ErrConflict }

// Apply makes the database match doc, all or nothing: everything is
// checked first (names, references, hash formats, password validators) and
// every problem reported with its location; then passwords are hashed on
// every core outside any transaction; then one transaction writes every
// change with its audit record. It is PlanApply followed, unless
// opts.DryRun, by ExecuteApply.
func (s *Service) Apply(ctx context.Context, doc *Document, opts ApplyOptions) (ApplyResult, error) {
	ap, err := s.PlanApply(ctx, doc, opts)
	if err != nil {
		return ApplyResult{}, err
	}
	if opts.DryRun {
		return ApplyResult{Changes: ap.Changes()}, nil
	}
	return s.ExecuteApply(ctx, ap)
}

// ApplyPlan is what Apply decided to do, before any password is hashed or
// anything written.
type ApplyPlan struct {
	pl     *plan
	opts   ApplyOptions
	hashed bool
}

// Changes lists what executing the plan would do.
func (ap *ApplyPlan) Changes() []Change { return ap.pl.changes() }

// Hashes is how many passwords executing the plan hashes (or verifies),
// which is where its time and memory go when it is not zero.
func (ap *ApplyPlan) Hashes() int {
	if ap.hashed {
		return 0
	}
	n := 0
	for _, st := range ap.pl.users {
		if st.hash || st.verify {
			n++
		}
	}
	return n
}

// PlanApply checks doc (reporting every problem at once, with its
// location) and compares it with the database; it writes nothing. A plan
// made over an empty store (store.Empty, standing in for a database not
// created yet) may be executed by a Service over the new database: every
// object is checked again when written.
func (s *Service) PlanApply(ctx context.Context, doc *Document, opts ApplyOptions) (*ApplyPlan, error) {
	if opts.Origin == "" {
		opts.Origin = "apply"
	}
	// Every problem is collected before anything is returned: those found
	// while reading, those of the document alone, then the references that
	// need the database.
	problems := append([]error{}, doc.Problems...)
	var warn warnings
	users := doc.userTable()
	if opts.AsStored {
		var docProblems []error
		docProblems, warn = s.checkStored(doc, users)
		problems = append(problems, docProblems...)
	} else {
		// Names are compared and stored normalised; the table keeps what
		// the file said, for the messages.
		users = users.normalized()
		problems = append(problems, s.checkDocument(doc, users)...)
	}
	var pl *plan
	if err := s.view(ctx, func(r store.Reader) error {
		var (
			refProblems []error
			err         error
		)
		pl, refProblems, err = s.makePlan(r, doc, users, opts)
		problems = append(problems, refProblems...)
		return err
	}); err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, invalid(dedupe(problems)...)
	}
	pl.warnings = warn
	pl.djangoKeys = doc.DjangoKeys
	return &ApplyPlan{pl: pl, opts: opts}, nil
}

// ExecuteApply hashes the plan's passwords (hashApplyPlan) and writes it in one
// transaction (writeApplyPlan).
func (s *Service) ExecuteApply(ctx context.Context, ap *ApplyPlan) (ApplyResult, error) {
	if err := s.hashApplyPlan(ctx, ap); err != nil {
		return ApplyResult{}, err
	}
	if ap.opts.BatchSize > 0 {
		return s.writePlanBatches(ctx, ap, ap.opts.BatchSize)
	}
	return s.writeApplyPlan(ctx, ap)
}

// hashApplyPlan hashes the plan's plain passwords (with UpdatePasswords, first
// verifying them against the stored hashes read when planning) on every
// core. It uses no store, so that a caller can hold no database open while
// it runs, which may take minutes.
func (s *Service) hashApplyPlan(ctx context.Context, ap *ApplyPlan) error {
	if ap.hashed {
		return nil
	}
	if err := s.hashPlan(ctx, ap.pl, ap.opts); err != nil {
		return err
	}
	ap.hashed = true
	return nil
}

// at is where a field of an item was declared: its location, and with a
// JSON path the field's path ("seed.json:1:5023: users[1234].email").
func at(where, path, field string) string {
	switch {
	case path == "":
		return where
	case field == "":
		return where + ": " + path
	}
	return where + ": " + path + "." + field
}

// located prefixes a problem with where it was declared.
type located struct {
	where string
	err   error
}

func (l located) Error() string {
	if l.where == "" {
		return l.err.Error()
	}
	return l.where + ": " + l.err.Error()
}
func (l located) Unwrap() error { return l.err }

// dedupe drops problems reported twice with the same message (a bad
// permission name is found both by checkDocument and by makePlan).
func dedupe(problems []error) []error {
	seen := make(map[string]bool, len(problems))
	out := problems[:0]
	for _, p := range problems {
		if msg := p.Error(); !seen[msg] {
			seen[msg] = true
			out = append(out, p)
		}
	}
	return out
}

// docUserRecord is the record a DocUser creates, with Django's defaults for
// what it leaves out and no password yet.
func docUserRecord(d DocUser) store.User {
	u := store.User{Username: d.Username, IsActive: true, Groups: []string{}, Permissions: []string{}}
	applyDocFields(&u, d)
	return u
}

// applyDocFields copies the declared fields of d onto u and returns the
// names of the fields that changed.
func applyDocFields(u *store.User, d DocUser) []string {
	var changed []string
	str := func(name string, dst *string, v *string) {
		if v != nil && *dst != *v {
			*dst = *v
			changed = append(changed, name)
		}
	}
	boolean := func(name string, dst *bool, v *bool) {
		if v != nil && *dst != *v {
			*dst = *v
			changed = append(changed, name)
		}
	}
	list := func(name string, dst *[]string, v *[]string) {
		if v == nil {
			return
		}
		want := sortedSet(*v)
		if !slices.Equal(*dst, want) {
			*dst = want
			changed = append(changed, name)
		}
	}
	str("email", &u.Email, d.Email)
	str("first_name", &u.FirstName, d.FirstName)
	str("last_name", &u.LastName, d.LastName)
	boolean("is_active", &u.IsActive, d.IsActive)
	boolean("is_staff", &u.IsStaff, d.IsStaff)
	boolean("is_superuser", &u.IsSuperuser, d.IsSuperuser)
	list("groups", &u.Groups, d.Groups)
	list("user_permissions", &u.Permissions, d.Permissions)
	// Times are kept to the microsecond, as in Django's columns (and as the
	// Service's clock gives them), and compared at that precision so that a
	// file with finer times is still applied only once.
	if d.DateJoined != nil {
		if t := d.DateJoined.UTC().Truncate(time.Microsecond); !u.DateJoined.Equal(t) {
			u.DateJoined = t
			changed = append(changed, "date_joined")
		}
	}
	if d.LastLogin != nil {
		if t := d.LastLogin.UTC().Truncate(time.Microsecond); u.LastLogin == nil || !u.LastLogin.Equal(t) {
			u.LastLogin = &t
			changed = append(changed, "last_login")
		}
	}
	return changed
}

// sortedSet returns v sorted without duplicates, never nil.
func sortedSet(v []string) []string {
	out := append([]string{}, v...)
	sort.Strings(out)
	return slices.Compact(out)
}

// Invalid bundles problems found outside this package (say, while reading a
// seeding file) into one error that matches ErrInvalid and prints one
// problem per line.
func Invalid(problems ...error) error { return invalid(problems...) }
