package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

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

// decodeJSON reads a JSON seeding file one element at a time. Elements that
// decode cleanly cost one pass; one that does not is examined key by key,
// so that every unknown key and every value of the wrong type is reported
// with its own line, and decoding goes on with the next element. Only a
// syntax error stops it.
func decodeJSON(data []byte) (*File, sectionLines, error) {
	var (
		f        File
		lines    sectionLines
		problems problemList
	)
	lc := newLineCounter(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil { // the '{' checked by the caller
		return nil, lines, jsonSyntax(lc, err)
	}
	for dec.More() {
		at := lc.lineAt(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil, lines, jsonSyntax(lc, err)
		}
		key, _ := tok.(string)
		switch key {
		case "permissions":
			err = jsonList(dec, data, lc, "permission", &lines.perms, &problems, func() any {
				f.Permissions = append(f.Permissions, Permission{})
				return &f.Permissions[len(f.Permissions)-1]
			})
		case "groups":
			err = jsonList(dec, data, lc, "group", &lines.groups, &problems, func() any {
				f.Groups = append(f.Groups, Group{})
				return &f.Groups[len(f.Groups)-1]
			})
		case "users":
			err = jsonList(dec, data, lc, "user", &lines.users, &problems, func() any {
				f.Users = append(f.Users, User{})
				return &f.Users[len(f.Users)-1]
			})
		default:
			problems.add(at, "%s", unknownKey("top", key))
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, lines, jsonSyntax(lc, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, lines, jsonSyntax(lc, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, lines, fmt.Errorf("%d: not valid JSON: more after the closing }", lc.lineAt(dec.InputOffset()))
	}
	if err := problems.err(); err != nil {
		return nil, lines, err
	}
	return &f, lines, nil
}

// jsonList decodes one array, an element at a time. It returns only the
// errors that stop decoding (bad syntax); the others go to problems.
func jsonList(dec *json.Decoder, data []byte, lc *lineCounter, kind string, lines *[]int, problems *problemList, next func() any) error {
	start := skipBlanks(data, dec.InputOffset())
	at := lc.lineAt(int64(start))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null: no items
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		problems.add(at, "%ss must be a list", kind)
		return skipRest(dec, tok)
	}
	for dec.More() {
		start := skipBlanks(data, dec.InputOffset())
		line := lc.lineAt(int64(start))
		err := dec.Decode(next())
		*lines = append(*lines, line)
		if err == nil {
			continue
		}
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
			return err
		}
		// The decoder has read the whole element: look at it closely.
		elem := data[start:dec.InputOffset()]
		before := len(*problems)
		jsonElementProblems(kind, elem, line, problems)
		if len(*problems) == before {
			problems.add(line, "%s: %v", kind, err)
		}
	}
	_, err = dec.Token()
	return err
}

// jsonElementProblems reports every unknown key and every value of the
// wrong type in one element (raw, which starts at line).
func jsonElementProblems(kind string, raw []byte, line int, problems *problemList) {
	lineOf := func(off int) int { return line + bytes.Count(raw[:min(off, len(raw))], []byte("\n")) }
	d := json.NewDecoder(bytes.NewReader(raw))
	tok, err := d.Token()
	if err != nil {
		return
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		problems.add(line, "a %s must be an object with keys (%s)", kind, knownKeys[kind])
		return
	}
	fields := fieldTypes[kind]
	for d.More() {
		keyAt := skipBlanks(raw, d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			return
		}
		key, _ := tok.(string)
		valAt := skipBlanks(raw, d.InputOffset())
		var val json.RawMessage
		if err := d.Decode(&val); err != nil {
			return
		}
		t, known := fields[key]
		if !known {
			problems.add(lineOf(keyAt), "%s", unknownKey(kind, key))
			continue
		}
		if err := json.Unmarshal(val, reflect.New(t).Interface()); err != nil {
			problems.add(lineOf(valAt), "%s: %s must be %s, not %s", kind, key, describe(t), jsonShow(val))
		}
	}
}

// jsonShow quotes a JSON value for messages, shortened.
func jsonShow(v json.RawMessage) string {
	s := strings.Join(strings.Fields(string(v)), " ")
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// skipRest skips what is left of a value whose first token was tok.
func skipRest(dec *json.Decoder, tok json.Token) error {
	if _, ok := tok.(json.Delim); !ok {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '[' || d == '{' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// skipBlanks returns the offset of the first byte at or after off that is
// not white space or the separator between elements or after a key.
func skipBlanks(data []byte, off int64) int {
	i := int(off)
	for i < len(data) && strings.IndexByte(" \t\r\n,:", data[i]) >= 0 {
		i++
	}
	return i
}

func jsonSyntax(lc *lineCounter, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%d: not valid JSON: %s", lc.lineAt(se.Offset), se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%d: not valid JSON: unexpected end of the file", lc.lineAt(int64(len(lc.data))))
	}
	return fmt.Errorf("0: not valid JSON: %v", err)
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
	i := skipBlanks(c.data, off)
	if i < c.pos {
		c.pos, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.pos:min(i, len(c.data))], []byte("\n"))
	c.pos = min(i, len(c.data))
	return c.line
}

// yamlLine is compiled on first use (start-up time; see django.go).
var yamlLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
})

