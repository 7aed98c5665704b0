package seed

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
	"authctl/internal/secret"
)

// DecodeOptions says where a seeding file came from.
type DecodeOptions struct {
	// Name is used in messages ("seed.yaml", or "stdin").
	Name string
	// Dir resolves relative password_file paths (the file's directory;
	// empty for standard input: the working directory).
	Dir string
	// CRLF strips a "\r" before the "\n" that ends a password_file's
	// first line (files written on Windows); without it only "\n" is
	// stripped, so that a password may end in "\r".
	CRLF bool
	// AllowOutside lets password_file name files outside Dir (absolute
	// paths, "..", symbolic links leading out).
	AllowOutside bool
	// LookupEnv reads password_env variables; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// BeforeYAML, when not nil, is called once before the file is decoded
	// as YAML (a file that starts with '{' too, when it is tried as YAML
	// for not being JSON): decoding YAML makes mostly garbage (the parser's
	// node trees), for which a caller may pace its collector.
	BeforeYAML func()
}

// Decode parses a seeding file, YAML or JSON (a JSON document is read as
// JSON, streaming, which keeps large generated files cheap), into a
// Document. Every problem is reported with its line. A file that cannot be
// read as a whole (bad syntax, unknown keys, wrong types) is an error that
// matches auth.ErrInvalid; problems with single values that leave the file
// readable (an unset password_env, an unreadable password_file, two
// password sources) are left in Document.Problems, so that Apply reports
// them together with its own checks and writes nothing.
func Decode(data []byte, opts DecodeOptions) (*auth.Document, error) {
	doc, _, err := DecodeWithAssert(data, opts)
	return doc, err
}

// DecodeWithAssert is Decode that also returns the value of the file's
// AssertKey section (nil if it has none), as a YAML node whose lines are
// the file's, for the caller to read as assertions. It is found in the
// same pass that reads the rest of the file: reading a large file a second
// time as a YAML tree only to find that key cost more memory than the
// whole apply.
func DecodeWithAssert(data []byte, opts DecodeOptions) (*auth.Document, *yaml.Node, error) {
	opts = decodeDefaults(opts)
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, nil, auth.Invalid(fmt.Errorf("%s: the file is empty", opts.Name))
	}
	if trimmed[0] == '{' {
		f, lines, assert, err := decodeJSON(data, decodeWorkers())
		if err == nil {
			return toDocument(f, lines, opts), assert, nil
		}
		if !errors.As(err, new(notJSON)) || !mayBeFlowYAML(trimmed, opts.Name) {
			return nil, nil, fileProblems(opts, err)
		}
		// If it is not YAML either, the file was meant as JSON unless its
		// name says YAML.
		doc, assert, yerr := readYAML(data, opts)
		switch {
		case yerr == nil:
			return doc, assert, nil
		case errors.As(yerr, new(notYAML)) && !hasExt(opts.Name, ".yaml", ".yml"):
			return nil, nil, fileProblems(opts, err)
		}
		return nil, nil, fileProblems(opts, yerr)
	}
	doc, assert, err := readYAML(data, opts)
	if err != nil {
		return nil, nil, fileProblems(opts, err)
	}
	return doc, assert, nil
}

// readYAML is decodeYAML with the caller told first.
func readYAML(data []byte, opts DecodeOptions) (*auth.Document, *yaml.Node, error) {
	if opts.BeforeYAML != nil {
		opts.BeforeYAML()
	}
	return decodeYAML(data, decodeWorkers(), opts)
}

// mayBeFlowYAML reports whether a file that starts with '{' (trimmed) and
// is not JSON is to be read as YAML written as a flow mapping ({users:
// [...]}): when its name says YAML, or when its name does not say JSON and
// its first key is not in double quotes. A file whose first key is in
// double quotes was meant as JSON: a mistake in it (a trailing comma, a
// stray quote) is reported as JSON's, with its column, not read as YAML.
func mayBeFlowYAML(trimmed []byte, name string) bool {
	switch {
	case hasExt(name, ".yaml", ".yml"):
		return true
	case hasExt(name, ".json"):
		return false
	}
	key := bytes.TrimLeft(trimmed[1:], " \t\r\n")
	return len(key) > 0 && key[0] != '"'
}

// hasExt reports whether name ends in one of exts, in any case.
func hasExt(name string, exts ...string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return slices.Contains(exts, ext)
}

// decodeDefaults fills in what DecodeOptions leaves out.
func decodeDefaults(opts DecodeOptions) DecodeOptions {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	if opts.Name == "" {
		opts.Name = "stdin"
	}
	return opts
}

