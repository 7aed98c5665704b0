package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"authctl/internal/auth/hasher"
	"authctl/internal/auth/ident"
	"authctl/internal/store"
)

// An import of a Django database (ApplyOptions.AsStored) keeps every value
// as Django stored it. Django's loaddata writes rows without running its
// forms' validation, so real sites hold e-mails that are not addresses,
// usernames with spaces or of 151 characters (custom user models), app
// labels such as "MyApp", codenames such as "Can_Feature-Post", and hashes
// of hashers authctl does not know. Such values are kept and reported as
// warnings; only what cannot be stored at all is refused: invalid UTF-8
// anywhere, and empty keys or keys with control characters.

// warnings collects the warnings of an import, by object.
type warnings map[string][]string

func warnKey(kind, name string) string { return kind + "\x00" + name }

func (w warnings) add(kind, name, where string, err error) {
	if err != nil {
		w[warnKey(kind, name)] = append(w[warnKey(kind, name)], located{where, err}.Error())
	}
}

// storableKey refuses a key that cannot be stored and looked up: empty,
// not UTF-8, or holding control characters.
func storableKey(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", what)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("%s %q holds control characters", what, s)
	}
	return nil
}

// storablePerm refuses a permission string that has no "app_label." and
// codename, or cannot be stored; keptPerm says why authctl would not make
// one itself (nil if it would).
func storablePerm(p string) error {
	if err := storableKey("permission", p); err != nil {
		return err
	}
	app, codename, ok := strings.Cut(p, ".")
	if !ok || app == "" || codename == "" {
		return fmt.Errorf("invalid permission %q: expected app_label.codename", p)
	}
	return nil
}

func keptPerm(p string) error {
	if _, _, err := ident.ParsePerm(p); err != nil {
		return fmt.Errorf("permission %q kept as stored: authctl would not create it (lower-case letters, digits and _)", p)
	}
	return nil
}

// storableText refuses text that is not UTF-8 (it could not be stored as
// it is).
func storableText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	return nil
}

// kept turns a validation failure of a value that is kept into a warning.
func kept(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s kept as stored: %v", what, err)
}

// checkStored checks a document to import as stored: it returns the
// problems (what cannot be stored) and, by object, the warnings (what is
// kept although authctl would not create it).
func (s *Service) checkStored(doc *Document, users *UserTable) ([]error, warnings) {
	var problems []error
	warn := warnings{}
	add := func(where string, err error) {
		if err != nil {
			problems = append(problems, located{where, err})
		}
	}
	checkPerms := func(where string, perms *[]string) {
		if perms == nil {
			return
		}
		for _, p := range *perms {
			add(where, storablePerm(p))
		}
	}
	seenPerm := map[string]string{}
	for _, p := range doc.Permissions {
		where := at(p.Where, p.Path, "")
		if err := storablePerm(p.Perm); err != nil {
			add(at(p.Where, p.Path, "permission"), err)
			continue
		}
		warn.add("permission", p.Perm, at(p.Where, p.Path, "permission"), keptPerm(p.Perm))
		add(at(p.Where, p.Path, "name"), storableText("name", p.Name))
		if p.Name != "" {
			warn.add("permission", p.Perm, at(p.Where, p.Path, "name"), kept("name", ident.ValidatePermName(p.Name)))
		}
		if prev, dup := seenPerm[p.Perm]; dup {
			add(where, fmt.Errorf("permission %q is declared twice (also at %s)", p.Perm, prev))
		}
		seenPerm[p.Perm] = p.Where
	}
	seenGroup := map[string]string{}
	for _, g := range doc.Groups {
		if err := storableKey("group name", g.Name); err != nil {
			add(at(g.Where, g.Path, "name"), err)
			continue
		}
		warn.add("group", g.Name, at(g.Where, g.Path, "name"), kept("name", ident.ValidateGroupName(g.Name)))
		if prev, dup := seenGroup[g.Name]; dup {
			add(at(g.Where, g.Path, ""), fmt.Errorf("group %q is declared twice (also at %s)", g.Name, prev))
		}
		seenGroup[g.Name] = g.Where
		checkPerms(at(g.Where, g.Path, "permissions"), g.Permissions)
	}
	seenUser := map[string]string{}
	var v userView
	for i := range users.Len() {
		u := users.load(i, &v)
		if err := storableKey("username", u.Username); err != nil {
			add(u.at("username"), err)
			continue
		}
		w := func(field string, err error) { warn.add("user", u.Username, u.at(field), err) }
		if err := ident.ValidateUsername(u.Username); err != nil {
			w("username", kept("username", err))
		} else if n := ident.NormalizeUsername(u.Username); n != u.Username {
			w("username", fmt.Errorf("username kept as stored: Django's forms would store it as %q (NFKC)", n))
		}
		if prev, dup := seenUser[u.Username]; dup {
			add(u.at(""), fmt.Errorf("user %q is declared twice (also at %s)", u.Username, prev))
		} else {
			seenUser[u.Username] = u.loc()
		}
		if u.Email != nil {
			if err := storableText("email", *u.Email); err != nil {
				add(u.at("email"), err)
			} else {
				w("email", kept("email", ident.ValidateEmail(*u.Email)))
			}
		}
		for _, f := range []struct {
			field string
			v     *string
		}{{"first_name", u.FirstName}, {"last_name", u.LastName}} {
			field, v := f.field, f.v
			if v == nil {
				continue
			}
			if err := storableText(field, *v); err != nil {
				add(u.at(field), err)
				continue
			}
			w(field, kept(strings.ReplaceAll(field, "_", " "), ident.ValidatePersonName(field, *v)))
		}
		checkPerms(u.at("user_permissions"), u.Permissions)
		if u.Groups != nil {
			for _, g := range *u.Groups {
				add(u.at("groups"), storableKey("group name", g))
			}
		}
		if u.Password != nil && u.Password.kind == passwordHash {
			if err := storableText("password", u.Password.value); err != nil {
				add(u.at("password"), err)
			} else {
				w("password", s.keptHash(u.Password.value))
			}
		}
	}
	return problems, warn
}

// keptHash says why a stored password value is kept although it cannot
// authenticate (nil if it can, or is Django's unusable password).
func (s *Service) keptHash(encoded string) error {
	if encoded == "" {
		return errors.New("empty password kept as stored: the user cannot log in until the password is reset")
	}
	class, err := s.hashers.Classify(encoded)
	switch class {
	case hasher.ClassVerifiable, hasher.ClassUnusable:
		if len(encoded) > 128 {
			return errors.New("password hash kept as stored: longer than Django's 128-character column")
		}
		return nil
	}
	return fmt.Errorf("password hash kept as stored (%s: %v): the user cannot log in until the password is reset", class, err)
}

// storedPermission is the record an import creates for a permission, with
// the name as given (a default one only when there is none).
func storedPermission(perm, name string) store.Permission {
	if name == "" {
		_, codename, _ := strings.Cut(perm, ".")
		name = ident.DefaultPermName(codename)
	}
	return store.Permission{Perm: perm, Name: name}
}
