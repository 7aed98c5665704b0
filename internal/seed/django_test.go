package seed

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"authctl/internal/auth"
)

// Trimmed from Django 3.2's own dumpdata output (see the interop tests for
// the real thing).
const djangoNatural = `[
{"model": "auth.permission", "fields": {"name": "Can add user", "content_type": ["auth", "user"], "codename": "add_user"}},
{"model": "auth.permission", "fields": {"name": "Can eat ice cream", "content_type": ["treats", "global"], "codename": "eat_ice_cream"}},
{"model": "auth.group", "fields": {"name": "editors", "permissions": [["add_user", "auth", "user"], ["eat_ice_cream", "treats", "global"]]}},
{"model": "admin.logentry", "pk": 1, "fields": {"action_flag": 1}},
{"model": "auth.user", "fields": {"password": "argon2$argon2id$v=19$m=64,t=1,p=2$VDZDTkUxTmhjV0ZpZTBMWHAzeG5BQg$cigfREqqrKasJqSIRoD9gQ", "last_login": null, "is_superuser": false, "username": "alice", "first_name": "Alice", "last_name": "", "email": "alice@example.com", "is_staff": true, "is_active": true, "date_joined": "2026-11-27T10:58:41.812Z", "groups": [["editors"]], "user_permissions": [["add_user", "auth", "user"]]}},
{"model": "auth.user", "fields": {"password": "", "last_login": "2024-01-02T03:04:05", "username": "bob", "date_joined": "2024-01-01T00:00:00.5Z", "groups": [], "user_permissions": []}}
]`

const djangoNumeric = `[
{"model": "contenttypes.contenttype", "pk": 4, "fields": {"app_label": "auth", "model": "user"}},
{"model": "contenttypes.contenttype", "pk": 7, "fields": {"app_label": "treats", "model": "global"}},
{"model": "auth.user", "pk": 1, "fields": {"password": "argon2$argon2id$v=19$m=64,t=1,p=2$VDZDTkUxTmhjV0ZpZTBMWHAzeG5BQg$cigfREqqrKasJqSIRoD9gQ", "last_login": null, "is_superuser": false, "username": "alice", "first_name": "Alice", "last_name": "", "email": "alice@example.com", "is_staff": true, "is_active": true, "date_joined": "2026-11-27T10:58:41.812Z", "groups": [1], "user_permissions": [13]}},
{"model": "auth.group", "pk": 1, "fields": {"name": "editors", "permissions": [13, 18]}},
{"model": "auth.permission", "pk": 13, "fields": {"name": "Can add user", "content_type": 4, "codename": "add_user"}},
{"model": "auth.permission", "pk": 18, "fields": {"name": "Can eat ice cream", "content_type": 7, "codename": "eat_ice_cream"}},
{"model": "auth.user", "pk": 2, "fields": {"password": "", "last_login": "2024-01-02T03:04:05", "username": "bob", "date_joined": "2024-01-01T00:00:00.5Z", "groups": [], "user_permissions": []}}
]`

// TestDecodeDjango reads both kinds of dump into the same declarations:
// content types resolved (in any order), other models skipped, users with
// their hashes, Django's defaults for missing fields, naive times as UTC,
// an empty password as an unusable one.
func TestDecodeDjango(t *testing.T) {
	nat, err := DecodeDjango([]byte(djangoNatural), "nat.json")
	nat = flat(nat)
	if err != nil {
		t.Fatal(err)
	}
	num, err := DecodeDjango([]byte(djangoNumeric), "num.json")
	num = flat(num)
	if err != nil {
		t.Fatal(err)
	}
	if len(nat.DjangoKeys.Groups)+len(nat.DjangoKeys.Permissions) != 0 || len(num.DjangoKeys.Groups) == 0 || len(num.DjangoKeys.Permissions) == 0 {
		t.Errorf("primary keys: natural %+v, numeric %+v", nat.DjangoKeys, num.DjangoKeys)
	}
	for _, d := range []*auth.Document{nat, num} {
		d.DjangoKeys = nil
		for i := range d.Permissions {
			d.Permissions[i].Where = ""
		}
		for i := range d.Groups {
			d.Groups[i].Where = ""
		}
		for i := range d.Users {
			d.Users[i].Where = ""
		}
	}
	if !reflect.DeepEqual(nat, num) {
		t.Errorf("natural and numeric dumps differ:\n%s\n%s", dump(nat), dump(num))
	}
	if len(nat.Permissions) != 2 || nat.Permissions[0].Perm != "auth.add_user" || nat.Permissions[0].Model != "user" ||
		nat.Permissions[1].Perm != "treats.eat_ice_cream" || nat.Permissions[1].Model != "global" {
		t.Errorf("permissions: %+v", nat.Permissions)
	}
	if g := nat.Groups; len(g) != 1 || !reflect.DeepEqual(*g[0].Permissions, []string{"auth.add_user", "treats.eat_ice_cream"}) {
		t.Errorf("groups: %s", dump(nat))
	}
	a, b := nat.Users[0], nat.Users[1]
	wantHash := auth.HashedPassword("argon2$argon2id$v=19$m=64,t=1,p=2$VDZDTkUxTmhjV0ZpZTBMWHAzeG5BQg$cigfREqqrKasJqSIRoD9gQ")
	if a.Username != "alice" || !reflect.DeepEqual(*a.Password, wantHash) || !*a.IsStaff || *a.Email != "alice@example.com" ||
		!reflect.DeepEqual(*a.Groups, []string{"editors"}) || !reflect.DeepEqual(*a.Permissions, []string{"auth.add_user"}) ||
		a.LastLogin != nil || !a.DateJoined.Equal(time.Date(2026, 11, 27, 10, 58, 41, 812000000, time.UTC)) {
		t.Errorf("alice: %s", dump(nat))
	}
	if !reflect.DeepEqual(*b.Password, auth.HashedPassword("")) || !*b.IsActive || *b.IsStaff || *b.IsSuperuser ||
		!b.LastLogin.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) || !b.DateJoined.Equal(time.Date(2024, 1, 1, 0, 0, 0, 5e8, time.UTC)) {
		t.Errorf("bob: %s", dump(nat))
	}
}

// TestDecodeDjangoProblems: every bad object is reported, with its index.
func TestDecodeDjangoProblems(t *testing.T) {
	src := `[
{"model": "auth.permission", "pk": 1, "fields": {"name": "x", "content_type": 99, "codename": "x"}},
{"model": "auth.group", "pk": 1, "fields": {"name": "g", "permissions": [42]}},
{"model": "auth.user", "pk": 1, "fields": {"username": "u", "password": 5, "is_staff": "yes", "groups": [7], "date_joined": "soon"}}
]`
	_, err := DecodeDjango([]byte(src), "bad.json")
	if !errors.Is(err, auth.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{
		"bad.json: object 1 (auth.permission): content_type: content type 99 is neither in the file",
		"bad.json: object 2 (auth.group): permissions: permission 42 is neither in the file",
		"bad.json: object 3 (auth.user): password must be a string",
		"bad.json: object 3 (auth.user): is_staff must be true or false",
		"bad.json: object 3 (auth.user): groups: group 7 is neither in the file",
		"bad.json: object 3 (auth.user): date_joined:",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := DecodeDjango([]byte(`{"not": "a list"}`), "obj.json"); !errors.Is(err, auth.ErrInvalid) {
		t.Errorf("an object instead of a list: %v", err)
	}
}