// fileProblems is the error of a file that cannot be read: err holds one
// "LINE: message" a line; each gets the file's name in front.
func fileProblems(opts DecodeOptions, err error) error {
	var problems []error
	for _, line := range strings.Split(err.Error(), "\n") {
		problems = append(problems, fmt.Errorf("%s:%s", opts.Name, line))
	}
	return auth.Invalid(problems...)
}

// AssertKey is the top-level key of a seeding file's assertions (the
// format of "authctl test -f"), which the decoder leaves to its caller.
const AssertKey = "assert"

// sectionLines holds the position of each declared item, by section.
type sectionLines struct {
	perms, groups, users []pos
	// json says the positions have columns and items get their JSON path
	// ("users[1234]"): a generated file may hold everything on one line.
	json bool
}

// pos is a place in a file: its line, and its column (in bytes, from 1)
// where known, else 0.
type pos struct{ line, col int }

// problemList collects problems with their lines.
type problemList []lineProblem

type lineProblem struct {
	line, col int
	msg       string
}

func (p *problemList) add(line int, format string, args ...any) {
	*p = append(*p, lineProblem{line, 0, fmt.Sprintf(format, args...)})
}

// addAt records a problem at a line and column.
func (p *problemList) addAt(at pos, format string, args ...any) {
	*p = append(*p, lineProblem{at.line, at.col, fmt.Sprintf(format, args...)})
}

// err is every problem, in the order of their lines, one "LINE: message"
// a line, so that "file:" can be put in front of each; nil if none.
func (p problemList) err() error {
	if len(p) == 0 {
		return nil
	}
	slices.SortStableFunc(p, func(a, b lineProblem) int {
		if a.line != b.line {
			return a.line - b.line
		}
		return a.col - b.col
	})
	var b strings.Builder
	size := 0
	for _, lp := range p {
		size += len(lp.msg) + 24
	}
	b.Grow(size)
	for i, lp := range p {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.Itoa(lp.line))
		if lp.col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(lp.col))
		}
		b.WriteString(": ")
		b.WriteString(lp.msg)
	}
	return errors.New(b.String())
}

// fieldTypes maps each kind of object ("top", "permission", "group", "user")
// to its keys and their Go types, from the struct tags; built at first use,
// not when every process starts.
var fieldTypes = sync.OnceValue(func() map[string]map[string]reflect.Type {
	return map[string]map[string]reflect.Type{
		"top":        structFields(reflect.TypeFor[File]()),
		"permission": structFields(reflect.TypeFor[Permission]()),
		"group":      structFields(reflect.TypeFor[Group]()),
		"user":       structFields(reflect.TypeFor[User]()),
	}
})

func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out[name] = f.Type
	}
	return out
}

// describe says what a value of type t looks like, for messages.
func describe(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[time.Time]():
		return "a time (RFC 3339, such as 2024-01-02T03:04:05Z)"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Slice:
		return "a list of strings"
	case t.Kind() == reflect.String:
		return "a string"
	}
	return "a " + t.String()
}

// topKeys remembers the line of each top-level section's key, so that a
// section given twice is refused: read as one list it would apply both
// halves, where PyYAML and Python's json keep only the last and yaml.v3's
// Decode refuses; no reading is the one every writer meant.
type topKeys struct{ perms, groups, users, assert int }

// see records key at line and, for a section's key seen before, returns
// the line it was first given on and true. Unknown keys are not tracked:
// each is reported on its own.
func (t *topKeys) see(key string, line int) (first int, again bool) {
	var p *int
	switch key {
	case "permissions":
		p = &t.perms
	case "groups":
		p = &t.groups
	case "users":
		p = &t.users
	case AssertKey:
		p = &t.assert
	default:
		return 0, false
	}
	if *p > 0 {
		return *p, true
	}
	*p = line
	return 0, false
}

func duplicateKey(key string, first int) string {
	return fmt.Sprintf("key %q given twice at the top (first on line %d): give each section once", key, first)
}

func unknownKey(kind, key string) string {
	where := "in a " + kind
	if kind == "top" {
		where = "at the top"
	}
	return fmt.Sprintf("unknown key %q %s (known keys: %s)", key, where, knownKeys(kind))
}

