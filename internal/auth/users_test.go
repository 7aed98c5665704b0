package auth

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/auth/ident"
	"authctl/internal/auth/validate"
	"authctl/internal/store"
)

func refOf[T any](v T) *T { return &v }

// TestCreateUserDjangoDefaults follows the vectors' user_defaults.
func TestCreateUserDjangoDefaults(t *testing.T) {
	e := newEnv(t)
	ud := loadVectors(t).UserDefaults
	ctx := context.Background()

	u := e.mkUser("plain")
	if u.IsActive != ud.CreateUser.IsActive || u.IsStaff != ud.CreateUser.IsStaff || u.IsSuperuser != ud.CreateUser.IsSuperuser {
		t.Errorf("create_user flags %v/%v/%v, Django %+v", u.IsActive, u.IsStaff, u.IsSuperuser, ud.CreateUser)
	}
	if u.LastLogin != nil {
		t.Errorf("last_login = %v, want none", u.LastLogin)
	}
	if u.Email != "" || u.FirstName != "" || u.LastName != "" {
		t.Errorf("blank fields not blank: %+v", u)
	}

	// create_superuser: a superuser is always staff too.
	su := e.mkUser("boss", func(nu *NewUser) { nu.IsSuperuser = true })
	if su.IsActive != ud.CreateSuperuser.IsActive || su.IsStaff != ud.CreateSuperuser.IsStaff || su.IsSuperuser != ud.CreateSuperuser.IsSuperuser {
		t.Errorf("create_superuser flags %v/%v/%v, Django %+v", su.IsActive, su.IsStaff, su.IsSuperuser, ud.CreateSuperuser)
	}
	if got := e.user("boss"); !got.IsStaff || !got.IsSuperuser {
		t.Errorf("stored superuser %+v", got)
	}
	in := e.mkUser("gone", func(nu *NewUser) { nu.Inactive = true; nu.IsStaff = true })
	if in.IsActive || !in.IsStaff || in.IsSuperuser {
		t.Errorf("inactive staff: %+v", in)
	}

	// password None → unusable: "!" + 40 characters.
	nopw, err := e.svc.CreateUser(ctx, NewUser{Username: "nopw", Password: NoPassword()})
	noErr(t, err)
	if hasher.IsUsable(nopw.Password) != ud.UsableWithNone || !strings.HasPrefix(nopw.Password, ud.NonePrefix) || len(nopw.Password) != ud.NoneLength {
		t.Errorf("unusable password %q", nopw.Password)
	}
	if _, err := e.svc.Authenticate(ctx, "nopw", ""); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("unusable password authenticated: %v", err)
	}
	info, err := e.svc.GetUser(ctx, "nopw")
	noErr(t, err)
	if info.PasswordUsable {
		t.Error("GetUser says the unusable password is usable")
	}

	// NFKC and email normalisation.
	nf, err := e.svc.CreateUser(ctx, NewUser{Username: ud.NFKC.Given, Email: ud.Email.Given, Password: NoPassword()})
	noErr(t, err)
	if nf.Username != ud.NFKC.Stored || nf.Email != ud.Email.Stored {
		t.Errorf("stored %q <%s>, Django %q <%s>", nf.Username, nf.Email, ud.NFKC.Stored, ud.Email.Stored)
	}
	if !e.hasUser(ud.NFKC.Stored) || e.hasUser(ud.NFKC.Given) {
		t.Error("the user is not keyed by its normalised name")
	}
}

