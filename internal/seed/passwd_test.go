package seed

import (
	"context"
	"errors"
	"strings"
	"testing"

	"authctl/internal/auth"
)

// importPasswd runs what "import --format passwd" runs.
func importPasswd(db *testDB, input string, hashes, create bool) (auth.ApplyResult, error) {
	doc, err := DecodePasswd(strings.NewReader(input), "stdin", hashes)
	if err != nil {
		return auth.ApplyResult{}, err
	}
	return db.svc.Apply(context.Background(), doc, auth.ApplyOptions{
		UpdatePasswords: true,
		OnlyExisting:    !create,
		Origin:          "import passwd",
	})
}

func passwdDB(t *testing.T) *testDB {
	t.Helper()
	db := newDB(t)
	doc, err := Decode([]byte("users:\n  - username: alice\n  - username: bob\n    password_env: BOB_PW\n"),
		DecodeOptions{Name: "s.yaml", LookupEnv: env(map[string]string{"BOB_PW": "bob's old passphrase"})})
	if err != nil {
		t.Fatal(err)
	}
	db.apply(t, doc, auth.ApplyOptions{})
	return db
}

func (db *testDB) checkPassword(t *testing.T, user, pw string) bool {
	t.Helper()
	ok, _ := db.svc.Hashers().Check(pw, db.user(t, user).Password)
	return ok
}

// TestDecodePasswd: "user:password" lines, numbered from 1; blank lines
// skipped; CRLF endings; a password may contain ':'; bad lines kept as
// problems with their numbers.
func TestDecodePasswd(t *testing.T) {
	doc, err := DecodePasswd(strings.NewReader("alice:pw:with:colons\r\n\n  \nbadline\n:nouser\nbob:\n"), "in.txt", false)
	doc = flat(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Users) != 2 || doc.Users[0].Username != "alice" || doc.Users[0].Where != "in.txt:1" ||
		*doc.Users[0].Password != auth.RawPassword("pw:with:colons") || doc.Users[1].Where != "in.txt:6" || *doc.Users[1].Password != auth.RawPassword("") {
		t.Errorf("users: %s", dump(doc))
	}
	var got []string
	for _, p := range doc.Problems {
		got = append(got, p.Error())
	}
	wantProblems(t, got,
		[2]string{"in.txt:4", "expected user:password"},
		[2]string{"in.txt:5", "expected user:password"},
	)
	doc, _ = DecodePasswd(strings.NewReader("alice:pbkdf2_sha256$1$s$h\n"), "in.txt", true)
	doc = flat(doc)
	if *doc.Users[0].Password != auth.HashedPassword("pbkdf2_sha256$1$s$h") {
		t.Errorf("-e: %s", dump(doc))
	}
}

// TestImportPasswd: existing users get the new passwords (validated); an
// unknown user is an error with its line unless --create; every problem of
// the input (bad lines, unknown users, rejected passwords, bad hashes) is
// reported at once and nothing is written.
func TestImportPasswd(t *testing.T) {
	db := passwdDB(t)
	before := db.export(t, ExportOptions{})

	_, err := importPasswd(db, "alice:alice's new passphrase\nnobody:a fine passphrase\n\nbadline\nbob:short\n", false, false)
	if !errors.Is(err, auth.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	got := strings.Split(err.Error(), "\n")
	for _, want := range []string{
		"stdin:4: expected user:password",
		`stdin:2: user "nobody" does not exist`,
		"stdin:5: password of bob: This password is too short",
	} {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, want)
		}
		if !found {
			t.Errorf("no problem %q in:\n%v", want, err)
		}
	}
	if after := db.export(t, ExportOptions{}); after != before {
		t.Errorf("a failed import wrote:\n%s", after)
	}

	// Good lines: set, verified by the hasher; bob's old one is gone.
	res, err := importPasswd(db, "alice:alice's new passphrase\nbob:bob's new passphrase\n", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Count(auth.ActionUpdate) != 2 {
		t.Errorf("changes: %+v", res.Changes)
	}
	if !db.checkPassword(t, "alice", "alice's new passphrase") || !db.checkPassword(t, "bob", "bob's new passphrase") || db.checkPassword(t, "bob", "bob's old passphrase") {
		t.Error("the imported passwords do not verify")
	}
	// The same lines again: verified, not re-hashed.
	hash := db.user(t, "alice").Password
	res, err = importPasswd(db, "alice:alice's new passphrase\n", false, false)
	if err != nil || res.Count(auth.ActionUnchanged) != 1 || db.user(t, "alice").Password != hash {
		t.Errorf("same password again: %v %+v; hash changed: %v", err, res.Changes, db.user(t, "alice").Password != hash)
	}

	// --create makes the unknown user (validators still apply).
	if _, err := importPasswd(db, "carol:abc\n", false, true); !errors.Is(err, auth.ErrInvalid) || !strings.Contains(err.Error(), "stdin:1: password of carol") {
		t.Errorf("--create with a weak password: %v", err)
	}
	if res, err := importPasswd(db, "carol:carol's long passphrase\n", false, true); err != nil || res.Count(auth.ActionCreate) != 1 {
		t.Fatalf("--create: %v %+v", err, res.Changes)
	}
	if !db.checkPassword(t, "carol", "carol's long passphrase") {
		t.Error("carol's password does not verify")
	}

	// -e: hashes, checked for format; no validators.
	h, err := cheap(t).Make("x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importPasswd(db, "alice:"+h+"\nbob:md5$nope\n", true, false); !errors.Is(err, auth.ErrInvalid) || !strings.Contains(err.Error(), "stdin:2: password_hash: ") {
		t.Errorf("-e with a bad hash: %v", err)
	}
	if _, err := importPasswd(db, "alice:"+h+"\n", true, false); err != nil {
		t.Fatal(err)
	}
	if db.user(t, "alice").Password != h || !db.checkPassword(t, "alice", "x") {
		t.Error("-e did not store the hash as given")
	}
}