// toDocument resolves password sources and locations.
func toDocument(f *File, lines sectionLines, opts DecodeOptions) *auth.Document {
	path := func(section string, i int) string {
		if !lines.json {
			return ""
		}
		return section + "[" + strconv.Itoa(i) + "]"
	}
	doc := &auth.Document{
		Permissions: make([]auth.DocPermission, len(f.Permissions)),
		Groups:      make([]auth.DocGroup, len(f.Groups)),
	}
	for i, p := range f.Permissions {
		doc.Permissions[i] = auth.DocPermission{Perm: p.Permission, Name: p.Name, Model: p.Model, Where: itemWhere(opts.Name, lines.perms, i, i), Path: path("permissions", i)}
	}
	for i, g := range f.Groups {
		doc.Groups[i] = auth.DocGroup{Name: g.Name, Permissions: g.Permissions, Where: itemWhere(opts.Name, lines.groups, i, i), Path: path("groups", i)}
	}
	doc.UserTable, doc.Problems = userTable(f.Users, lines.users, 0, lines.json, opts)
	f.Users = nil
	return doc
}

// itemWhere is where the item of index i was declared, at[k] its
// position (when known), as messages say it.
func itemWhere(name string, at []pos, k, i int) string {
	switch {
	case k >= len(at) || at[k].line <= 0:
		return fmt.Sprintf("%s: item %d", name, i+1)
	case at[k].col > 0:
		return fmt.Sprintf("%s:%d:%d", name, at[k].line, at[k].col)
	}
	return fmt.Sprintf("%s:%d", name, at[k].line)
}

// userTable resolves the password sources and positions of users, the
// file's users from index base on (at their positions), into a compact
// table, and returns the problems found on the way. Each user is cleared
// once it is in the table, so that what it points to can be collected
// while the rest are converted.
func userTable(users []User, at []pos, base int, json bool, opts DecodeOptions) (*auth.UserTable, []error) {
	t := auth.NewUserTable()
	return t, addUsers(t, users, at, base, json, opts)
}

// addUsers is userTable adding the users to t.
func addUsers(t *auth.UserTable, users []User, at []pos, base int, json bool, opts DecodeOptions) []error {
	var problems []error
	for k := range users {
		u, i := &users[k], base+k
		d := auth.DocUser{
			Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
			IsActive: u.IsActive, IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser,
			Groups: u.Groups, Permissions: u.UserPermissions,
			DateJoined: u.DateJoined, LastLogin: u.LastLogin,
		}
		// A position is kept as numbers (auth.DocPos), not as text.
		ok := false
		if k < len(at) {
			d.Pos, ok = auth.MakeDocPos(opts.Name, at[k].line, at[k].col, i, json)
		}
		if !ok {
			d.Where = itemWhere(opts.Name, at, k, i)
			if json {
				d.Path = "users[" + strconv.Itoa(i) + "]"
			}
		}
		pw, hasPassword, err := userPassword(u, opts)
		var missing *missingPasswordError
		if errors.As(err, &missing) {
			// Needed only if the password is used: the plan decides.
			d.PasswordMissing, err = missing.Error(), nil
		}
		if err != nil {
			where, path := d.Loc()
			if path != "" {
				where += ": " + path
			}
			problems = append(problems, fmt.Errorf("%s: user %s: %w", where, u.Username, err))
		}
		if hasPassword {
			d.Password = &pw
		}
		t.Add(&d)
		*u = User{}
	}
	return problems
}

// userPassword is u's declared password; ok is false when it declares
// none (an unusable password on creation).
func userPassword(u *User, opts DecodeOptions) (pw auth.Password, ok bool, err error) {
	given := 0
	for _, s := range []string{u.PasswordEnv, u.PasswordFile, u.PasswordHash} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		return pw, false, errors.New("give at most one of password_env, password_file and password_hash")
	}
	switch {
	case u.PasswordEnv != "":
		v, ok := opts.LookupEnv(u.PasswordEnv)
		if !ok {
			return pw, false, &missingPasswordError{env: u.PasswordEnv}
		}
		return auth.RawPassword(v), true, nil
	case u.PasswordFile != "":
		pol := secret.Policy{Dir: opts.Dir, AllowOutside: opts.AllowOutside}
		path, err := pol.Resolve(u.PasswordFile)
		if err != nil {
			return pw, false, fmt.Errorf("password_file %s: %v", u.PasswordFile, err)
		}
		v, err := secret.ReadFile(path, secret.FileOptions{CRLF: opts.CRLF, Owned: true})
		if err != nil {
			return pw, false, fmt.Errorf("password_file %s: %v", path, err)
		}
		return auth.RawPassword(v), true, nil
	case u.PasswordHash != "":
		return auth.HashedPassword(u.PasswordHash), true, nil
	}
	return pw, false, nil
}

// missingPasswordError is a password_env naming a variable that is not
// set: a problem only when the password would be used.
type missingPasswordError struct{ env string }

func (e *missingPasswordError) Error() string {
	return fmt.Sprintf("password_env: environment variable %s is not set", e.env)
}
