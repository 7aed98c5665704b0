package interop

// Users, groups and permissions moved between a live Django site and the
// authctl binary, both ways, through dumpdata/loaddata and import/export:
// the passwords still work and every permission answer agrees. The Django
// side is roundtrip_django.py, which writes a throw-away project (sqlite,
// cheap hashers) into a temporary directory.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const roundtripScript = "roundtrip_django.py"

// djangoSite is a migrated Django project in a temporary directory.
type djangoSite struct{ dir string }

func newDjangoSite(t *testing.T) *djangoSite {
	t.Helper()
	s := &djangoSite{dir: t.TempDir()}
	s.python(t, nil, roundtripScript, "init", s.dir)
	return s
}

// python runs python3 with args, stdin given as JSON (nil: none),
// and returns its standard output.
func (s *djangoSite) python(t *testing.T, stdin any, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	if stdin != nil {
		b, err := json.Marshal(stdin)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdin = bytes.NewReader(b)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", python, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// manage runs "python3 manage.py ARGS" as a site's administrator would.
func (s *djangoSite) manage(t *testing.T, args ...string) []byte {
	t.Helper()
	return s.python(t, nil, append([]string{filepath.Join(s.dir, "manage.py")}, args...)...)
}

// rtUser is a user and the password it should log in with.
type rtUser struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Wrong    string `json:"wrong"`
}

// djangoAnswer is roundtrip_django.py's view of one user.
type djangoAnswer struct {
	Exists      bool            `json:"exists"`
	Right       bool            `json:"right"`
	Wrong       bool            `json:"wrong"`
	HasPerm     map[string]bool `json:"has_perm"`
	Email       string          `json:"email"`
	FirstName   string          `json:"first_name"`
	LastName    string          `json:"last_name"`
	IsActive    bool            `json:"is_active"`
	IsStaff     bool            `json:"is_staff"`
	IsSuperuser bool            `json:"is_superuser"`
	Groups      []string        `json:"groups"`
	Algorithm   string          `json:"algorithm"`
}

// query asks Django's authenticate() and has_perm() about users × perms.
func (s *djangoSite) query(t *testing.T, users []rtUser, perms []string) map[string]djangoAnswer {
	t.Helper()
	out := s.python(t, map[string]any{"users": users, "perms": perms}, roundtripScript, "query", s.dir)
	var resp struct {
		Users map[string]djangoAnswer `json:"users"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("query: %v\n%s", err, out)
	}
	return resp.Users
}

// authctlDB is the built binary over its own database.
type authctlDB struct {
	bin string
	env []string
}

func newAuthctlDB(t *testing.T, bin string) *authctlDB {
	env := append(isolatedEnv(t), "AUTHCTL_HASHER_ALGORITHM=pbkdf2_sha256", "AUTHCTL_HASHER_PBKDF2_ITERATIONS=1000")
	return &authctlDB{bin: bin, env: env}
}

// must runs authctl and fails t unless it exits 0.
func (a *authctlDB) must(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, stderr, code := runAuthctl(t, a.bin, a.env, stdin, args...)
	if code != 0 {
		t.Fatalf("authctl %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return out
}

// authenticate reports whether "authctl authenticate" accepts the password
// (exit 0) or refuses it (exit 1); anything else fails t.
func (a *authctlDB) authenticate(t *testing.T, user, password string) bool {
	t.Helper()
	_, stderr, code := runAuthctl(t, a.bin, a.env, password+"\n", "authenticate", user, "--password-stdin")
	if code > 1 {
		t.Fatalf("authctl authenticate %s: exit %d: %s", user, code, stderr)
	}
	return code == 0
}

// check is "authctl check PERMS --user U -o json": each permission's answer.
func (a *authctlDB) check(t *testing.T, user string, perms []string) map[string]bool {
	t.Helper()
	args := append([]string{"check"}, perms...)
	out, stderr, code := runAuthctl(t, a.bin, a.env, "", append(args, "--user", user, "-o", "json")...)
	if code > 1 {
		t.Fatalf("authctl check --user %s: exit %d: %s", user, code, stderr)
	}
	var d struct {
		Results []struct {
			Permission string `json:"permission"`
			Allowed    bool   `json:"allowed"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("check -o json: %v\n%s", err, out)
	}
	got := map[string]bool{}
	for _, r := range d.Results {
		got[r.Permission] = r.Allowed
	}
	return got
}

// exportedUser is a user in "authctl export".
type exportedUser struct {
	Username    string   `json:"username"`
	Email       string   `json:"email"`
	FirstName   string   `json:"first_name"`
	LastName    string   `json:"last_name"`
	IsActive    bool     `json:"is_active"`
	IsStaff     bool     `json:"is_staff"`
	IsSuperuser bool     `json:"is_superuser"`
	Groups      []string `json:"groups"`
	Password    string   `json:"password_hash"`
}

func (a *authctlDB) users(t *testing.T) map[string]exportedUser {
	t.Helper()
	var f struct {
		Users []exportedUser `json:"users"`
	}
	out := a.must(t, "", "export")
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	m := map[string]exportedUser{}
	for _, u := range f.Users {
		m[u.Username] = u
	}
	return m
}

// grid is the expected answers: who logs in with the right password, and
// who has which permission.
type grid struct {
	perms  []string
	users  []rtUser
	login  map[string]bool
	allows map[string][]string // user → the permissions it has
}

// compare checks Django's answers and authctl's against the grid, so that
// agreeing on a wrong answer fails too. Passwords are tried only after the
// permissions: authctl upgrades a hash when a password verifies.
func (g grid) compare(t *testing.T, dj map[string]djangoAnswer, a *authctlDB) {
	t.Helper()
	exported := a.users(t)
	for _, u := range g.users {
		d, ok := dj[u.Username]
		if !ok || !d.Exists {
			t.Errorf("%s: not in Django", u.Username)
			continue
		}
		e, ok := exported[u.Username]
		if !ok {
			t.Errorf("%s: not in authctl", u.Username)
			continue
		}
		slices.Sort(e.Groups)
		if d.Email != e.Email || d.FirstName != e.FirstName || d.LastName != e.LastName || d.IsActive != e.IsActive ||
			d.IsStaff != e.IsStaff || d.IsSuperuser != e.IsSuperuser || !slices.Equal(d.Groups, e.Groups) {
			t.Errorf("%s differs:\nDjango  %+v\nauthctl %+v", u.Username, d, e)
		}
		got := a.check(t, u.Username, g.perms)
		for _, p := range g.perms {
			want := slices.Contains(g.allows[u.Username], p)
			if d.HasPerm[p] != want || got[p] != want {
				t.Errorf("%s has %s: Django %v, authctl %v, want %v", u.Username, p, d.HasPerm[p], got[p], want)
			}
		}
		wrong := a.authenticate(t, u.Username, u.Wrong)
		right := a.authenticate(t, u.Username, u.Password)
		if want := g.login[u.Username]; d.Right != want || right != want {
			t.Errorf("%s logs in with the right password: Django %v, authctl %v, want %v (hash %s)", u.Username, d.Right, right, want, e.Password)
		}
		if d.Wrong || wrong {
			t.Errorf("%s logs in with a near miss: Django %v, authctl %v", u.Username, d.Wrong, wrong)
		}
	}
}

// TestDjangoDumpIntoAuthctl: users, groups and permissions (a custom
// permission among them) made in Django, dumped both ways (natural keys
// and numeric ones), imported into authctl: the passwords of every
// hasher work, and "authctl check" agrees with Django's has_perm.
func TestDjangoDumpIntoAuthctl(t *testing.T) {
	needDjango(t)
	t.Parallel()
	bin := buildAuthctl(t)
	site := newDjangoSite(t)

	type spec = map[string]any
	users := []spec{
		{"username": "alice", "password": "alice pass 1", "hasher": "argon2", "email": "alice@example.com",
			"first_name": "Alice", "last_name": "Liddell", "groups": []string{"editors"}, "permissions": []string{"auth.publish_user"}},
		{"username": "bob", "password": "bob pass 1", "hasher": "bcrypt_sha256", "is_staff": true, "permissions": []string{"auth.add_user"}},
		{"username": "carol", "password": "carol pass 1", "hasher": "pbkdf2_sha256", "is_superuser": true, "is_staff": true},
		{"username": "dave", "password": "dave pass 1", "hasher": "pbkdf2_sha1"},
		{"username": "erin", "password": "erin pass 1", "hasher": "pbkdf2_sha256", "is_active": false, "groups": []string{"editors"}},
		{"username": "frank", "password": nil, "groups": []string{"editors"}},
		{"username": "zoë", "password": "pässwörd ✓ $ long", "hasher": "argon2", "first_name": "Zoë", "permissions": []string{"contenttypes.view_contenttype"}},
	}
	site.python(t, spec{
		"permissions": []spec{
			{"perm": "treats.eat_ice_cream", "model": "global", "name": "Can eat ice cream"},
			{"perm": "auth.publish_user", "model": "user", "name": "Can publish user"},
		},
		"groups": []spec{{"name": "editors", "permissions": []string{"auth.change_group", "treats.eat_ice_cream"}}},
		"users":  users,
	}, roundtripScript, "populate", site.dir)

	g := grid{
		perms: []string{"auth.add_user", "auth.change_group", "auth.publish_user", "treats.eat_ice_cream", "contenttypes.view_contenttype", "treats.no_such_perm"},
		login: map[string]bool{"alice": true, "bob": true, "carol": true, "dave": true, "zoë": true},
		allows: map[string][]string{
			"alice": {"auth.change_group", "auth.publish_user", "treats.eat_ice_cream"},
			"bob":   {"auth.add_user"},
			"carol": {"auth.add_user", "auth.change_group", "auth.publish_user", "treats.eat_ice_cream", "contenttypes.view_contenttype", "treats.no_such_perm"},
			"frank": {"auth.change_group", "treats.eat_ice_cream"},
			"zoë":   {"contenttypes.view_contenttype"},
		},
	}
	for _, u := range users {
		pw, _ := u["password"].(string)
		g.users = append(g.users, rtUser{Username: u["username"].(string), Password: pw, Wrong: pw + "x"})
	}

	dumps := map[string][]string{
		"natural": {"dumpdata", "auth.user", "auth.group", "auth.permission", "--natural-foreign", "--natural-primary"},
		"numeric": {"dumpdata", "contenttypes", "auth"},
	}
	files := map[string]string{}
	for name, args := range dumps {
		files[name] = filepath.Join(site.dir, name+".json")
		if err := os.WriteFile(files[name], site.manage(t, args...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Django's answers (authenticate() may upgrade hashes, after the dumps).
	dj := site.query(t, g.users, g.perms)

	for _, name := range []string{"natural", "numeric"} {
		t.Run(name, func(t *testing.T) {
			a := newAuthctlDB(t, bin)
			a.must(t, "", "import", "--format", "django", files[name])
			// Imported again: nothing to do.
			if _, stderr, _ := runAuthctl(t, a.bin, a.env, "", "import", "--format", "django", files[name]); !strings.HasPrefix(stderr, "No changes") {
				t.Errorf("second import: %s", stderr)
			}
			g.compare(t, dj, a)
		})
	}
}

// TestAuthctlExportIntoDjango: users made by authctl (pbkdf2_sha256, argon2
// and bcrypt_sha256 hashes, at low costs), groups and custom permissions,
// exported with "export --format django" and loaded with "manage.py
// loaddata" into a freshly migrated Django: Django's authenticate() and
// has_perm() agree with authctl.
func TestAuthctlExportIntoDjango(t *testing.T) {
	needDjango(t)
	t.Parallel()
	bin := buildAuthctl(t)
	a := newAuthctlDB(t, bin)
	cheapArgon2 := append(slices.Clone(a.env), "AUTHCTL_HASHER_ARGON2_TIME=1", "AUTHCTL_HASHER_ARGON2_MEMORY_KIB=64", "AUTHCTL_HASHER_ARGON2_THREADS=2")
	hash := func(alg, pw string, env []string) string {
		out, stderr, code := runAuthctl(t, bin, env, pw+"\n", "password", "hash", "--hasher", alg, "--password-stdin")
		if code != 0 {
			t.Fatalf("password hash --hasher %s: exit %d: %s", alg, code, stderr)
		}
		return strings.TrimSpace(out)
	}
	bcryptEnv := append(slices.Clone(a.env), "AUTHCTL_HASHER_BCRYPT_COST=4")
	argonHash, bcryptHash := hash("argon2", "bob pass 1", cheapArgon2), hash("bcrypt_sha256", "root pass 1", bcryptEnv)
	if !strings.Contains(argonHash, "m=64,t=1,p=2") || !strings.HasPrefix(bcryptHash, "bcrypt_sha256$$2b$04$") {
		t.Fatalf("not the cheap hashes asked for: %s %s", argonHash, bcryptHash)
	}

	seed := fmt.Sprintf(`permissions:
  - permission: treats.eat_ice_cream
    name: Can eat ice cream
  - permission: blog.add_post
  - permission: blog.publish_post
    name: Can publish posts
  - permission: auth.change_user
groups:
  - name: editors
    permissions: [blog.add_post, blog.publish_post]
  - name: staffers
    permissions: [auth.change_user]
users:
  - username: alice
    email: alice@example.com
    first_name: Alice
    last_name: Liddell
    groups: [editors]
    user_permissions: [treats.eat_ice_cream]
    password_env: ALICE_PW
  - username: bob
    is_staff: true
    groups: [staffers]
    password_hash: %s
  - username: root
    is_staff: true
    is_superuser: true
    password_hash: %s
  - username: ghost
    is_active: false
    groups: [editors]
    password_env: GHOST_PW
  - username: nopw
    user_permissions: [auth.change_user]
  - username: zoë
    first_name: Zoë
    password_env: ZOE_PW
    user_permissions: [blog.publish_post]
`, argonHash, bcryptHash)
	seedFile := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(seedFile, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	withPW := append(slices.Clone(a.env), "ALICE_PW=alice pass 1", "GHOST_PW=ghost pass 1", "ZOE_PW=pässwörd ✓ $ long")
	if _, stderr, code := runAuthctl(t, bin, withPW, "", "apply", "-f", seedFile); code != 0 {
		t.Fatalf("apply: exit %d: %s", code, stderr)
	}
	dump := filepath.Join(t.TempDir(), "auth.json")
	if err := os.WriteFile(dump, []byte(a.must(t, "", "export", "--format", "django")), 0o600); err != nil {
		t.Fatal(err)
	}

	site := newDjangoSite(t)
	if out := site.manage(t, "loaddata", dump); !strings.Contains(string(out), "Installed") {
		t.Fatalf("loaddata: %s", out)
	}

	g := grid{
		perms: []string{"treats.eat_ice_cream", "blog.add_post", "blog.publish_post", "auth.change_user", "auth.add_user", "x.no_such_perm"},
		users: []rtUser{
			{"alice", "alice pass 1", "alice pass 2"},
			{"bob", "bob pass 1", "bob pass 2"},
			{"root", "root pass 1", "root pass 2"},
			{"ghost", "ghost pass 1", "ghost pass 2"},
			{"nopw", "", "x"},
			{"zoë", "pässwörd ✓ $ long", "passwörd ✓ $ long"},
		},
		login: map[string]bool{"alice": true, "bob": true, "root": true, "zoë": true},
		allows: map[string][]string{
			"alice": {"treats.eat_ice_cream", "blog.add_post", "blog.publish_post"},
			"bob":   {"auth.change_user"},
			"root":  {"treats.eat_ice_cream", "blog.add_post", "blog.publish_post", "auth.change_user", "auth.add_user", "x.no_such_perm"},
			"nopw":  {"auth.change_user"},
			"zoë":   {"blog.publish_post"},
		},
	}
	dj := site.query(t, g.users, g.perms)
	for name, alg := range map[string]string{"alice": "pbkdf2_sha256", "bob": "argon2", "root": "bcrypt_sha256"} {
		if got := dj[name].Algorithm; got != alg {
			t.Errorf("%s's hash in Django is %q, want %q", name, got, alg)
		}
	}
	g.compare(t, dj, a)
}
