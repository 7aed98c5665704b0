package auth

import (
	"fmt"

	"authctl/internal/auth/ident"
)

// The checks of a document that need no database (a Django import as
// stored has its own, in apply_stored.go).

// checkDocument checks everything that needs no database: names, formats,
// duplicates and password validators, of doc with its users normalised
// (UserTable.normalized), which keep the usernames as declared for the
// messages. It returns every problem found.
func (s *Service) checkDocument(doc *Document, users *UserTable) []error {
	var problems []error
	// The location is made only for a problem: most fields have none.
	addAt := func(where, path, field string, err error) {
		if err != nil {
			problems = append(problems, located{at(where, path, field), err})
		}
	}
	seenPerm := map[string]string{}
	for _, p := range doc.Permissions {
		_, _, err := ident.ParsePerm(p.Perm)
		addAt(p.Where, p.Path, "permission", err)
		if p.Name != "" {
			addAt(p.Where, p.Path, "name", ident.ValidatePermName(p.Name))
		}
		if prev, dup := seenPerm[p.Perm]; dup {
			addAt(p.Where, p.Path, "", fmt.Errorf("permission %q is declared twice (also at %s)", p.Perm, prev))
		}
		seenPerm[p.Perm] = p.Where
	}
	checkPerms := func(where, path, field string, perms *[]string) {
		if perms == nil {
			return
		}
		for _, p := range *perms {
			_, _, err := ident.ParsePerm(p)
			addAt(where, path, field, err)
		}
	}
	seenGroup := map[string]string{}
	for _, g := range doc.Groups {
		addAt(g.Where, g.Path, "name", ident.ValidateGroupName(g.Name))
		if prev, dup := seenGroup[g.Name]; dup {
			addAt(g.Where, g.Path, "", fmt.Errorf("group %q is declared twice (also at %s)", g.Name, prev))
		}
		seenGroup[g.Name] = g.Where
		checkPerms(g.Where, g.Path, "permissions", g.Permissions)
	}
	// The first declaration of each name, by its index: what a message
	// says of it is made only for a name declared twice.
	seenUser := make(map[string]int32, users.Len())
	addUser := func(u *DocUser, field string, err error) {
		if err != nil {
			problems = append(problems, located{u.at(field), err})
		}
	}
	var v, firstView userView
	for i := range users.Len() {
		u := users.load(i, &v)
		given := v.givenUsername()
		addUser(u, "username", ident.ValidateUsername(u.Username))
		if first, dup := seenUser[u.Username]; dup {
			name := fmt.Sprintf("%q", u.Username)
			if given != u.Username {
				name = fmt.Sprintf("%q (%q after normalisation)", given, u.Username)
			}
			also := users.load(int(first), &firstView).loc()
			if prev := users.givenName(int(first), &firstView); prev != given {
				also += fmt.Sprintf(" as %q", prev)
			}
			addUser(u, "", fmt.Errorf("user %s is declared twice (also at %s)", name, also))
		} else {
			seenUser[u.Username] = int32(i)
		}
		if u.Email != nil {
			addUser(u, "email", ident.ValidateEmail(*u.Email))
		}
		if u.FirstName != nil {
			addUser(u, "first_name", ident.ValidatePersonName("first name", *u.FirstName))
		}
		if u.LastName != nil {
			addUser(u, "last_name", ident.ValidatePersonName("last name", *u.LastName))
		}
		if u.Permissions != nil {
			for _, p := range *u.Permissions {
				_, _, err := ident.ParsePerm(p)
				addUser(u, "user_permissions", err)
			}
		}
		if u.Groups != nil {
			for _, g := range *u.Groups {
				addUser(u, "groups", ident.ValidateGroupName(g))
			}
		}
		if u.Password != nil {
			switch u.Password.kind {
			case passwordHash:
				if err := s.checkHash(u.Password.value); err != nil {
					addUser(u, "password_hash", fmt.Errorf("password_hash: %w", err))
				}
			}
			// Plain passwords are validated when planning, against the
			// stored user as the document leaves it (validatePlanned).
		}
	}
	return problems
}
