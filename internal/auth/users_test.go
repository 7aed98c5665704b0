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
