package interop

// Permission questions on a generated data set, answered by Django 3.2 and
// by the authctl binary over the same data (made in Django, dumped with
// dumpdata, imported with "authctl import"): has_perm through
// "check --batch", has_module_perms through "check --module", and
// UserManager.with_perm through "user list --with-perm", with and without
// inactive users and superusers.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// permDataset is the generated data set: users with a mix of groups,
// direct permissions, inactive and superuser flags, by formula.
func permDataset() (spec map[string]any, users, perms, apps []string) {
	apps = []string{"blog", "shop", "wiki", "auth", "nothing"}
	var permSpecs []map[string]any
	for i := range 15 {
		app := apps[i%3]
		p := fmt.Sprintf("%s.act_%02d", app, i)
		perms = append(perms, p)
		permSpecs = append(permSpecs, map[string]any{"perm": p, "model": "thing", "name": fmt.Sprintf("Can act %d", i)})
	}
	perms = append(perms, "auth.change_user", "nothing.at_all")
	var groups []map[string]any
	for g := range 6 {
		gp := []string{perms[(g*4)%15], perms[(g*4+5)%15], perms[(g*4+9)%15]}
		if g == 5 {
			gp = append(gp, "auth.change_user")
		}
		groups = append(groups, map[string]any{"name": fmt.Sprintf("group%d", g), "permissions": gp})
	}
	var userSpecs []map[string]any
	for i := range 40 {
		name := fmt.Sprintf("user%02d", i)
		users = append(users, name)
		u := map[string]any{"username": name, "password": nil, "is_active": i%7 != 3, "is_superuser": i%11 == 5}
		if i%4 != 0 {
			u["groups"] = sortedSet(fmt.Sprintf("group%d", i%6), fmt.Sprintf("group%d", (i*3+1)%6))
		}
		if i%3 == 0 {
			u["permissions"] = []string{perms[(i*7)%15]}
		}
		userSpecs = append(userSpecs, u)
	}
	return map[string]any{"permissions": permSpecs, "groups": groups, "users": userSpecs}, users, perms, apps
}

func sortedSet(s ...string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

func TestPermissionQueriesAgreeWithDjango(t *testing.T) {
	needDjango(t)
	t.Parallel()
	bin := buildAuthctl(t)
	site := newDjangoSite(t)
	spec, users, perms, apps := permDataset()
	site.python(t, spec, roundtripScript, "populate", site.dir)
	dump := filepath.Join(site.dir, "dump.json")
	if err := os.WriteFile(dump, site.manage(t, "dumpdata", "contenttypes", "auth"), 0o600); err != nil {
		t.Fatal(err)
	}
	var dj struct {
		HasPerm        map[string]map[string]bool     `json:"has_perm"`
		HasModulePerms map[string]map[string]bool     `json:"has_module_perms"`
		WithPerm       map[string]map[string][]string `json:"with_perm"`
	}
	out := site.python(t, map[string]any{"users": users, "perms": perms, "apps": apps}, "perm_queries_django.py", site.dir)
	if err := json.Unmarshal(out, &dj); err != nil {
		t.Fatalf("perm_queries_django.py: %v\n%s", err, out)
	}

	a := newAuthctlDB(t, bin)
	a.must(t, "", "import", "--format", "django", dump)

	// has_perm: every user × permission in one batch.
	var batch strings.Builder
	for _, u := range users {
		for _, p := range perms {
			fmt.Fprintf(&batch, "%s %s\n", u, p)
		}
	}
	stdout, stderr, code := runAuthctl(t, a.bin, a.env, batch.String(), "check", "--batch", "-o", "json")
	if code > 1 {
		t.Fatalf("check --batch: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(users)*len(perms) {
		t.Fatalf("check --batch answered %d lines for %d questions", len(lines), len(users)*len(perms))
	}
	allowed := 0
	for i, line := range lines {
		u, p := users[i/len(perms)], perms[i%len(perms)]
		var d struct {
			User    string `json:"user"`
			Allowed bool   `json:"allowed"`
		}
		if err := json.Unmarshal([]byte(line), &d); err != nil || d.User != u {
			t.Fatalf("line %d: %q (%v), want an answer for %s", i+1, line, err, u)
		}
		if d.Allowed != dj.HasPerm[u][p] {
			t.Errorf("%s has_perm(%s): authctl %v, Django %v", u, p, d.Allowed, dj.HasPerm[u][p])
		}
		if d.Allowed {
			allowed++
		}
	}
	if allowed == 0 || allowed == len(lines) {
		t.Fatalf("%d of %d answers allowed: the data set does not discriminate", allowed, len(lines))
	}

	// has_module_perms.
	for _, u := range users {
		for _, app := range apps {
			_, stderr, code := runAuthctl(t, a.bin, a.env, "", "check", "--module", app, "--user", u, "-q")
			if code > 1 {
				t.Fatalf("check --module %s --user %s: exit %d: %s", app, u, code, stderr)
			}
			if got := code == 0; got != dj.HasModulePerms[u][app] {
				t.Errorf("%s has_module_perms(%s): authctl %v, Django %v", u, app, got, dj.HasModulePerms[u][app])
			}
		}
	}

	// with_perm.
	variants := map[string][]string{
		"active":                 nil,
		"inactive":               {"--inactive"},
		"active_no_superusers":   {"--include-superusers=false"},
		"inactive_no_superusers": {"--inactive", "--include-superusers=false"},
	}
	for _, p := range perms {
		for key, flags := range variants {
			args := append([]string{"user", "list", "--with-perm", p, "-o", "json"}, flags...)
			var holders []struct {
				Username string `json:"username"`
			}
			if err := json.Unmarshal([]byte(a.must(t, "", args...)), &holders); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, h := range holders {
				got = append(got, h.Username)
			}
			want := dj.WithPerm[p][key]
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("with_perm(%s) %s: authctl %v, Django %v", p, key, got, want)
			}
		}
	}
}
