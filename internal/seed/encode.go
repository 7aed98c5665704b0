package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
	"authctl/internal/store"
)

// ExportOptions tunes Export.
type ExportOptions struct {
	// UsersOnly leaves out permissions and groups (users still name theirs).
	UsersOnly bool
	// YAML writes YAML instead of JSON.
	YAML bool
}

// Export writes the whole database in the seeding format, users with their
// password hashes. JSON is streamed one record at a time, so memory does
// not grow with the number of users; YAML is built whole.
func Export(ctx context.Context, svc *auth.Service, w io.Writer, opts ExportOptions) error {
	if opts.YAML {
		return exportYAML(ctx, svc, w, opts)
	}
	sw := &sectionWriter{w: w}
	v := auth.DumpVisitor{
		User: func(u store.User) error { return sw.addUser(&u) },
	}
	if !opts.UsersOnly {
		v.Permission = func(p store.Permission) error {
			return sw.add("permissions", Permission{Permission: p.Perm, Name: p.Name, Model: p.Model})
		}
		v.Group = func(g store.Group) error {
			perms := nonNil(g.Permissions)
			return sw.add("groups", Group{Name: g.Name, Permissions: &perms})
		}
	}
	if err := svc.Dump(ctx, v); err != nil {
		return err
	}
	return sw.close()
}

// sectionWriter streams {"a": [...], "b": [...]} one element at a time.
type sectionWriter struct {
	w       io.Writer
	section string
	n       int
	buf     bytes.Buffer
	raw     []byte // addUser's
}

func (s *sectionWriter) add(section string, v any) error {
	prefix := s.prefix(section)
	s.buf.Reset()
	enc := json.NewEncoder(&s.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	s.n++
	_, err := fmt.Fprintf(s.w, "%s%s", prefix, bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
	return err
}

// prefix is what goes before the next element of section: a comma, or the
// end of the previous section and the start of this one.
func (s *sectionWriter) prefix(section string) string {
	prefix := ",\n    "
	if section != s.section {
		switch {
		case s.section == "":
			prefix = "{\n  "
		default:
			prefix = "\n  ],\n  "
		}
		prefix += fmt.Sprintf("%q: [\n    ", section)
		s.section = section
	}
	return prefix
}

func (s *sectionWriter) close() error {
	if s.section == "" {
		_, err := fmt.Fprintln(s.w, "{}")
		return err
	}
	_, err := fmt.Fprint(s.w, "\n  ]\n}\n")
	return err
}

func exportYAML(ctx context.Context, svc *auth.Service, w io.Writer, opts ExportOptions) error {
	var f File
	v := auth.DumpVisitor{User: func(u store.User) error {
		f.Users = append(f.Users, userOf(u))
		return nil
	}}
	if !opts.UsersOnly {
		v.Permission = func(p store.Permission) error {
			f.Permissions = append(f.Permissions, Permission{Permission: p.Perm, Name: p.Name, Model: p.Model})
			return nil
		}
		v.Group = func(g store.Group) error {
			perms := nonNil(g.Permissions)
			f.Groups = append(f.Groups, Group{Name: g.Name, Permissions: &perms})
			return nil
		}
	}
	if err := svc.Dump(ctx, v); err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return err
	}
	return enc.Close()
}

// userOf is a user record in the seeding format, every field given so that
// applying it elsewhere reproduces the user exactly.
func userOf(u store.User) User {
	groups, perms := nonNil(u.Groups), nonNil(u.Permissions)
	active, staff, super := u.IsActive, u.IsStaff, u.IsSuperuser
	email, first, last := u.Email, u.FirstName, u.LastName
	joined := u.DateJoined
	return User{
		Username: u.Username, Email: &email, FirstName: &first, LastName: &last,
		IsActive: &active, IsStaff: &staff, IsSuperuser: &super,
		Groups: &groups, UserPermissions: &perms,
		PasswordHash: u.Password, DateJoined: &joined, LastLogin: u.LastLogin,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
