package interop

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDjangoValuesKeptAsStored: a Django database holding values that
// Django's forms would reject but loaddata (and the ORM) store — e-mails
// that are no address or have a non-ASCII local part, an app label
// "MyApp", a codename "Can_Feature-Post", usernames with a space, of 151
// characters or not NFKC-normalised ("ﬁnance"), a mixed-case e-mail
// domain, hashes of hashers authctl does not know, an empty password —
// imports (natural keys, numeric keys, and a users-only numeric dump after
// the full one), authenticates exactly where Django does, and exports back
// with "export --format django" to the rows Django dumped.
func TestDjangoValuesKeptAsStored(t *testing.T) {
	needDjango(t)
	t.Parallel()
	bin := buildAuthctl(t)
	site := newDjangoSite(t)

	type spec = map[string]any
	long := strings.Repeat("u", 151)
	users := []spec{
		{"username": "John Smith", "password": "john pass 1", "hasher": "pbkdf2_sha256", "email": "jörg@example.com",
			"groups": []string{"Feature Team"}, "permissions": []string{"MyApp.Can_Feature-Post"}},
		{"username": long, "password": "long pass 1", "hasher": "pbkdf2_sha256", "email": "not an address"},
		{"username": "ﬁnance", "password": "finance pass 1", "hasher": "argon2", "email": "Mixed@EXAMPLE.COM"},
		{"username": "crypt-user", "stored_password": "crypt$$ab1234567890abc", "password": "crypt pass"},
		{"username": "custom-hasher", "stored_password": "myhasher$1000$salt$c2VjcmV0aGFzaA==", "password": "custom pass"},
		{"username": "empty-password", "stored_password": "", "password": "anything"},
		{"username": "plain", "password": "plain pass 1", "hasher": "pbkdf2_sha256", "groups": []string{"Feature Team"}},
	}
	site.python(t, spec{
		"permissions": []spec{{"perm": "MyApp.Can_Feature-Post", "model": "Post", "name": "Can feature post"}},
		"groups":      []spec{{"name": "Feature Team", "permissions": []string{"MyApp.Can_Feature-Post"}}},
		"users":       users,
	}, roundtripScript, "populate", site.dir)

	perms := []string{"MyApp.Can_Feature-Post", "myapp.can_feature-post"}
	g := grid{
		perms: perms,
		login: map[string]bool{"John Smith": true, long: true, "ﬁnance": true, "plain": true},
		allows: map[string][]string{
			"John Smith": {"MyApp.Can_Feature-Post"},
			"plain":      {"MyApp.Can_Feature-Post"},
		},
	}
	for _, u := range users {
		pw, _ := u["password"].(string)
		g.users = append(g.users, rtUser{Username: u["username"].(string), Password: pw, Wrong: pw + "x"})
	}

	dump := func(name string, args ...string) string {
		path := filepath.Join(site.dir, name+".json")
		if err := os.WriteFile(path, site.manage(t, args...), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	natural := dump("natural", "dumpdata", "auth.user", "auth.group", "auth.permission", "--natural-foreign", "--natural-primary")
	numeric := dump("numeric", "dumpdata", "contenttypes", "auth")
	usersOnly := dump("users", "dumpdata", "auth.user")
	want := djangoRows(t, mustRead(t, natural))
	dj := site.query(t, g.users, g.perms)

	for _, tc := range []struct {
		name  string
		files []string
	}{
		{"natural", []string{natural}},
		{"numeric", []string{numeric}},
		{"numeric then users only", []string{numeric, usersOnly}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAuthctlDB(t, bin)
			for _, f := range tc.files {
				out, stderr, code := runAuthctl(t, a.bin, a.env, "", "import", "--format", "django", f, "-o", "json")
				if code != 0 {
					t.Fatalf("import %s: exit %d\n%s", filepath.Base(f), code, stderr)
				}
				if !strings.Contains(stderr, "authctl: warning: ") || !strings.Contains(stderr, "kept as stored") {
					t.Errorf("import %s: no warnings on stderr:\n%s", filepath.Base(f), stderr)
				}
				var changes []struct {
					Name     string   `json:"name"`
					Warnings []string `json:"warnings"`
				}
				if err := json.Unmarshal([]byte(out), &changes); err != nil {
					t.Fatalf("import -o json: %v\n%s", err, out)
				}
				warned := map[string]bool{}
				for _, c := range changes {
					warned[c.Name] = len(c.Warnings) > 0
				}
				for _, name := range []string{"John Smith", long, "ﬁnance", "crypt-user", "custom-hasher", "empty-password"} {
					if !warned[name] {
						t.Errorf("import %s: no warning for %q in -o json", filepath.Base(f), name)
					}
				}
				if warned["plain"] {
					t.Errorf("import %s: a warning for an ordinary user", filepath.Base(f))
				}
			}
			// Exported before anyone logs in (a login may upgrade a hash).
			got := djangoRows(t, a.must(t, "", "export", "--format", "django"))
			for key, w := range want {
				if gotRow, ok := got[key]; !ok {
					t.Errorf("export lacks %s", key)
				} else if gotRow != w {
					t.Errorf("%s exported as\n%s\nwant\n%s", key, gotRow, w)
				}
			}
			for key := range got {
				if _, ok := want[key]; !ok {
					t.Errorf("export has %s, which Django did not dump", key)
				}
			}
			g.compare(t, dj, a)
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// djangoRows reads a natural-key dumpdata list into its users, groups and
// permissions, keyed by model and natural key, each row's fields as
// canonical JSON (lists of references sorted, since their order is not
// the data). Content types are left out: Django's dump of auth alone has
// none.
func djangoRows(t *testing.T, data string) map[string]string {
	t.Helper()
	var objs []struct {
		Model  string                     `json:"model"`
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal([]byte(data), &objs); err != nil {
		t.Fatalf("not a dumpdata list: %v\n%.500s", err, data)
	}
	rows := map[string]string{}
	for _, o := range objs {
		compact := func(raw json.RawMessage) string {
			var v any
			_ = json.Unmarshal(raw, &v)
			b, _ := json.Marshal(v)
			return string(b)
		}
		var key string
		switch o.Model {
		case "auth.user":
			key = "user " + compact(o.Fields["username"])
		case "auth.group":
			key = "group " + compact(o.Fields["name"])
		case "auth.permission":
			key = "permission " + compact(o.Fields["content_type"]) + " " + compact(o.Fields["codename"])
		default:
			continue
		}
		fields := map[string]any{}
		for k, raw := range o.Fields {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			if list, ok := v.([]any); ok && (k == "groups" || k == "user_permissions" || k == "permissions") {
				slices.SortFunc(list, func(a, b any) int {
					ja, _ := json.Marshal(a)
					jb, _ := json.Marshal(b)
					return strings.Compare(string(ja), string(jb))
				})
			}
			fields[k] = v
		}
		b, err := json.Marshal(fields)
		if err != nil {
			t.Fatal(err)
		}
		rows[key] = string(b)
	}
	return rows
}
