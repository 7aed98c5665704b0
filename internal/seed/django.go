package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"strings"
	"sync"
	"time"

	"authctl/internal/auth"
	"authctl/internal/store"
)

// djangoObject is one entry of `manage.py dumpdata` JSON.
type djangoObject struct {
	Model  string                     `json:"model"`
	PK     json.RawMessage            `json:"pk,omitempty"`
	Fields map[string]json.RawMessage `json:"fields"`
}

type contentType struct{ app, model string }

// DecodeDjango reads Django's dumpdata JSON — with natural keys
// (`dumpdata auth.user auth.group auth.permission --natural-foreign
// --natural-primary`) or numeric ones (`dumpdata contenttypes auth`) — into
// a Document whose users carry their Django password hashes. Objects of
// other models (sessions, admin log entries) are skipped. Values are kept
// as Django stored them (see auth.ApplyOptions.AsStored).
func DecodeDjango(data []byte, name string) (*auth.Document, error) {
	return DecodeDjangoKnown(data, name, nil)
}

// DecodeDjangoKnown is DecodeDjango with the primary keys recorded by
// earlier imports (auth.Service.DjangoKeys), so that a numeric-key dump of
// users alone can name groups and permissions the file does not hold. The
// primary keys the file brings are in Document.DjangoKeys.
func DecodeDjangoKnown(data []byte, name string, known *auth.DjangoKeys) (*auth.Document, error) {
	var objs []djangoObject
	if err := json.Unmarshal(data, &objs); err != nil {
		return nil, auth.Invalid(fmt.Errorf("%s: not a Django dumpdata JSON list: %v", name, err))
	}
	d := &djangoDecoder{
		name:   name,
		types:  map[string]contentType{},
		perms:  map[string]string{},
		groups: map[string]string{},
		doc:    &auth.Document{UserTable: auth.NewUserTable()},
		found: &auth.DjangoKeys{
			ContentTypes: map[string][2]string{},
			Permissions:  map[string]string{},
			Groups:       map[string]string{},
		},
	}
	if known != nil {
		for pk, ct := range known.ContentTypes {
			d.types[pk] = contentType{ct[0], ct[1]}
		}
		maps.Copy(d.perms, known.Permissions)
		maps.Copy(d.groups, known.Groups)
	}
	// Content types first, then permissions, groups and users, whatever the
	// order in the file: references point backwards only in Django's own
	// order, and a hand-edited file need not keep it.
	for _, model := range []string{"contenttypes.contenttype", "auth.permission", "auth.group", "auth.user"} {
		for i, o := range objs {
			if o.Model == model {
				d.object(i, o)
			}
		}
	}
	if len(d.problems) > 0 {
		return nil, auth.Invalid(d.problems...)
	}
	d.doc.DjangoKeys = d.found
	return d.doc, nil
}

type djangoDecoder struct {
	name     string
	types    map[string]contentType // pk → content type
	perms    map[string]string      // pk → app.codename
	groups   map[string]string      // pk → name
	doc      *auth.Document
	found    *auth.DjangoKeys // the primary keys in the file
	problems []error
}

func (d *djangoDecoder) problem(i int, o djangoObject, format string, args ...any) {
	d.problems = append(d.problems, fmt.Errorf("%s: object %d (%s): %s", d.name, i+1, o.Model, fmt.Sprintf(format, args...)))
}

