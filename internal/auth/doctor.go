package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"authctl/internal/auth/hasher"
	"authctl/internal/auth/ident"
	"authctl/internal/store"
)

// Finding is one problem doctor found, as pwck reports a bad line: which
// check found it, what it is about and what is wrong.
type Finding struct {
	Check   string `json:"check"`   // "records", "names", "references", "superusers", "hashes", "audit", or a caller's own
	Subject string `json:"subject"` // "user alice", "group editors", "audit log", ...
	Problem string `json:"problem"`
	// Fixable is set on dangling references, which DoctorFix removes.
	Fixable bool `json:"fixable,omitempty"`
}

// Doctor checks the records of the database the way pwck and grpck check
// /etc/passwd and /etc/group: every record decodes, names are valid and no
// two usernames are equal after NFKC, memberships and grants point at
// groups and permissions that exist, superusers have a usable password,
// every password hash meets the current policy, and the audit chain
// verifies. It reads only; the findings come in a stable order.
func (s *Service) Doctor(ctx context.Context) ([]Finding, error) {
	var out []Finding
	add := func(f Finding) { out = append(out, f) }
	err := s.view(ctx, func(r store.Reader) error {
		groups, perms, err := s.doctorCatalog(r, add)
		if err != nil {
			return err
		}
		return s.doctorUsers(r, groups, perms, add)
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.AuditVerify(ctx, AuditVerifyOptions{}); err != nil {
		var ve *AuditVerifyError
		if !errors.As(err, &ve) && !errors.Is(err, store.ErrCorrupt) && !errors.Is(err, ErrNoAuditKey) {
			return nil, err
		}
		add(Finding{Check: "audit", Subject: "audit log", Problem: err.Error()})
	}
	return out, nil
}

// recordsFinding turns a record that does not decode into a finding; any
// other error stops the check.
func recordsFinding(kind string, err error, add func(Finding)) error {
	if errors.Is(err, store.ErrCorrupt) {
		add(Finding{Check: "records", Subject: kind, Problem: err.Error()})
		return nil
	}
	return err
}

// doctorCatalog checks groups and permissions and returns their names for
// the reference checks.
func (s *Service) doctorCatalog(r store.Reader, add func(Finding)) (groups, perms map[string]bool, err error) {
	perms = map[string]bool{}
	err = r.Permissions("", func(p store.Permission) error {
		perms[p.Perm] = true
		if _, _, err := ident.ParsePerm(p.Perm); err != nil {
			add(Finding{Check: "names", Subject: "permission " + p.Perm, Problem: err.Error()})
		}
		return nil
	})
	if err = recordsFinding("permissions", err, add); err != nil {
		return nil, nil, err
	}
	groups = map[string]bool{}
	err = r.Groups(func(g store.Group) error {
		groups[g.Name] = true
		if err := ident.ValidateGroupName(g.Name); err != nil {
			add(Finding{Check: "names", Subject: "group " + g.Name, Problem: err.Error()})
		}
		for _, p := range g.Permissions {
			if !perms[p] {
				add(Finding{Check: "references", Subject: "group " + g.Name, Problem: fmt.Sprintf("is granted %s, which does not exist", p), Fixable: true})
			}
		}
		return nil
	})
	if err = recordsFinding("groups", err, add); err != nil {
		return nil, nil, err
	}
	return groups, perms, nil
}

func (s *Service) doctorUsers(r store.Reader, groups, perms map[string]bool, add func(Finding)) error {
	// normalised maps each NFKC form to the first username that has it:
	// Django's login would find only one of two such users.
	normalised := map[string]string{}
	err := r.Users("", func(u store.User) error {
		subject := "user " + u.Username
		if err := ident.ValidateUsername(u.Username); err != nil {
			add(Finding{Check: "names", Subject: subject, Problem: err.Error()})
		}
		n := ident.NormalizeUsername(u.Username)
		if first, dup := normalised[n]; dup {
			add(Finding{Check: "names", Subject: subject, Problem: fmt.Sprintf("equals user %s after NFKC normalisation", first)})
		} else {
			normalised[n] = u.Username
		}
		for _, g := range u.Groups {
			if !groups[g] {
				add(Finding{Check: "references", Subject: subject, Problem: fmt.Sprintf("is a member of group %s, which does not exist", g), Fixable: true})
			}
		}
		for _, p := range u.Permissions {
			if !perms[p] {
				add(Finding{Check: "references", Subject: subject, Problem: fmt.Sprintf("is granted %s, which does not exist", p), Fixable: true})
			}
		}
		if problem := s.hashPolicy(u.Password); problem != "" {
			add(Finding{Check: "hashes", Subject: subject, Problem: problem})
		}
		if u.IsSuperuser && u.IsActive && !s.usablePassword(u.Password) {
			add(Finding{Check: "superusers", Subject: subject, Problem: "is a superuser with no usable password: nobody can log in as it"})
		}
		return nil
	})
	return recordsFinding("users", err, add)
}

// verifyOnly are the algorithms Django keeps only to read old databases.
var verifyOnly = []string{"pbkdf2_sha1", "bcrypt", "sha1", "md5", "unsalted_sha1", "unsalted_md5"}

// hashPolicy says how encoded falls short of the current policy, or "".
// An unusable password is not a finding: it is how accounts without a
// password are made.
func (s *Service) hashPolicy(encoded string) string {
	if !hasher.IsUsable(encoded) {
		return ""
	}
	if encoded == "" {
		return "has an empty password field: it can never log in (set a password or make it unusable)"
	}
	if err := s.hashers.Validate(encoded); err != nil {
		return fmt.Sprintf("has a password hash that cannot be verified (%v): it can never log in until the password is reset", err)
	}
	h, _ := s.hashers.Identify(encoded)
	preferred := s.hashers.Preferred()
	switch alg := h.Algorithm(); {
	case slices.Contains(verifyOnly, alg) && (alg == "unsalted_sha1" || alg == "unsalted_md5"):
		return fmt.Sprintf("has an unsalted %s hash: reset the password, or it is upgraded at the next login", alg)
	case slices.Contains(verifyOnly, alg):
		return fmt.Sprintf("has a legacy %s hash: reset the password, or it is upgraded at the next login", alg)
	case alg != preferred.Algorithm():
		return fmt.Sprintf("has a %s hash, not the preferred %s: it is upgraded at the next login", alg, preferred.Algorithm())
	case preferred.MustUpdate(encoded):
		return fmt.Sprintf("has a %s hash whose parameters differ from the configured ones: it is upgraded at the next login", alg)
	}
	return ""
}

func (s *Service) usablePassword(encoded string) bool {
	return hasher.IsUsable(encoded) && encoded != "" && s.hashers.Validate(encoded) == nil
}

// DoctorFix removes every dangling reference (a membership of a group that
// does not exist, a grant of a permission that does not exist) in one
// transaction with one audit record, and returns what it removed. It
// changes nothing else: the other findings need a person's decision.
func (s *Service) DoctorFix(ctx context.Context) ([]Finding, error) {
	var fixed []Finding
	ev := Event{Action: "doctor.fix", Target: "references"}
	err := s.change(ctx, ev, func(w store.Writer) error {
		fixed = fixed[:0]
		groups, perms := map[string]bool{}, map[string]bool{}
		if err := w.Permissions("", func(p store.Permission) error { perms[p.Perm] = true; return nil }); err != nil {
			return err
		}
		if err := w.Groups(func(g store.Group) error { groups[g.Name] = true; return nil }); err != nil {
			return err
		}
		err := w.Groups(func(g store.Group) error {
			keep := keepExisting(g.Permissions, perms, func(p string) {
				fixed = append(fixed, Finding{Check: "references", Subject: "group " + g.Name, Problem: "grant of " + p + " removed", Fixable: true})
			})
			if len(keep) == len(g.Permissions) {
				return nil
			}
			g.Permissions = keep
			return w.PutGroup(g)
		})
		if err != nil {
			return err
		}
		err = w.Users("", func(u store.User) error {
			subject := "user " + u.Username
			gs := keepExisting(u.Groups, groups, func(g string) {
				fixed = append(fixed, Finding{Check: "references", Subject: subject, Problem: "membership of " + g + " removed", Fixable: true})
			})
			ps := keepExisting(u.Permissions, perms, func(p string) {
				fixed = append(fixed, Finding{Check: "references", Subject: subject, Problem: "grant of " + p + " removed", Fixable: true})
			})
			if len(gs) == len(u.Groups) && len(ps) == len(u.Permissions) {
				return nil
			}
			u.Groups, u.Permissions = gs, ps
			return w.PutUser(u)
		})
		if err == nil && len(fixed) == 0 {
			return errNothingToFix // no audit record for a change that is none
		}
		return err
	})
	if errors.Is(err, errNothingToFix) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return fixed, nil
}

var errNothingToFix = errors.New("nothing to fix")

// keepExisting returns the names in list that exist, calling dropped for
// each one that does not.
func keepExisting(list []string, exists map[string]bool, dropped func(string)) []string {
	keep := make([]string, 0, len(list))
	for _, name := range list {
		if exists[name] {
			keep = append(keep, name)
		} else {
			dropped(name)
		}
	}
	return keep
}
