package seed

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"authctl/internal/auth"
)

// roundTrip exports src, applies the export to an empty database and
// returns both databases' exports, which must be identical.
func roundTrip(t *testing.T, src *testDB, opts ExportOptions, name string) (string, string) {
	t.Helper()
	first := src.export(t, opts)
	doc, err := Decode([]byte(first), DecodeOptions{Name: name})
	if err != nil {
		t.Fatalf("the export does not decode: %v\n%s", err, first)
	}
	dst := newDB(t)
	res := dst.apply(t, doc, auth.ApplyOptions{Manage: true})
	if n := res.Count(auth.ActionCreate); n != len(res.Changes) {
		t.Errorf("applying the export to an empty database: %d of %d created", n, len(res.Changes))
	}
	return first, dst.export(t, opts)
}

// TestExportApplyRoundTrip: export → apply into an empty database →
// export gives the same bytes, in JSON and in YAML: users with their hashes
// (the unusable ones too), flags, names, times, memberships, permissions
// with their names and models.
func TestExportApplyRoundTrip(t *testing.T) {
	src := newDB(t)
	src.apply(t, richDoc(t), auth.ApplyOptions{Manage: true})

	for _, tc := range []struct {
		name string
		opts ExportOptions
	}{
		{"export.json", ExportOptions{}},
		{"export.yaml", ExportOptions{YAML: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, second := roundTrip(t, src, tc.opts, tc.name)
			if first != second {
				t.Errorf("the second export differs from the first:\n--- first\n%s\n--- second\n%s", first, second)
			}
			for _, want := range []string{"alice@example.com", "Can publish posts", "treat", "zoë", "!", "2020-01-02T03:04:05.678901Z", "2024-03-04T05:06:07Z"} {
				if !strings.Contains(first, want) {
					t.Errorf("the export lacks %q:\n%s", want, first)
				}
			}
		})
	}

	// The JSON export is valid JSON in the documented shape.
	var f struct {
		Permissions []map[string]any `json:"permissions"`
		Groups      []map[string]any `json:"groups"`
		Users       []map[string]any `json:"users"`
	}
	if err := json.Unmarshal([]byte(src.export(t, ExportOptions{})), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Permissions) != 3 || len(f.Groups) != 3 || len(f.Users) != 4 {
		t.Errorf("export has %d permissions, %d groups, %d users; want 3, 3, 4", len(f.Permissions), len(f.Groups), len(f.Users))
	}
	if h, _ := f.Users[0]["password_hash"].(string); !strings.HasPrefix(h, "pbkdf2_sha256$1000$") {
		t.Errorf("alice's exported hash %q is not her pbkdf2 hash", h)
	}

	// An empty database exports "{}", which applies as nothing.
	empty := newDB(t)
	if got := empty.export(t, ExportOptions{}); strings.TrimSpace(got) != "{}" {
		t.Errorf("empty export = %q", got)
	}
	if first, second := roundTrip(t, empty, ExportOptions{YAML: true}, "e.yaml"); first != second {
		t.Errorf("empty YAML round trip: %q then %q", first, second)
	}
}

// TestExportUsersOnly leaves out the definitions of groups and
// permissions; the users still name theirs, so the export applies where
// they exist and is refused, naming each missing one, where they do not.
func TestExportUsersOnly(t *testing.T) {
	src := newDB(t)
	src.apply(t, richDoc(t), auth.ApplyOptions{Manage: true})
	for _, yaml := range []bool{false, true} {
		out := src.export(t, ExportOptions{UsersOnly: true, YAML: yaml})
		doc, err := Decode([]byte(out), DecodeOptions{Name: "users"})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Permissions)+len(doc.Groups) != 0 || len(doc.AllUsers()) != 4 {
			t.Errorf("--users-only export: %d permissions, %d groups, %d users; want 0, 0, 4:\n%s", len(doc.Permissions), len(doc.Groups), len(doc.AllUsers()), out)
		}
		if !strings.Contains(out, "editors") {
			t.Errorf("--users-only export lacks the users' groups:\n%s", out)
		}
		// Into an empty database: every missing reference is reported.
		_, err = newDB(t).svc.Apply(context.Background(), doc, auth.ApplyOptions{})
		if !errors.Is(err, auth.ErrInvalid) || !strings.Contains(err.Error(), `group "editors" is neither declared nor in the database`) ||
			!strings.Contains(err.Error(), `permission "treats.eat_ice_cream" is neither declared nor in the database`) {
			t.Errorf("users-only into an empty database: %v", err)
		}
		// Into a copy of the source: nothing to change.
		res := src.apply(t, doc, auth.ApplyOptions{UpdatePasswords: true})
		if n := res.Count(auth.ActionUnchanged); n != len(res.Changes) || n != 4 {
			t.Errorf("users-only into its own database: %+v", res.Changes)
		}
	}
}

// TestDjangoExportImportRoundTrip: export --format django → import →
// export --format django gives the same bytes, and the dump has Django's
// shape: natural keys, content types first, no primary keys.
func TestDjangoExportImportRoundTrip(t *testing.T) {
	src := newDB(t)
	src.apply(t, richDoc(t), auth.ApplyOptions{Manage: true})
	first := src.exportDjango(t, false)

	var objs []struct {
		Model  string         `json:"model"`
		PK     any            `json:"pk"`
		Fields map[string]any `json:"fields"`
	}
	if err := json.Unmarshal([]byte(first), &objs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, first)
	}
	order := map[string]int{"contenttypes.contenttype": 0, "auth.permission": 1, "auth.group": 2, "auth.user": 3}
	last := 0
	types := map[string]bool{}
	for i, o := range objs {
		if o.PK != nil {
			t.Errorf("object %d has a primary key %v: natural keys only", i+1, o.PK)
		}
		if order[o.Model] < last {
			t.Errorf("object %d (%s) out of Django's order", i+1, o.Model)
		}
		last = order[o.Model]
		switch o.Model {
		case "contenttypes.contenttype":
			types[o.Fields["app_label"].(string)+"."+o.Fields["model"].(string)] = true
		case "auth.permission":
			ct := o.Fields["content_type"].([]any)
			if !types[ct[0].(string)+"."+ct[1].(string)] {
				t.Errorf("permission %v uses content type %v, not in the dump before it", o.Fields["codename"], ct)
			}
		}
	}
	// The models: as declared, from the codename, else "global".
	for _, want := range []string{"treats.treat", "blog.post", "blog.global"} {
		if !types[want] {
			t.Errorf("no content type %s in the dump (have %v)", want, types)
		}
	}

	doc, err := DecodeDjango([]byte(first), "dump.json")
	if err != nil {
		t.Fatal(err)
	}
	dst := newDB(t)
	dst.apply(t, doc, auth.ApplyOptions{UpdatePasswords: true, Origin: "import django"})
	if second := dst.exportDjango(t, false); second != first {
		t.Errorf("Django round trip differs:\n--- first\n%s\n--- second\n%s", first, second)
	}
	// And importing it again changes nothing.
	doc, _ = DecodeDjango([]byte(first), "dump.json")
	res := dst.apply(t, doc, auth.ApplyOptions{UpdatePasswords: true})
	if n := res.Count(auth.ActionUnchanged); n != len(res.Changes) {
		t.Errorf("second import: %+v", res.Changes)
	}
	// The users keep their hashes.
	if a, b := src.user(t, "alice").Password, dst.user(t, "alice").Password; a != b {
		t.Errorf("alice's hash %q became %q", a, b)
	}
}