func (d *djangoDecoder) object(i int, o djangoObject) {
	where := fmt.Sprintf("%s: object %d", d.name, i+1)
	pk := strings.TrimSpace(string(o.PK))
	str := func(field string) string {
		var s string
		if raw, ok := o.Fields[field]; ok && json.Unmarshal(raw, &s) != nil {
			d.problem(i, o, "%s must be a string", field)
		}
		return s
	}
	boolean := func(field string, def bool) *bool {
		v := def
		if raw, ok := o.Fields[field]; ok && json.Unmarshal(raw, &v) != nil {
			d.problem(i, o, "%s must be true or false", field)
		}
		return &v
	}
	switch o.Model {
	case "contenttypes.contenttype":
		if pk != "" {
			ct := contentType{str("app_label"), str("model")}
			d.types[pk] = ct
			d.found.ContentTypes[pk] = [2]string{ct.app, ct.model}
		}
	case "auth.permission":
		ct, err := d.contentType(o.Fields["content_type"])
		if err != nil {
			d.problem(i, o, "content_type: %v", err)
			return
		}
		perm := ct.app + "." + str("codename")
		if pk != "" {
			d.perms[pk] = perm
			d.found.Permissions[pk] = perm
		}
		d.doc.Permissions = append(d.doc.Permissions, auth.DocPermission{Perm: perm, Name: str("name"), Model: ct.model, Where: where})
	case "auth.group":
		gname := str("name")
		if pk != "" {
			d.groups[pk] = gname
			d.found.Groups[pk] = gname
		}
		perms := d.refs(i, o, "permissions", d.permRef)
		d.doc.Groups = append(d.doc.Groups, auth.DocGroup{Name: gname, Permissions: &perms, Where: where})
	case "auth.user":
		u := auth.DocUser{Username: str("username"), Where: where}
		email, first, last := str("email"), str("first_name"), str("last_name")
		u.Email, u.FirstName, u.LastName = &email, &first, &last
		u.IsActive, u.IsStaff, u.IsSuperuser = boolean("is_active", true), boolean("is_staff", false), boolean("is_superuser", false)
		groups := d.refs(i, o, "groups", d.groupRef)
		perms := d.refs(i, o, "user_permissions", d.permRef)
		u.Groups, u.Permissions = &groups, &perms
		// The password is kept as stored, even "" (which Django keeps too,
		// and which never authenticates).
		pw := auth.HashedPassword(str("password"))
		u.Password = &pw
		var err error
		if u.DateJoined, err = djangoTime(o.Fields["date_joined"]); err != nil {
			d.problem(i, o, "date_joined: %v", err)
		}
		if u.LastLogin, err = djangoTime(o.Fields["last_login"]); err != nil {
			d.problem(i, o, "last_login: %v", err)
		}
		d.doc.UserTable.Add(&u)
	}
}

// contentType resolves a content type given as a pk or as a natural key
// [app_label, model].
func (d *djangoDecoder) contentType(raw json.RawMessage) (contentType, error) {
	var nk []string
	if json.Unmarshal(raw, &nk) == nil && len(nk) == 2 {
		return contentType{nk[0], nk[1]}, nil
	}
	key := strings.TrimSpace(string(raw))
	if ct, ok := d.types[key]; ok {
		return ct, nil
	}
	return contentType{}, fmt.Errorf("content type %s is neither in the file nor known from an earlier import (dump contenttypes too, or use --natural-foreign)", key)
}

// permRef resolves a permission given as a pk or as a natural key
// [codename, app_label, model].
func (d *djangoDecoder) permRef(raw json.RawMessage) (string, error) {
	var nk []string
	if json.Unmarshal(raw, &nk) == nil && len(nk) == 3 {
		return nk[1] + "." + nk[0], nil
	}
	if p, ok := d.perms[strings.TrimSpace(string(raw))]; ok {
		return p, nil
	}
	return "", fmt.Errorf("permission %s is neither in the file nor known from an earlier import", raw)
}

// groupRef resolves a group given as a pk or as a natural key [name].
func (d *djangoDecoder) groupRef(raw json.RawMessage) (string, error) {
	var nk []string
	if json.Unmarshal(raw, &nk) == nil && len(nk) == 1 {
		return nk[0], nil
	}
	if g, ok := d.groups[strings.TrimSpace(string(raw))]; ok {
		return g, nil
	}
	return "", fmt.Errorf("group %s is neither in the file nor known from an earlier import", raw)
}

func (d *djangoDecoder) refs(i int, o djangoObject, field string, resolve func(json.RawMessage) (string, error)) []string {
	out := []string{}
	raw, ok := o.Fields[field]
	if !ok {
		return out
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		d.problem(i, o, "%s must be a list", field)
		return out
	}
	for _, it := range items {
		v, err := resolve(it)
		if err != nil {
			d.problem(i, o, "%s: %v", field, err)
			continue
		}
		out = append(out, v)
	}
	return out
}

// djangoTime reads a DjangoJSONEncoder datetime ("2024-01-02T03:04:05.123Z";
// naive values, from USE_TZ=False sites, are taken as UTC); null is nil.
func djangoTime(raw json.RawMessage) (*time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, errors.New("must be a string or null")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, fmt.Errorf("%q is not a Django datetime", s)
}

