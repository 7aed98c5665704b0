package auth

// Tests of Apply (the engine of "apply" and "import") over a real bolt
// store. The helpers here are prefixed "ap" to stay clear of the other
// test files of the package.

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

// apDB is a Service with a cheap hasher over a fresh bolt file.
type apDB struct {
	st  store.Store
	svc *Service
}

var apNow = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

func apOpen(t *testing.T) *apDB {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "auth.db"), store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hs, err := hasher.NewSet("pbkdf2_sha256", hasher.Params{PBKDF2Iterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(st, Options{Hashers: hs, Now: func() time.Time { return apNow }})
	if err != nil {
		t.Fatal(err)
	}
	return &apDB{st: st, svc: svc}
}

func (db *apDB) apply(t *testing.T, doc *Document, opts ApplyOptions) ApplyResult {
	t.Helper()
	res, err := db.svc.Apply(context.Background(), doc, opts)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return res
}

func (db *apDB) user(t *testing.T, name string) store.User {
	t.Helper()
	var u store.User
	if err := db.st.View(context.Background(), func(r store.Reader) error {
		var err error
		u, err = r.User(name)
		return err
	}); err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return u
}

// snapshot is every record and the audit log's length: what "nothing
// was written" compares.
type apSnapshot struct {
	Users  []store.User
	Groups []store.Group
	Perms  []store.Permission
	Audit  uint64
}

func (db *apDB) snapshot(t *testing.T) apSnapshot {
	t.Helper()
	var s apSnapshot
	if err := db.st.View(context.Background(), func(r store.Reader) error {
		if err := r.Users("", func(u store.User) error { s.Users = append(s.Users, u); return nil }); err != nil {
			return err
		}
		if err := r.Groups(func(g store.Group) error { s.Groups = append(s.Groups, g); return nil }); err != nil {
			return err
		}
		if err := r.Permissions("", func(p store.Permission) error { s.Perms = append(s.Perms, p); return nil }); err != nil {
			return err
		}
		last, err := r.LastAudit()
		if err == nil {
			s.Audit = last.Seq
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

func (db *apDB) mustEqual(t *testing.T, before apSnapshot, what string) {
	t.Helper()
	if after := db.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Errorf("%s wrote:\nbefore %+v\nafter  %+v", what, before, after)
	}
}

func apStr(s string) *string        { return &s }
func apBool(b bool) *bool           { return &b }
func apList(s ...string) *[]string  { return &s }
func apPW(p Password) *Password     { return &p }
func apTime(t time.Time) *time.Time { return &t }
func apAll(cs []Change) []string    { return apNames(cs, "") }

// apNames lists "kind name action" for the changes (with the given action
// only, unless "").
func apNames(cs []Change, action ChangeAction) []string {
	var out []string
	for _, c := range cs {
		if action == "" || c.Action == action {
			out = append(out, c.Kind+" "+c.Name+" "+string(c.Action))
		}
	}
	return out
}

// apDoc is a small document; a fresh one each call, since Apply
// normalises the document in place.
func apDoc() *Document {
	return &Document{
		Permissions: []DocPermission{
			{Perm: "treats.eat_ice_cream", Name: "Can eat ice cream", Where: "s:2"},
			{Perm: "blog.add_post", Where: "s:3"},
		},
		Groups: []DocGroup{
			{Name: "eaters", Permissions: apList("treats.eat_ice_cream"), Where: "s:5"},
			{Name: "writers", Permissions: apList("blog.add_post", "treats.eat_ice_cream"), Where: "s:6"},
		},
		Users: []DocUser{
			{Username: "alice", Email: apStr("Alice@EXAMPLE.com"), FirstName: apStr("Alice"), Groups: apList("eaters", "writers"),
				Permissions: apList("blog.add_post"), Password: apPW(RawPassword("alice's long passphrase")), Where: "s:8"},
			{Username: "bob", IsStaff: apBool(true), Where: "s:9"},
		},
	}
}

// TestApplyIdempotent: the first apply creates everything; the second
// changes nothing, writes nothing (not even an audit record) and says so.
func TestApplyIdempotent(t *testing.T) {
	db := apOpen(t)
	res := db.apply(t, apDoc(), ApplyOptions{Manage: true})
	want := []string{
		"permission treats.eat_ice_cream created", "permission blog.add_post created",
		"group eaters created", "group writers created",
		"user alice created", "user bob created",
	}
	if got := apAll(res.Changes); !slices.Equal(got, want) {
		t.Errorf("first apply: %v, want %v", got, want)
	}
	alice := db.user(t, "alice")
	if alice.Email != "Alice@example.com" || !alice.IsActive || alice.IsStaff || !alice.Managed ||
		!slices.Equal(alice.Groups, []string{"eaters", "writers"}) || !alice.DateJoined.Equal(apNow) {
		t.Errorf("alice = %+v", alice)
	}
	if ok, _ := db.svc.Hashers().Check("alice's long passphrase", alice.Password); !ok {
		t.Error("alice's password does not verify")
	}
	if bob := db.user(t, "bob"); hasher.IsUsable(bob.Password) || !bob.IsStaff {
		t.Errorf("bob (no password declared) = %+v, want an unusable password", bob)
	}

	before := db.snapshot(t)
	for _, opts := range []ApplyOptions{{Manage: true}, {Manage: true, UpdatePasswords: true}, {Manage: true, Prune: true}} {
		res = db.apply(t, apDoc(), opts)
		if n := res.Count(ActionUnchanged); n != 6 || n != len(res.Changes) {
			t.Errorf("apply again with %+v: %v", opts, apAll(res.Changes))
		}
		db.mustEqual(t, before, "an apply with nothing to change")
	}
}

// TestApplyPasswords: a password is set on creation only; with
// UpdatePasswords it is compared by verifying, so the same password leaves
// the stored hash string as it is (no churn, no audit record), and a
// different one replaces it.
func TestApplyPasswords(t *testing.T) {
	db := apOpen(t)
	db.apply(t, apDoc(), ApplyOptions{})
	hash := db.user(t, "alice").Password

	doc := apDoc()
	doc.Users[0].Password = apPW(RawPassword("another long passphrase"))
	if res := db.apply(t, doc, ApplyOptions{}); res.Count(ActionUnchanged) != 6 {
		t.Errorf("a new password without UpdatePasswords: %v", apAll(res.Changes))
	}
	if db.user(t, "alice").Password != hash {
		t.Fatal("the password changed without UpdatePasswords")
	}

	before := db.snapshot(t)
	for range 2 {
		res := db.apply(t, apDoc(), ApplyOptions{UpdatePasswords: true})
		if res.Count(ActionUnchanged) != 6 {
			t.Errorf("the same password with UpdatePasswords: %v", apAll(res.Changes))
		}
		if got := db.user(t, "alice").Password; got != hash {
			t.Fatalf("the same password was re-hashed: %q became %q", hash, got)
		}
	}
	db.mustEqual(t, before, "UpdatePasswords with the same password")

	res := db.apply(t, doc, ApplyOptions{UpdatePasswords: true})
	if got := apNames(res.Changes, ActionUpdate); !slices.Equal(got, []string{"user alice updated"}) || !slices.Equal(res.Changes[4].Fields, []string{"password"}) {
		t.Errorf("a new password with UpdatePasswords: %v %+v", got, res.Changes[4])
	}
	newHash := db.user(t, "alice").Password
	if ok, _ := db.svc.Hashers().Check("another long passphrase", newHash); !ok {
		t.Error("the new password does not verify")
	}

	// A declared hash is compared as a string: the same one is unchanged,
	// another replaces it; NoPassword makes the password unusable.
	doc = apDoc()
	doc.Users[0].Password = apPW(HashedPassword(newHash))
	if res := db.apply(t, doc, ApplyOptions{UpdatePasswords: true}); res.Count(ActionUnchanged) != 6 {
		t.Errorf("the stored hash declared again: %v", apAll(res.Changes))
	}
	doc = apDoc()
	doc.Users[0].Password = apPW(HashedPassword(hash))
	if res := db.apply(t, doc, ApplyOptions{UpdatePasswords: true}); res.Count(ActionUpdate) != 1 || db.user(t, "alice").Password != hash {
		t.Errorf("another hash: %v", apAll(res.Changes))
	}
	doc = apDoc()
	doc.Users[0].Password = apPW(NoPassword())
	db.apply(t, doc, ApplyOptions{UpdatePasswords: true})
	if hasher.IsUsable(db.user(t, "alice").Password) {
		t.Error("NoPassword with UpdatePasswords left a usable password")
	}
	// No password declared: left alone even with UpdatePasswords.
	doc = apDoc()
	doc.Users[0].Password = nil
	db.apply(t, doc, ApplyOptions{UpdatePasswords: true})
	if !strings.HasPrefix(db.user(t, "alice").Password, "!") {
		t.Error("an absent password changed the stored one")
	}
}

// TestApplyDryRun plans without writing, and the plan is what the real
// apply then does.
func TestApplyDryRun(t *testing.T) {
	db := apOpen(t)
	before := db.snapshot(t)
	plan := db.apply(t, apDoc(), ApplyOptions{DryRun: true, Manage: true})
	db.mustEqual(t, before, "a dry run")
	applied := db.apply(t, apDoc(), ApplyOptions{Manage: true})
	if !reflect.DeepEqual(plan, applied) {
		t.Errorf("dry run %v, apply %v", apAll(plan.Changes), apAll(applied.Changes))
	}

	doc := apDoc()
	doc.Users = doc.Users[:1]
	doc.Users[0].FirstName = apStr("Alicia")
	doc.Groups[1].Permissions = apList("blog.add_post")
	before = db.snapshot(t)
	plan = db.apply(t, doc, ApplyOptions{DryRun: true, Prune: true})
	db.mustEqual(t, before, "a dry run with changes and --prune")
	want := []string{
		"permission treats.eat_ice_cream unchanged", "permission blog.add_post unchanged",
		"group eaters unchanged", "group writers updated", "user alice updated", "user bob deleted",
	}
	if got := apAll(plan.Changes); !slices.Equal(got, want) {
		t.Errorf("plan %v, want %v", got, want)
	}
	if f := plan.Changes[4].Fields; !slices.Equal(f, []string{"first_name"}) {
		t.Errorf("alice's changed fields: %v", f)
	}
}

// TestApplyChangeJSON: -o json prints Change as {"kind","name","action"}
// (and "fields" for updates).
func TestApplyChangeJSON(t *testing.T) {
	b, err := json.Marshal([]Change{
		{Kind: "user", Name: "alice", Action: ActionCreate},
		{Kind: "group", Name: "g", Action: ActionUpdate, Fields: []string{"permissions"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"kind":"user","name":"alice","action":"created"},{"kind":"group","name":"g","action":"updated","fields":["permissions"]}]`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}

// TestApplyAbsentFieldsLeftAlone: a field the document leaves out is not
// managed: it keeps whatever it is, including changes made by hand.
func TestApplyAbsentFieldsLeftAlone(t *testing.T) {
	db := apOpen(t)
	db.apply(t, apDoc(), ApplyOptions{})
	ctx := context.Background()
	if _, err := db.svc.UpdateUser(ctx, "alice", UserPatch{LastName: apStr("Liddell"), IsStaff: apBool(true)}); err != nil {
		t.Fatal(err)
	}
	before := db.user(t, "alice")
	doc := &Document{Users: []DocUser{{Username: "alice", Where: "s:1"}}}
	if res := db.apply(t, doc, ApplyOptions{UpdatePasswords: true}); res.Count(ActionUnchanged) != 1 {
		t.Errorf("a bare declaration: %v", apAll(res.Changes))
	}
	if after := db.user(t, "alice"); !reflect.DeepEqual(before, after) {
		t.Errorf("a bare declaration changed alice:\n%+v\n%+v", before, after)
	}
	// A declared field changes only itself; an empty list is a list.
	doc = &Document{Users: []DocUser{{Username: "alice", FirstName: apStr("Al"), Groups: apList(), Where: "s:1"}}}
	res := db.apply(t, doc, ApplyOptions{})
	if f := res.Changes[0].Fields; !slices.Equal(f, []string{"first_name", "groups"}) {
		t.Errorf("fields %v", f)
	}
	after := db.user(t, "alice")
	want := before
	want.FirstName, want.Groups = "Al", []string{}
	if !reflect.DeepEqual(after, want) {
		t.Errorf("alice:\n%+v\nwant\n%+v", after, want)
	}
	// A group without a permissions list keeps its permissions.
	db.apply(t, &Document{Groups: []DocGroup{{Name: "writers", Where: "s:1"}}}, ApplyOptions{})
	var g store.Group
	_ = db.st.View(ctx, func(r store.Reader) error { g, _ = r.Group("writers"); return nil })
	if len(g.Permissions) != 2 {
		t.Errorf("writers lost its permissions: %+v", g)
	}
}

// TestApplyTimes: times are kept to the microsecond (Django's columns), so
// a file with nanoseconds applies once and then stays unchanged.
func TestApplyTimes(t *testing.T) {
	db := apOpen(t)
	joined := time.Date(2020, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))
	login := time.Date(2021, 1, 2, 3, 4, 5, 999, time.UTC)
	doc := func() *Document {
		return &Document{Users: []DocUser{{Username: "t", DateJoined: apTime(joined), LastLogin: apTime(login), Where: "s:1"}}}
	}
	db.apply(t, doc(), ApplyOptions{})
	u := db.user(t, "t")
	if !u.DateJoined.Equal(joined.Truncate(time.Microsecond)) || u.DateJoined.Location() != time.UTC || !u.LastLogin.Equal(login.Truncate(time.Microsecond)) {
		t.Errorf("times %v, %v", u.DateJoined, u.LastLogin)
	}
	if res := db.apply(t, doc(), ApplyOptions{}); res.Count(ActionUnchanged) != 1 {
		t.Errorf("the same times again: %+v", res.Changes)
	}
}

// TestApplyPrune deletes only what an earlier apply created and the
// document no longer declares: never objects made by hand or imported,
// never a group or permission the document still refers to. References
// to what it deletes go from the remaining users and groups, hand-made
// ones included.
func TestApplyPrune(t *testing.T) {
	db := apOpen(t)
	ctx := context.Background()
	db.apply(t, apDoc(), ApplyOptions{Manage: true})
	// By hand: a user in a managed group with a managed permission, a group
	// holding a managed permission, a permission.
	if _, err := db.svc.CreateUser(ctx, NewUser{Username: "hand", Password: NoPassword()}); err != nil {
		t.Fatal(err)
	}
	if err := db.svc.CreateGroup(ctx, "handgroup"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.svc.CreatePermission(ctx, "hand.made", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.svc.AddMembers(ctx, "writers", []string{"hand"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.svc.Grant(ctx, Grantee{User: "hand"}, []string{"treats.eat_ice_cream", "hand.made"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.svc.Grant(ctx, Grantee{Group: "handgroup"}, []string{"treats.eat_ice_cream", "blog.add_post"}, false); err != nil {
		t.Fatal(err)
	}
	// Imported (not managed).
	db.apply(t, &Document{Users: []DocUser{{Username: "imported", Where: "d:1"}}}, ApplyOptions{Origin: "import django"})

	// The document keeps alice only, and her user_permissions name
	// blog.add_post, which it no longer declares.
	doc := &Document{Users: []DocUser{{Username: "alice", Groups: apList("eaters"), Permissions: apList("blog.add_post"), Where: "s:1"}}}
	res := db.apply(t, doc, ApplyOptions{Manage: true, Prune: true})
	if got, want := apNames(res.Changes, ActionDelete), []string{"user bob deleted", "group writers deleted", "permission treats.eat_ice_cream deleted"}; !slices.Equal(got, want) {
		t.Errorf("deleted %v, want %v", got, want)
	}
	for _, name := range []string{"hand", "imported", "alice"} {
		db.user(t, name) // still there
	}
	hand := db.user(t, "hand")
	if len(hand.Groups) != 0 || !slices.Equal(hand.Permissions, []string{"hand.made"}) {
		t.Errorf("hand kept references to pruned objects: %+v", hand)
	}
	var hg, eaters store.Group
	_ = db.st.View(ctx, func(r store.Reader) error {
		hg, _ = r.Group("handgroup")
		eaters, _ = r.Group("eaters")
		_, err := r.Permission("hand.made")
		if err != nil {
			t.Errorf("the hand-made permission: %v", err)
		}
		if _, err := r.Permission("blog.add_post"); err != nil {
			t.Errorf("blog.add_post, still named by alice, was pruned: %v", err)
		}
		return nil
	})
	if !slices.Equal(hg.Permissions, []string{"blog.add_post"}) || len(eaters.Permissions) != 0 {
		t.Errorf("groups kept references to pruned permissions: %+v %+v", hg, eaters)
	}
	// And the result is stable.
	doc = &Document{Users: []DocUser{{Username: "alice", Groups: apList("eaters"), Permissions: apList("blog.add_post"), Where: "s:1"}}}
	if res := db.apply(t, doc, ApplyOptions{Manage: true, Prune: true}); res.Count(ActionUnchanged) != 1 || len(res.Changes) != 1 {
		t.Errorf("prune again: %v", apAll(res.Changes))
	}
}

// TestApplyReportsEverything: problems found while reading, problems of
// the document itself and missing references are all reported in one
// error, each with its location, and nothing is written.
func TestApplyReportsEverything(t *testing.T) {
	db := apOpen(t)
	db.apply(t, &Document{Groups: []DocGroup{{Name: "existing", Where: "x"}}}, ApplyOptions{})
	before := db.snapshot(t)
	doc := &Document{
		Problems:    []error{errors.New("s.yaml:30: user envy: password_env: environment variable NOPE is not set")},
		Permissions: []DocPermission{{Perm: "Not A Perm", Where: "s.yaml:2"}},
		Groups:      []DocGroup{{Name: "g1", Permissions: apList("nope.missing"), Where: "s.yaml:4"}},
		Users: []DocUser{
			{Username: "full2", Groups: apList("existing", "nogroup"), Where: "s.yaml:10"},
			{Username: "ｆｕｌｌ２", Where: "s.yaml:12"},
			{Username: "hashy", Password: apPW(HashedPassword("md5$nope")), Where: "s.yaml:14"},
			{Username: "weak", Password: apPW(RawPassword("abc")), Permissions: apList("also.missing"), Where: "s.yaml:16"},
			{Username: "bad name!", Where: "s.yaml:18"},
		},
	}
	_, err := db.svc.Apply(context.Background(), doc, ApplyOptions{})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"s.yaml:30: user envy: password_env",
		"s.yaml:2: ",
		`s.yaml:12: user "ｆｕｌｌ２" ("full2" after normalisation) is declared twice (also at s.yaml:10 as "full2")`,
		"s.yaml:14: password_hash: ",
		"s.yaml:16: password of weak: This password is too short",
		"s.yaml:18: ",
		`s.yaml:4: group g1: permission "nope.missing" is neither declared nor in the database`,
		`s.yaml:10: user full2: group "nogroup" is neither declared nor in the database`,
		`s.yaml:16: user weak: permission "also.missing" is neither declared nor in the database`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, `"existing"`) {
		t.Errorf("a group in the database was reported missing:\n%s", msg)
	}
	lines := strings.Split(msg, "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		if seen[l] {
			t.Errorf("reported twice: %q", l)
		}
		seen[l] = true
	}
	db.mustEqual(t, before, "an invalid document")
}

// TestApplyOnlyExisting is chpasswd's rule for password imports: a user
// that does not exist is an error with its location.
func TestApplyOnlyExisting(t *testing.T) {
	db := apOpen(t)
	db.apply(t, apDoc(), ApplyOptions{})
	doc := &Document{Users: []DocUser{
		{Username: "alice", Password: apPW(RawPassword("a new long passphrase")), Where: "stdin:1"},
		{Username: "ghost", Password: apPW(RawPassword("a new long passphrase")), Where: "stdin:2"},
	}}
	_, err := db.svc.Apply(context.Background(), doc, ApplyOptions{OnlyExisting: true, UpdatePasswords: true})
	if !errors.Is(err, ErrInvalid) || err.Error() != `stdin:2: user "ghost" does not exist` {
		t.Errorf("err = %v", err)
	}
}

// TestApplyPlanThenExecute: a plan made against an empty store (a
// database that does not exist yet) is hashed there and written to the
// real one, only once hashed; a plan made stale by another writer fails
// whole, writing nothing.
func TestApplyPlanThenExecute(t *testing.T) {
	ctx := context.Background()
	db := apOpen(t)
	empty, err := New(store.Empty(), Options{Hashers: db.svc.Hashers()})
	if err != nil {
		t.Fatal(err)
	}
	ap, err := empty.PlanApply(ctx, apDoc(), ApplyOptions{Manage: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ap.Changes()); got != 6 {
		t.Errorf("plan: %v", apAll(ap.Changes()))
	}
	// Hashed by the planner, which has no database, and written by the
	// Service that has one; not written before it is hashed.
	before := db.snapshot(t)
	if _, err := db.svc.writeApplyPlan(ctx, ap); err == nil {
		t.Error("writeApplyPlan of a plan not hashed succeeded")
	}
	db.mustEqual(t, before, "writeApplyPlan of a plan not hashed")
	if err := empty.hashApplyPlan(ctx, ap); err != nil {
		t.Fatal(err)
	}
	if _, err := db.svc.writeApplyPlan(ctx, ap); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.svc.Hashers().Check("alice's long passphrase", db.user(t, "alice").Password); !ok {
		t.Error("alice's password does not verify")
	}

	// Stale: carol is created by someone else between planning and writing.
	doc := apDoc()
	doc.Users = append(doc.Users, DocUser{Username: "carol", Where: "s:10"}, DocUser{Username: "dave", Where: "s:11"})
	ap, err = db.svc.PlanApply(ctx, doc, ApplyOptions{Manage: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.svc.CreateUser(ctx, NewUser{Username: "carol", Password: NoPassword()}); err != nil {
		t.Fatal(err)
	}
	before = db.snapshot(t)
	if _, err := db.svc.ExecuteApply(ctx, ap); !errors.Is(err, ErrChangedDuringApply) {
		t.Errorf("stale plan: err = %v, want ErrChangedDuringApply", err)
	}
	db.mustEqual(t, before, "a stale plan")
}

// TestApplyAuditChain: an apply appends one audit record per object, each
// chained to the one before (the write remembers the last record instead
// of reading it back), after records written by other operations, and the
// whole log verifies.
func TestApplyAuditChain(t *testing.T) {
	db := apOpen(t)
	ctx := context.Background()
	if _, err := db.svc.CreateUser(ctx, NewUser{Username: "zed", Password: NoPassword()}); err != nil {
		t.Fatal(err)
	}
	res := db.apply(t, apDoc(), ApplyOptions{Manage: true})
	doc := apDoc()
	doc.Users[1].IsStaff = apBool(false)
	doc.Users = doc.Users[1:]
	db.apply(t, doc, ApplyOptions{Manage: true, Prune: true})
	if _, err := db.svc.CreateUser(ctx, NewUser{Username: "yan", Password: NoPassword()}); err != nil {
		t.Fatal(err)
	}
	// zed, six creations, bob updated and alice pruned, yan.
	want := 1 + len(res.Changes) + 2 + 1
	if n, err := db.svc.verifyCount(ctx); err != nil || n != want {
		t.Errorf("AuditVerify = %d, %v; want %d records, no error", n, err, want)
	}
}

// TestApplyReferenceDeletedWhileHashing: a group or permission deleted
// between planning and writing (while passwords were hashed) fails the
// apply with ErrChangedDuringApply and writes nothing, instead of leaving
// users in a group or holding a permission that no longer exists.
func TestApplyReferenceDeletedWhileHashing(t *testing.T) {
	ctx := context.Background()
	for _, what := range []string{"group", "permission"} {
		t.Run(what, func(t *testing.T) {
			db := apOpen(t)
			noErrAp(t, db.svc.CreateGroup(ctx, "legacy"))
			_, err := db.svc.CreatePermission(ctx, "blog.old", "")
			noErrAp(t, err)
			doc := &Document{Users: []DocUser{{
				Username: "u1", Groups: apList("legacy"), Permissions: apList("blog.old"),
				Password: apPW(RawPassword("a-Good-password-1")),
			}}}
			plan, err := db.svc.PlanApply(ctx, doc, ApplyOptions{})
			noErrAp(t, err)
			noErrAp(t, db.svc.hashApplyPlan(ctx, plan))
			if what == "group" {
				noErrAp(t, db.svc.DeleteGroup(ctx, "legacy"))
			} else {
				noErrAp(t, db.svc.DeletePermission(ctx, "blog.old"))
			}
			before := db.snapshot(t)
			if _, err := db.svc.writeApplyPlan(ctx, plan); !errors.Is(err, ErrChangedDuringApply) {
				t.Fatalf("writeApplyPlan after the %s was deleted: %v, want ErrChangedDuringApply", what, err)
			}
			db.mustEqual(t, before, "a failed writeApplyPlan")
		})
	}
}

func noErrAp(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestApplyValidatesAgainstStoredUser: a new password for an existing user
// is compared with the user's stored attributes (here the first name, which
// the document does not repeat), as `user passwd` does.
func TestApplyValidatesAgainstStoredUser(t *testing.T) {
	ctx := context.Background()
	db := apOpen(t)
	_, err := db.svc.CreateUser(ctx, NewUser{Username: "erin", FirstName: "Maximiliana", Password: NoPassword()})
	noErrAp(t, err)
	doc := &Document{Users: []DocUser{{Username: "erin", Password: apPW(RawPassword("Maximiliana1"))}}}
	_, err = db.svc.Apply(ctx, doc, ApplyOptions{UpdatePasswords: true})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "too similar to the first name") {
		t.Fatalf("Apply = %v, want the similarity failure", err)
	}
}
