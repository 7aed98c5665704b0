package seed

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"authctl/internal/auth"
)

// DecodeOptions says where a seeding file came from.
type DecodeOptions struct {
	// Name is used in messages ("seed.yaml", or "stdin").
	Name string
	// Dir resolves relative password_file paths (the file's directory).
	Dir string
	// LookupEnv reads password_env variables; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
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
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	if opts.Name == "" {
		opts.Name = "stdin"
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, auth.Invalid(fmt.Errorf("%s: the file is empty", opts.Name))
	}
	var (
		f     *File
		lines sectionLines
		err   error
	)
	if trimmed[0] == '{' {
		f, lines, err = decodeJSON(data)
	} else {
		f, lines, err = decodeYAML(data)
	}
	if err != nil {
		var problems []error
		for _, line := range strings.Split(err.Error(), "\n") {
			problems = append(problems, fmt.Errorf("%s:%s", opts.Name, line))
		}
		return nil, auth.Invalid(problems...)
	}
	return toDocument(f, lines, opts)
}

// AssertKey is the top-level key of a seeding file's assertions (the
// format of "authctl test -f"), which the decoder leaves to its caller.
const AssertKey = "assert"

// sectionLines holds the line of each declared item, by section.
type sectionLines struct {
	perms, groups, users []int
}

// problemList collects problems with their lines.
type problemList []lineProblem

type lineProblem struct {
	line int
	msg  string
}

func (p *problemList) add(line int, format string, args ...any) {
	*p = append(*p, lineProblem{line, fmt.Sprintf(format, args...)})
}

// err is every problem, in the order of their lines, one "LINE: message"
// a line, so that "file:" can be put in front of each; nil if none.
func (p problemList) err() error {
	if len(p) == 0 {
		return nil
	}
	slices.SortStableFunc(p, func(a, b lineProblem) int { return a.line - b.line })
	msgs := make([]string, len(p))
	for i, lp := range p {
		msgs[i] = fmt.Sprintf("%d: %s", lp.line, lp.msg)
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// fieldTypes maps each kind of object ("top", "permission", "group", "user")
// to its keys and their Go types, from the struct tags.
var fieldTypes = map[string]map[string]reflect.Type{
	"top":        structFields(reflect.TypeFor[File]()),
	"permission": structFields(reflect.TypeFor[Permission]()),
	"group":      structFields(reflect.TypeFor[Group]()),
	"user":       structFields(reflect.TypeFor[User]()),
}

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

func unknownKey(kind, key string) string {
	where := "in a " + kind
	if kind == "top" {
		where = "at the top"
	}
	return fmt.Sprintf("unknown key %q %s (known keys: %s)", key, where, knownKeys[kind])
}

// toDocument resolves password sources and locations.
func toDocument(f *File, lines sectionLines, opts DecodeOptions) (*auth.Document, error) {
	where := func(ls []int, i int) string {
		if i < len(ls) && ls[i] > 0 {
			return fmt.Sprintf("%s:%d", opts.Name, ls[i])
		}
		return fmt.Sprintf("%s: item %d", opts.Name, i+1)
	}
	doc := &auth.Document{
		Permissions: make([]auth.DocPermission, len(f.Permissions)),
		Groups:      make([]auth.DocGroup, len(f.Groups)),
		Users:       make([]auth.DocUser, len(f.Users)),
	}
	for i, p := range f.Permissions {
		doc.Permissions[i] = auth.DocPermission{Perm: p.Permission, Name: p.Name, Model: p.Model, Where: where(lines.perms, i)}
	}
	for i, g := range f.Groups {
		doc.Groups[i] = auth.DocGroup{Name: g.Name, Permissions: g.Permissions, Where: where(lines.groups, i)}
	}
	for i, u := range f.Users {
		at := where(lines.users, i)
		d := auth.DocUser{
			Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
			IsActive: u.IsActive, IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser,
			Groups: u.Groups, Permissions: u.UserPermissions,
			DateJoined: u.DateJoined, LastLogin: u.LastLogin, Where: at,
		}
		pw, err := userPassword(u, opts)
		if err != nil {
			doc.Problems = append(doc.Problems, fmt.Errorf("%s: user %s: %w", at, u.Username, err))
		}
		d.Password = pw
		doc.Users[i] = d
	}
	return doc, nil
}

func userPassword(u User, opts DecodeOptions) (*auth.Password, error) {
	given := 0
	for _, s := range []string{u.PasswordEnv, u.PasswordFile, u.PasswordHash} {
		if s != "" {
			given++
		}
	}
	if given > 1 {
		return nil, errors.New("give at most one of password_env, password_file and password_hash")
	}
	switch {
	case u.PasswordEnv != "":
		v, ok := opts.LookupEnv(u.PasswordEnv)
		if !ok {
			return nil, fmt.Errorf("password_env: environment variable %s is not set", u.PasswordEnv)
		}
		p := auth.RawPassword(v)
		return &p, nil
	case u.PasswordFile != "":
		path := u.PasswordFile
		if !filepath.IsAbs(path) && opts.Dir != "" {
			path = filepath.Join(opts.Dir, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("password_file %s: %v", path, err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		p := auth.RawPassword(strings.TrimSuffix(line, "\r"))
		return &p, nil
	case u.PasswordHash != "":
		p := auth.HashedPassword(u.PasswordHash)
		return &p, nil
	}
	return nil, nil
}