// decodeYAML reads a YAML seeding file through its node tree, so that every
// unknown key and every value of the wrong type is reported with its own
// line (and YAML's anchors, aliases and merge keys work).
func decodeYAML(data []byte) (*File, sectionLines, error) {
	var (
		f        File
		lines    sectionLines
		problems problemList
		root     yaml.Node
	)
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := err.Error()
		if m := yamlLine().FindStringSubmatch(msg); m != nil {
			return nil, lines, fmt.Errorf("%s: not valid YAML: %s", m[1], m[2])
		}
		return nil, lines, fmt.Errorf("0: not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
	}
	top := &root
	if top.Kind == yaml.DocumentNode && len(top.Content) == 1 {
		top = top.Content[0]
	}
	top = resolveAlias(top)
	if top.Kind != yaml.MappingNode {
		if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
			return &f, lines, nil
		}
		return nil, lines, fmt.Errorf("%d: the file must be a mapping with the keys %s", top.Line, knownKeys["top"])
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], resolveAlias(top.Content[i+1])
		var (
			kind  string
			lnums *[]int
			next  func() any
		)
		switch k.Value {
		case "permissions":
			kind, lnums = "permission", &lines.perms
			next = func() any {
				f.Permissions = append(f.Permissions, Permission{})
				return &f.Permissions[len(f.Permissions)-1]
			}
		case "groups":
			kind, lnums = "group", &lines.groups
			next = func() any { f.Groups = append(f.Groups, Group{}); return &f.Groups[len(f.Groups)-1] }
		case "users":
			kind, lnums = "user", &lines.users
			next = func() any { f.Users = append(f.Users, User{}); return &f.Users[len(f.Users)-1] }
		default:
			problems.add(k.Line, "%s", unknownKey("top", k.Value))
			continue
		}
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			continue
		case v.Kind != yaml.SequenceNode:
			problems.add(v.Line, "%ss must be a list", kind)
			continue
		}
		for _, item := range v.Content {
			*lnums = append(*lnums, item.Line)
			yamlItem(kind, resolveAlias(item), next(), &problems)
		}
	}
	if err := problems.err(); err != nil {
		return nil, lines, err
	}
	return &f, lines, nil
}

// yamlItem decodes one item into target, reporting unknown keys and values
// of the wrong type.
func yamlItem(kind string, item *yaml.Node, target any, problems *problemList) {
	if item.Kind != yaml.MappingNode {
		problems.add(item.Line, "a %s must be a mapping with keys (%s)", kind, knownKeys[kind])
		return
	}
	fields := fieldTypes[kind]
	for i := 0; i+1 < len(item.Content); i += 2 {
		k := item.Content[i]
		if k.Tag == "!!merge" {
			continue
		}
		if _, known := fields[k.Value]; !known {
			problems.add(k.Line, "%s", unknownKey(kind, k.Value))
		}
	}
	if err := item.Decode(target); err == nil {
		return
	}
	// Find the values at fault, one key at a time.
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		t, known := fields[k.Value]
		if !known {
			continue
		}
		if err := v.Decode(reflect.New(t).Interface()); err != nil {
			problems.add(v.Line, "%s: %s must be %s, not %s", kind, k.Value, describe(t), yamlShow(resolveAlias(v)))
		}
	}
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// yamlShow names a YAML value for messages.
func yamlShow(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	s := n.Value
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return fmt.Sprintf("%q", s)
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