func TestCreateUserNormalisationAndDuplicates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, err := e.svc.CreateUser(ctx, NewUser{Username: "ｆｕｌｌｗｉｄｔｈ", Password: NoPassword()})
	noErr(t, err)
	if u.Username != "fullwidth" {
		t.Fatalf("stored as %q", u.Username)
	}
	auditBefore := len(e.audit())
	for _, name := range []string{"fullwidth", "ｆｕｌｌｗｉｄｔｈ", "ｆullwidth"} {
		_, err := e.svc.CreateUser(ctx, NewUser{Username: name, Password: RawPassword(goodPassword)})
		var ex *ExistsError
		if !errors.Is(err, ErrExists) || !errors.As(err, &ex) || ex.Kind != "user" || ex.Name != "fullwidth" {
			t.Errorf("CreateUser(%q) = %v, want ExistsError for fullwidth", name, err)
		}
	}
	if n := len(e.audit()); n != auditBefore {
		t.Errorf("failed creates appended %d audit records", n-auditBefore)
	}
	// Uniqueness is case-sensitive, as in Django.
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "FullWidth", Password: NoPassword()}); err != nil {
		t.Errorf("FullWidth is a different user: %v", err)
	}
	// ligatures, roman numerals, superscripts
	for given, want := range map[string]string{"ﬁnance": "finance", "Ⅸ": "IX", "x²": "x2"} {
		u, err := e.svc.CreateUser(ctx, NewUser{Username: given, Password: NoPassword()})
		noErr(t, err)
		if u.Username != want {
			t.Errorf("%q stored as %q, want %q", given, u.Username, want)
		}
	}
}

// TestCreateUserReportsEveryProblem: the username, the email, the names and
// every failing password validator come back together in one InvalidError,
// and nothing is written.
func TestCreateUserReportsEveryProblem(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	nu := NewUser{
		Username:  "bad name!",
		Email:     "not-an-email",
		FirstName: strings.Repeat("f", 151),
		Password:  RawPassword("123"),
	}
	_, err := e.svc.CreateUser(ctx, nu)
	var inv *InvalidError
	if !errors.As(err, &inv) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want *InvalidError", err)
	}
	want := []string{
		"Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
		"Enter a valid email address.",
		"Ensure this value has at most 150 characters (it has 151).",
		"This password is too short. It must contain at least 8 characters.",
		"This password is too common.",
		"This password is entirely numeric.",
	}
	var got []string
	for _, p := range inv.Problems {
		got = append(got, p.Error())
	}
	if !equalStrings(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var ie *ident.Error
	if !errors.As(inv.Problems[0], &ie) || ie.Field != ident.FieldUsername || ie.Code != ident.CodeInvalid {
		t.Errorf("first problem %#v", inv.Problems[0])
	}
	if err.Error() != strings.Join(want, "\n") {
		t.Errorf("Error() = %q", err.Error())
	}
	// CheckNewUser reports the same, writing nothing.
	if err2 := e.svc.CheckNewUser(context.Background(), nu); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("CheckNewUser = %v", err2)
	}
	if e.hasUser("bad name!") || len(e.audit()) != 0 {
		t.Error("an invalid user left a trace")
	}

	// Blank and over-long usernames.
	for _, name := range []string{"", strings.Repeat("a", 151), "trailing\n"} {
		if _, err := e.svc.CreateUser(ctx, NewUser{Username: name, Password: NoPassword()}); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateUser(%q) = %v, want ErrInvalid", name, err)
		}
	}
	// 150 characters is fine.
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: strings.Repeat("a", 150), Password: NoPassword()}); err != nil {
		t.Errorf("150 characters: %v", err)
	}

	// The similarity validator sees the new user's attributes (Django's
	// vector: "johndoe" for john.doe is too similar and too short).
	_, err = e.svc.CreateUser(ctx, NewUser{Username: "john.doe", Password: RawPassword("johndoe")})
	if !errors.As(err, &inv) || len(inv.Problems) != 2 ||
		inv.Problems[0].Error() != "The password is too similar to the username." ||
		!strings.HasPrefix(inv.Problems[1].Error(), "This password is too short.") {
		t.Errorf("johndoe: %v", err)
	}
}

func TestCreateUserSkipValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "weak", Password: RawPassword("123")}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("weak password accepted without SkipValidation: %v", err)
	}
	u, err := e.svc.CreateUser(ctx, NewUser{Username: "weak", Password: RawPassword("123"), SkipValidation: true})
	noErr(t, err)
	if ok, _ := e.svc.Hashers().Check("123", u.Password); !ok {
		t.Error("the skipped-validation password does not verify")
	}
	// SkipValidation never skips the name checks or the hash format check.
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "bad name", Password: RawPassword("123"), SkipValidation: true}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad name with SkipValidation: %v", err)
	}
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "h", Password: HashedPassword("nope$x"), SkipValidation: true}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad hash with SkipValidation: %v", err)
	}
	// With an empty validator set, Django's default of no validation.
	e2 := newEnv(t, func(o *Options) { o.Validators = validate.Set{} })
	if _, err := e2.svc.CreateUser(ctx, NewUser{Username: "weak", Password: RawPassword("1")}); err != nil {
		t.Errorf("empty validator set rejected: %v", err)
	}
}

func TestCreateUserHashesPasswordAndStampsDateJoined(t *testing.T) {
	e := newEnv(t)
	u := e.mkUser("alice", func(nu *NewUser) { nu.Email = "alice@example.com"; nu.FirstName = "Alice"; nu.LastName = "Liddell" })
	stored := e.user("alice")
	if strings.Contains(stored.Password, goodPassword) || !strings.HasPrefix(stored.Password, "pbkdf2_sha256$1000$") {
		t.Fatalf("stored password %q: not a pbkdf2_sha256 hash at the configured cost", stored.Password)
	}
	if stored.Password != u.Password {
		t.Error("returned and stored records differ")
	}
	if ok, mustUpdate := e.svc.Hashers().Check(goodPassword, stored.Password); !ok || mustUpdate {
		t.Errorf("stored hash check = %v, %v", ok, mustUpdate)
	}
	want := clockStart.Truncate(time.Microsecond)
	if !stored.DateJoined.Equal(want) || stored.DateJoined.Location() != time.UTC {
		t.Errorf("date_joined = %v, want %v (clock, UTC, microseconds)", stored.DateJoined, want)
	}
	if stored.Email != "alice@example.com" || stored.FirstName != "Alice" || stored.LastName != "Liddell" {
		t.Errorf("fields %+v", stored)
	}
	// Two users with the same password get different salts.
	e.mkUser("bob")
	if e.user("bob").Password == stored.Password {
		t.Error("same hash for two users: no fresh salt")
	}
}

func legacyMD5(salt, pw string) string {
	sum := md5.Sum([]byte(salt + pw))
	return "md5$" + salt + "$" + hex.EncodeToString(sum[:])
}

func TestCreateUserHashedPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := pbkdf2Set(t, 2000)
	h, err := other.Make("imported-pass")
	noErr(t, err)
	u, err := e.svc.CreateUser(ctx, NewUser{Username: "imported", Password: HashedPassword(h)})
	noErr(t, err)
	if u.Password != h || e.user("imported").Password != h {
		t.Errorf("hash not stored as given")
	}
	// A legacy hash is accepted too (verify-only algorithms may be imported).
	legacy := legacyMD5("seasalt", "old-pass")
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "legacy", Password: HashedPassword(legacy)}); err != nil {
		t.Errorf("md5 hash rejected: %v", err)
	}
	// A hash is not a password: the validators do not run on it.
	weak, err := other.Make("1")
	noErr(t, err)
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "weakhash", Password: HashedPassword(weak)}); err != nil {
		t.Errorf("validators ran on a hash: %v", err)
	}

	bad := []struct {
		hash string
		is   error
	}{
		{"foo$bar$baz", hasher.ErrUnknownAlgorithm},
		{"crypt$$ab01FAX.bQRSU", hasher.ErrUnknownAlgorithm},
		{"plaintext-password", hasher.ErrUnknownAlgorithm},
		{"pbkdf2_sha256$abc$salt$hash=", hasher.ErrMalformed},
		{"pbkdf2_sha256$1000$salt", hasher.ErrMalformed},
		{"md5$salt$nothex", hasher.ErrMalformed},
		{"", nil},
	}
	for _, b := range bad {
		_, err := e.svc.CreateUser(ctx, NewUser{Username: "x", Password: HashedPassword(b.hash)})
		if !errors.Is(err, ErrInvalid) || (b.is != nil && !errors.Is(err, b.is)) {
			t.Errorf("HashedPassword(%q): %v, want ErrInvalid wrapping %v", b.hash, err, b.is)
		}
		if strings.Contains(err.Error(), "baz") || (len(b.hash) > 12 && strings.Contains(err.Error(), b.hash)) {
			t.Errorf("error repeats the hash: %v", err)
		}
	}
	// Django's column holds 128 characters.
	long := "pbkdf2_sha256$1000$" + strings.Repeat("s", 80) + "$" + strings.Repeat("A", 43) + "="
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "x", Password: HashedPassword(long)}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "128") {
		t.Errorf("%d-character hash: %v, want ErrInvalid", len(long), err)
	}
	// The hash problem is reported with the others.
	_, err = e.svc.CreateUser(ctx, NewUser{Username: "bad name", Password: HashedPassword("foo$bar")})
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Errorf("bad name and bad hash: %v, want two problems", err)
	}
	if e.hasUser("x") {
		t.Error("a user with a bad hash was stored")
	}
	// An unusable value is a valid "hash".
	if _, err := e.svc.CreateUser(ctx, NewUser{Username: "unusable", Password: HashedPassword(hasher.Unusable())}); err != nil {
		t.Errorf("unusable value as hash: %v", err)
	}
}

func TestUpdateUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	before := len(e.audit())

	u, err := e.svc.UpdateUser(ctx, "alice", UserPatch{
		Email:     refOf("  Alice@EXAMPLE.Com "),
		FirstName: refOf("Alice"),
		IsStaff:   refOf(true),
	})
	noErr(t, err)
	if u.Email != "Alice@example.com" || u.FirstName != "Alice" || !u.IsStaff || u.IsSuperuser || !u.IsActive {
		t.Errorf("updated %+v", u)
	}
	if got := e.user("alice"); got.Email != u.Email || got.FirstName != "Alice" || !got.IsStaff {
		t.Errorf("stored %+v", got)
	}
	recs := e.audit()[before:]
	if len(recs) != 1 || recs[0].Action != "user.update" || recs[0].Target != "alice" || recs[0].Detail != "email,first_name,is_staff" {
		t.Errorf("audit %+v", recs)
	}

	// Nothing changes: no write, no record.
	_, err = e.svc.UpdateUser(ctx, "alice", UserPatch{FirstName: refOf("Alice")})
	noErr(t, err)
	if n := len(e.audit()) - before; n != 1 {
		t.Errorf("a no-op update appended a record")
	}

	// Every problem at once; nothing written.
	_, err = e.svc.UpdateUser(ctx, "alice", UserPatch{Email: refOf("nope"), LastName: refOf(strings.Repeat("l", 151)), IsSuperuser: refOf(true)})
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Errorf("invalid patch: %v", err)
	}
	if got := e.user("alice"); got.IsSuperuser || got.Email != "Alice@example.com" {
		t.Errorf("invalid patch partly applied: %+v", got)
	}
	if _, err := e.svc.UpdateUser(ctx, "nobody", UserPatch{IsStaff: refOf(true)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	// Blank email is allowed (Django's field may be blank).
	u, err = e.svc.UpdateUser(ctx, "alice", UserPatch{Email: refOf("")})
	noErr(t, err)
	if u.Email != "" {
		t.Errorf("email %q", u.Email)
	}
	// Deactivate and reactivate.
	u, err = e.svc.UpdateUser(ctx, "alice", UserPatch{IsActive: refOf(false)})
	noErr(t, err)
	if u.IsActive || e.user("alice").IsActive {
		t.Error("still active")
	}
	if _, err := e.svc.Authenticate(ctx, "alice", goodPassword); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("inactive user authenticated: %v", err)
	}
	_, err = e.svc.UpdateUser(ctx, "alice", UserPatch{IsActive: refOf(true)})
	noErr(t, err)
	if _, err := e.svc.Authenticate(ctx, "alice", goodPassword); err != nil {
		t.Errorf("reactivated user: %v", err)
	}
}

func TestDeleteUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	e.mkUser("bob")
	noErr(t, e.svc.CreateGroup(ctx, "g"))
	_, err := e.svc.AddMembers(ctx, "g", []string{"alice", "bob"})
	noErr(t, err)
	la, err := e.svc.Login(ctx, "alice", goodPassword)
	noErr(t, err)
	lb, err := e.svc.Login(ctx, "bob", goodPassword)
	noErr(t, err)
	_, err = e.svc.Authenticate(ctx, "alice", "wrong")
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatal(err)
	}
	if len(e.failures()) != 1 {
		t.Fatal("no failure record to delete")
	}

	noErr(t, e.svc.DeleteUser(ctx, "alice"))
	if e.hasUser("alice") {
		t.Fatal("alice still stored")
	}
	for _, s := range e.sessions() {
		if s.Username == "alice" {
			t.Errorf("alice's session %s survived", s.ID)
		}
	}
	if len(e.failures()) != 0 {
		t.Errorf("failure record survived: %+v", e.failures())
	}
	if _, _, err := e.svc.Whoami(ctx, la.Token); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("deleted user's token: %v", err)
	}
	if _, _, err := e.svc.Whoami(ctx, lb.Token); err != nil {
		t.Errorf("bob's session ended with alice's: %v", err)
	}
	gi, err := e.svc.GetGroup(ctx, "g")
	noErr(t, err)
	if !equalStrings(gi.Members, []string{"bob"}) {
		t.Errorf("members %v", gi.Members)
	}
	if err := e.svc.DeleteUser(ctx, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	// A user created again under the name starts clean.
	e.mkUser("alice")
	info, err := e.svc.GetUser(ctx, "alice")
	noErr(t, err)
	if len(info.User.Groups) != 0 || info.Failures != 0 {
		t.Errorf("recreated alice inherits %+v", info)
	}
}

func TestSetPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice", func(nu *NewUser) { nu.Email = "alice@example.com" })
	old := e.user("alice").Password

	// Validators run, with the user's attributes.
	err := e.svc.SetPassword(ctx, "alice", RawPassword("alice@example"), SetPasswordOptions{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "too similar to the email address") {
		t.Errorf("similar password: %v", err)
	}
	if e.user("alice").Password != old {
		t.Error("rejected password stored")
	}
	noErr(t, e.svc.SetPassword(ctx, "alice", RawPassword("N3w-Passw0rd"), SetPasswordOptions{}))
	if _, err := e.svc.Authenticate(ctx, "alice", "N3w-Passw0rd"); err != nil {
		t.Errorf("new password: %v", err)
	}
	if _, err := e.svc.Authenticate(ctx, "alice", goodPassword); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("old password still works: %v", err)
	}
	noErr(t, e.svc.SetPassword(ctx, "alice", RawPassword("1"), SetPasswordOptions{SkipValidation: true}))
	if _, err := e.svc.Authenticate(ctx, "alice", "1"); err != nil {
		t.Errorf("skip-validation password: %v", err)
	}
	if err := e.svc.SetPassword(ctx, "alice", HashedPassword("foo$bar"), SetPasswordOptions{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad hash: %v", err)
	}
	noErr(t, e.svc.SetPassword(ctx, "alice", NoPassword(), SetPasswordOptions{}))
	if hasher.IsUsable(e.user("alice").Password) {
		t.Error("NoPassword left a usable password")
	}
	if err := e.svc.SetPassword(ctx, "nobody", RawPassword(goodPassword), SetPasswordOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	// PasswordFailures: the validators against a user, in order.
	fs, err := e.svc.PasswordFailures(ctx, "123", "alice")
	noErr(t, err)
	var codes []string
	for _, f := range fs {
		codes = append(codes, f.Code)
	}
	if !equalStrings(codes, []string{validate.CodeTooShort, validate.CodeTooCommon, validate.CodeEntirelyNumeric}) {
		t.Errorf("codes %v", codes)
	}
	if _, err := e.svc.PasswordFailures(ctx, "x", "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("PasswordFailures(unknown user): %v", err)
	}
}

func TestListUsers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice", func(nu *NewUser) { nu.Email = "alice@example.com" })
	e.mkUser("bob", func(nu *NewUser) { nu.Inactive = true; nu.LastName = "Builder" })
	e.mkUser("root", func(nu *NewUser) { nu.IsSuperuser = true })
	noErr(t, e.svc.CreateGroup(ctx, "g"))
	_, err := e.svc.AddMembers(ctx, "g", []string{"bob", "root"})
	noErr(t, err)
	list := func(f UserFilter) []string {
		var out []string
		noErr(t, e.svc.ListUsers(ctx, f, func(u store.User) error {
			out = append(out, u.Username)
			return nil
		}))
		return out
	}
	for _, c := range []struct {
		f    UserFilter
		want []string
	}{
		{UserFilter{}, []string{"alice", "bob", "root"}},
		{UserFilter{Group: "g"}, []string{"bob", "root"}},
		{UserFilter{Active: refOf(true)}, []string{"alice", "root"}},
		{UserFilter{Active: refOf(false)}, []string{"bob"}},
		{UserFilter{Superuser: true}, []string{"root"}},
		{UserFilter{Search: "EXAMPLE"}, []string{"alice"}},
		{UserFilter{Search: "build"}, []string{"bob"}},
		{UserFilter{Group: "g", Active: refOf(true)}, []string{"root"}},
	} {
		if got := list(c.f); !equalStrings(got, c.want) {
			t.Errorf("ListUsers(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
	if err := e.svc.ListUsers(ctx, UserFilter{Group: "nogroup"}, func(store.User) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown group filter: %v", err)
	}
	names, err := e.svc.Usernames(ctx, "", 2)
	noErr(t, err)
	if !equalStrings(names, []string{"alice", "bob"}) {
		t.Errorf("Usernames = %v", names)
	}
}

// TestCreateUserStoreErrorIsNotExists: a failing lookup inside the write
// transaction is reported as itself, not as "already exists".
func TestCreateUserStoreErrorIsNotExists(t *testing.T) {
	e := newEnv(t)
	boom := errors.New("disk on fire (test)")
	e.hook.failUserRead = boom
	_, err := e.svc.CreateUser(context.Background(), NewUser{Username: "alice", Password: NoPassword()})
	if !errors.Is(err, boom) || errors.Is(err, ErrExists) {
		t.Errorf("err = %v, want the store error and not ErrExists", err)
	}
}

func TestHashPassword(t *testing.T) {
	e := newEnv(t)
	h, err := e.svc.HashPassword("Some-Pass-1", "")
	noErr(t, err)
	if ok, up := e.svc.Hashers().Check("Some-Pass-1", h); !ok || up || !strings.HasPrefix(h, "pbkdf2_sha256$1000$") {
		t.Errorf("HashPassword = %q (%v, %v)", h, ok, up)
	}
	for _, alg := range []string{"md5", "nope"} {
		if _, err := e.svc.HashPassword("x", alg); !errors.Is(err, ErrInvalid) {
			t.Errorf("HashPassword(%s) = %v, want ErrInvalid", alg, err)
		}
	}
	if _, err := e.svc.HashPassword("x", "md5"); !errors.Is(err, hasher.ErrVerifyOnly) {
		t.Errorf("md5: %v, want ErrVerifyOnly", err)
	}
}

// TestCheckNewUserTakenName: the check an interactive create runs before
// asking for a password also finds a taken name, after normalisation.
func TestCheckNewUserTakenName(t *testing.T) {
	e := newEnv(t)
	e.mkUser("full2")
	err := e.svc.CheckNewUser(context.Background(), NewUser{Username: "ｆｕｌｌ２", Password: NoPassword()})
	var ee *ExistsError
	if !errors.As(err, &ee) || ee.Name != "full2" {
		t.Fatalf("CheckNewUser of a taken name = %v, want ExistsError for full2", err)
	}
	if err := e.svc.CheckNewUser(context.Background(), NewUser{Username: "free", Password: NoPassword()}); err != nil {
		t.Fatalf("CheckNewUser of a free name = %v", err)
	}
}