// djangoTimeString is DjangoJSONEncoder's format: milliseconds, "Z".
func djangoTimeString(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	if ms := t.Nanosecond() / int(time.Millisecond); ms > 0 || t.Nanosecond() > 0 {
		s += fmt.Sprintf(".%03d", ms)
	}
	return s + "Z"
}

// actionCodename is compiled on first use: start-up time matters to
// every command, and most never export.
var actionCodename = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:add|change|delete|view)_(.+)$`)
})

// ModelFor is the content type model a permission belongs to: the one it
// was imported with, else the model named by a Django default codename
// (add_post → post), else "global".
func ModelFor(p store.Permission) string {
	if p.Model != "" {
		return p.Model
	}
	_, codename, _ := strings.Cut(p.Perm, ".")
	if m := actionCodename().FindStringSubmatch(codename); m != nil {
		return m[1]
	}
	return "global"
}

// ExportDjango writes the database as Django's dumpdata JSON with natural
// keys (contenttypes, then permissions, groups and users), so that
// `manage.py loaddata` takes it on a freshly migrated Django database.
func ExportDjango(ctx context.Context, svc *auth.Service, w io.Writer, usersOnly bool) error {
	var perms []store.Permission
	var groups []store.Group
	natural := map[string][]string{}
	if err := svc.Dump(ctx, auth.DumpVisitor{
		Permission: func(p store.Permission) error { perms = append(perms, p); return nil },
		Group:      func(g store.Group) error { groups = append(groups, g); return nil },
	}); err != nil {
		return err
	}
	for _, p := range perms {
		app, codename, _ := strings.Cut(p.Perm, ".")
		natural[p.Perm] = []string{codename, app, ModelFor(p)}
	}
	permKeys := func(list []string) [][]string {
		out := [][]string{}
		for _, p := range list {
			if nk, ok := natural[p]; ok {
				out = append(out, nk)
			}
		}
		return out
	}
	ow := &objectWriter{w: w}
	if !usersOnly {
		seen := map[contentType]bool{}
		for _, p := range perms {
			ct := contentType{natural[p.Perm][1], natural[p.Perm][2]}
			if seen[ct] {
				continue
			}
			seen[ct] = true
			if err := ow.add("contenttypes.contenttype", map[string]any{"app_label": ct.app, "model": ct.model}); err != nil {
				return err
			}
		}
		for _, p := range perms {
			nk := natural[p.Perm]
			if err := ow.add("auth.permission", map[string]any{"name": p.Name, "content_type": nk[1:], "codename": nk[0]}); err != nil {
				return err
			}
		}
		for _, g := range groups {
			if err := ow.add("auth.group", map[string]any{"name": g.Name, "permissions": permKeys(g.Permissions)}); err != nil {
				return err
			}
		}
	}
	err := svc.Dump(ctx, auth.DumpVisitor{User: func(u store.User) error {
		groupKeys := [][]string{}
		for _, g := range u.Groups {
			groupKeys = append(groupKeys, []string{g})
		}
		var lastLogin any
		if u.LastLogin != nil {
			lastLogin = djangoTimeString(*u.LastLogin)
		}
		return ow.add("auth.user", map[string]any{
			"password": u.Password, "last_login": lastLogin, "is_superuser": u.IsSuperuser,
			"username": u.Username, "first_name": u.FirstName, "last_name": u.LastName,
			"email": u.Email, "is_staff": u.IsStaff, "is_active": u.IsActive,
			"date_joined": djangoTimeString(u.DateJoined), "groups": groupKeys,
			"user_permissions": permKeys(u.Permissions),
		})
	}})
	if err != nil {
		return err
	}
	return ow.close()
}

// objectWriter streams a dumpdata list.
type objectWriter struct {
	w   io.Writer
	n   int
	buf bytes.Buffer
}

func (o *objectWriter) add(model string, fields map[string]any) error {
	o.buf.Reset()
	enc := json.NewEncoder(&o.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"model": model, "fields": fields}); err != nil {
		return err
	}
	sep := ",\n"
	if o.n == 0 {
		sep = "[\n"
	}
	o.n++
	_, err := fmt.Fprintf(o.w, "%s%s", sep, bytes.TrimSuffix(o.buf.Bytes(), []byte("\n")))
	return err
}

func (o *objectWriter) close() error {
	if o.n == 0 {
		_, err := fmt.Fprintln(o.w, "[]")
		return err
	}
	_, err := fmt.Fprint(o.w, "\n]\n")
	return err
}
