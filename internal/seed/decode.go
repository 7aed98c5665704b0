package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

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
// Document. Every problem is reported with its line; the error matches
// auth.ErrInvalid.
func Decode(data []byte, opts DecodeOptions) (*auth.Document, error) {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	if opts.Name == "" {
		opts.Name = "stdin"
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
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

// sectionLines holds the line of each declared item, by section.
type sectionLines struct {
	perms, groups, users []int
}

// lineError is a problem at a line; it prints as "LINE: message" so that
// "file:" can be put in front.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("%d: %s", e.line, e.msg) }

func decodeJSON(data []byte) (*File, sectionLines, error) {
	var (
		f     File
		lines sectionLines
	)
	lc := newLineCounter(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil { // the '{' checked by the caller
		return nil, lines, jsonError(lc, "top", 0, err)
	}
	for dec.More() {
		at := lc.lineAt(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil, lines, jsonError(lc, "top", at, err)
		}
		key, _ := tok.(string)
		switch key {
		case "permissions":
			err = jsonList(dec, lc, "permission", &lines.perms, func() any { f.Permissions = append(f.Permissions, Permission{}); return &f.Permissions[len(f.Permissions)-1] })
		case "groups":
			err = jsonList(dec, lc, "group", &lines.groups, func() any { f.Groups = append(f.Groups, Group{}); return &f.Groups[len(f.Groups)-1] })
		case "users":
			err = jsonList(dec, lc, "user", &lines.users, func() any { f.Users = append(f.Users, User{}); return &f.Users[len(f.Users)-1] })
		default:
			return nil, lines, &lineError{at, fmt.Sprintf("unknown key %q at the top (known keys: %s)", key, knownKeys["top"])}
		}
		if err != nil {
			return nil, lines, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, lines, jsonError(lc, "top", lc.lineAt(dec.InputOffset()), err)
	}
	return &f, lines, nil
}

// jsonList decodes one array, an element at a time.
func jsonList(dec *json.Decoder, lc *lineCounter, kind string, lines *[]int, next func() any) error {
	at := lc.lineAt(dec.InputOffset())
	tok, err := dec.Token()
	if err != nil {
		return jsonError(lc, kind, at, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &lineError{at, fmt.Sprintf("%ss must be a list", kind)}
	}
	for dec.More() {
		line := lc.lineAt(dec.InputOffset())
		if err := dec.Decode(next()); err != nil {
			return jsonError(lc, kind, line, err)
		}
		*lines = append(*lines, line)
	}
	_, err = dec.Token()
	return err
}

var jsonUnknownField = regexp.MustCompile(`^json: unknown field "(.*)"$`)

func jsonError(lc *lineCounter, kind string, line int, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return &lineError{lc.lineAt(te.Offset), fmt.Sprintf("%s: %s must be %s, not %s", kind, te.Field, goTypeName(te.Type.String()), te.Value)}
	case errors.As(err, &se):
		return &lineError{lc.lineAt(se.Offset), "not valid JSON: " + se.Error()}
	}
	if m := jsonUnknownField.FindStringSubmatch(err.Error()); m != nil {
		return &lineError{line, fmt.Sprintf("unknown key %q in a %s (known keys: %s)", m[1], kind, knownKeys[kind])}
	}
	return &lineError{line, err.Error()}
}

func goTypeName(t string) string {
	t = strings.TrimPrefix(t, "*")
	switch {
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasSuffix(t, "Time"):
		return "a time (RFC 3339)"
	}
	return "a " + t
}

// lineCounter turns byte offsets into line numbers, remembering where it
// was so that a large file is scanned once.
type lineCounter struct {
	data []byte
	pos  int
	line int
}

func newLineCounter(data []byte) *lineCounter { return &lineCounter{data: data, line: 1} }

// lineAt returns the line of the first token at or after off (skipping
// blanks and the comma between elements).
func (c *lineCounter) lineAt(off int64) int {
	i := int(off)
	for i < len(c.data) && strings.IndexByte(" \t\r\n,:", c.data[i]) >= 0 {
		i++
	}
	if i < c.pos {
		c.pos, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.pos:min(i, len(c.data))], []byte("\n"))
	c.pos = min(i, len(c.data))
	return c.line
}

var yamlUnknownField = regexp.MustCompile(`^line (\d+): field (.*) not found in type seed\.(\w+)$`)
var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

func decodeYAML(data []byte) (*File, sectionLines, error) {
	var lines sectionLines
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, lines, yamlError(err)
	}
	var nodes struct {
		Permissions []yaml.Node `yaml:"permissions"`
		Groups      []yaml.Node `yaml:"groups"`
		Users       []yaml.Node `yaml:"users"`
	}
	if err := yaml.Unmarshal(data, &nodes); err != nil {
		return nil, lines, yamlError(err)
	}
	for _, n := range nodes.Permissions {
		lines.perms = append(lines.perms, n.Line)
	}
	for _, n := range nodes.Groups {
		lines.groups = append(lines.groups, n.Line)
	}
	for _, n := range nodes.Users {
		lines.users = append(lines.users, n.Line)
	}
	return &f, lines, nil
}

func yamlError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			return &lineError{n, "not valid YAML: " + m[2]}
		}
		return &lineError{0, "not valid YAML: " + msg}
	}
	var problems []string
	for _, e := range te.Errors {
		if m := yamlUnknownField.FindStringSubmatch(e); m != nil {
			kind := map[string]string{"File": "top", "Permission": "permission", "Group": "group", "User": "user"}[m[3]]
			where := "in a " + kind
			if kind == "top" {
				where = "at the top"
			}
			problems = append(problems, fmt.Sprintf("%s: unknown key %q %s (known keys: %s)", m[1], m[2], where, knownKeys[kind]))
			continue
		}
		problems = append(problems, strings.TrimPrefix(e, "line "))
	}
	return errors.New(strings.Join(problems, "\n"))
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
	var problems []error
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
			problems = append(problems, fmt.Errorf("%s: user %s: %w", at, u.Username, err))
		}
		d.Password = pw
		doc.Users[i] = d
	}
	if len(problems) > 0 {
		return nil, auth.Invalid(problems...)
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
