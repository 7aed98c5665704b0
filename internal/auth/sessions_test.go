package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	"authctl/internal/store"
)

func TestSessionAuthHashDjangoVectors(t *testing.T) {
	cases := loadVectors(t).SessionAuthHash.Cases
	if len(cases) < 4 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		if got := SessionAuthHash([]byte(c.SecretKey), c.PasswordField); got != c.Hash {
			t.Errorf("SessionAuthHash(%q, %q) = %s, Django %s", c.SecretKey, c.PasswordField, got, c.Hash)
		}
	}
}

func (e *testEnv) login(name, pw string) LoginResult {
	e.t.Helper()
	res, err := e.svc.Login(context.Background(), name, pw)
	if err != nil {
		e.t.Fatalf("Login(%s): %v", name, err)
	}
	return res
}

func (e *testEnv) valid(token string) bool {
	e.t.Helper()
	_, _, err := e.svc.Whoami(context.Background(), token)
	if err != nil && !errors.Is(err, ErrNotLoggedIn) {
		e.t.Fatalf("Whoami: %v", err)
	}
	return err == nil
}

func TestLoginTokenAndStorage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	res := e.login("alice", goodPassword)

	if len(res.Token) != 43 {
		t.Fatalf("token %q has %d characters, want 43", res.Token, len(res.Token))
	}
	raw, err := base64.RawURLEncoding.DecodeString(res.Token)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token is not URL-safe base64 of 32 bytes: %v, %d", err, len(raw))
	}
	other := e.login("alice", goodPassword)
	if other.Token == res.Token || other.Session.ID == res.Session.ID {
		t.Error("two logins gave the same token or session")
	}

	want := tokenDigest(res.Token)
	if !bytes.Equal(res.Session.Digest, want) || res.Session.ID != hex.EncodeToString(want[:8]) {
		t.Errorf("session %+v: digest/ID not derived from SHA-256 of the token", res.Session)
	}
	if res.Session.Username != "alice" || res.User.Username != "alice" {
		t.Errorf("session %+v", res.Session)
	}
	now := clockStart.Truncate(time.Microsecond)
	if !res.Session.Created.Equal(now) || !res.Session.Expires.Equal(now.Add(DefaultSessionAge)) {
		t.Errorf("created %v expires %v, want now and now+14d", res.Session.Created, res.Session.Expires)
	}
	// last_login is set by the login.
	if u := e.user("alice"); u.LastLogin == nil || !u.LastLogin.Equal(now) {
		t.Errorf("last_login = %v, want %v", u.LastLogin, now)
	}
	if res.User.LastLogin == nil {
		t.Error("LoginResult.User has no last_login")
	}

	sess, u, err := e.svc.Whoami(ctx, res.Token)
	noErr(t, err)
	if sess.ID != res.Session.ID || u.Username != "alice" {
		t.Errorf("Whoami = %+v, %s", sess, u.Username)
	}
	for _, bad := range []string{"", res.Token[:42], res.Token + "x", "not a token"} {
		if e.valid(bad) {
			t.Errorf("Whoami(%q) is valid", bad)
		}
	}

	// The database file holds the digest, never the token (nor its raw
	// bytes).
	noErr(t, e.st.Close())
	b, err := os.ReadFile(e.path)
	noErr(t, err)
	if !bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString(want))) {
		t.Fatal("the digest is not in the file: the scan would prove nothing")
	}
	for _, tok := range []string{res.Token, other.Token} {
		r, _ := base64.RawURLEncoding.DecodeString(tok)
		for _, needle := range [][]byte{[]byte(tok), r, []byte(base64.StdEncoding.EncodeToString(r)), []byte(tok[:20])} {
			if bytes.Contains(b, needle) {
				t.Errorf("the database file contains the token (%q)", needle)
			}
		}
	}
	if bytes.Contains(b, []byte(goodPassword)) {
		t.Error("the database file contains the password")
	}
}

func TestClearExpired(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	a := e.login("alice", goodPassword)
	e.clock.Advance(7 * 24 * time.Hour)
	b := e.login("alice", goodPassword)
	n, err := e.svc.ClearExpired(ctx)
	noErr(t, err)
	if n != 0 {
		t.Fatalf("cleared %d live sessions", n)
	}
	e.clock.Advance(7 * 24 * time.Hour) // exactly a's expiry
	n, err = e.svc.ClearExpired(ctx)
	noErr(t, err)
	if n != 0 {
		t.Errorf("cleared a session at its expiry instant (Django deletes expire_date < now)")
	}
	e.clock.Advance(time.Microsecond)
	before := len(e.audit())
	n, err = e.svc.ClearExpired(ctx)
	noErr(t, err)
	ss := e.sessions()
	if n != 1 || len(ss) != 1 || ss[0].ID != b.Session.ID {
		t.Errorf("cleared %d, left %+v; want only %s left", n, ss, b.Session.ID)
	}
	if e.valid(a.Token) || !e.valid(b.Token) {
		t.Error("wrong validity after clearing")
	}
	if len(e.audit())-before != 1 {
		t.Error("clear-expired did not append one record")
	}
	var listed []string
	noErr(t, e.svc.ListSessions(ctx, "alice", func(s store.Session) error {
		listed = append(listed, s.ID)
		return nil
	}))
	if !equalStrings(listed, []string{b.Session.ID}) {
		t.Errorf("ListSessions(alice) = %v", listed)
	}
	noErr(t, e.svc.ListSessions(ctx, "bob", func(s store.Session) error {
		t.Errorf("bob has session %+v", s)
		return nil
	}))
}

// TestLoginNormalisesUsername follows the vectors' authentication_form:
// the login form NFKC-normalises ("ａｌｉｃｅ" logs in as alice) while
// authenticate() does not.
func TestLoginNormalisesUsername(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mkUser("alice")
	res, err := e.svc.Login(ctx, "ａｌｉｃｅ", goodPassword)
	noErr(t, err)
	if res.User.Username != "alice" {
		t.Fatalf("logged in as %q", res.User.Username)
	}
	if _, err := e.svc.Authenticate(ctx, "ａｌｉｃｅ", goodPassword); !errors.Is(err, ErrAuthFailed) {
		t.Fatalf("authenticate normalised the username: %v", err)
	}
}

// TestSessionsEndedByApplyAndAudited: deactivating through apply ends the
// user's sessions as `user set --active=false` does (so that reactivating
// does not revive them), and every way sessions end leaves a session.end
// record.
func TestSessionsEndedByApplyAndAudited(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mkUser("alice")
	a := e.login("alice", goodPassword)
	off, on := false, true
	doc := func(active *bool) *Document {
		return &Document{Users: []DocUser{{Username: "alice", IsActive: active}}}
	}
	_, err := e.svc.Apply(ctx, doc(&off), ApplyOptions{})
	noErr(t, err)
	_, err = e.svc.Apply(ctx, doc(&on), ApplyOptions{})
	noErr(t, err)
	if e.valid(a.Token) {
		t.Fatal("a session came back to life when its user was reactivated by apply")
	}
	b := e.login("alice", goodPassword)
	noErr(t, e.svc.SetPassword(ctx, "alice", RawPassword("another-Good-pass-1"), SetPasswordOptions{}))
	if e.valid(b.Token) {
		t.Fatal("a session survived a password change")
	}
	var ends []string
	for _, r := range e.audit() {
		if r.Action == "session.end" {
			ends = append(ends, r.Detail)
		}
	}
	want := []string{"1 session(s) ended: user deactivated by apply", "1 session(s) ended: password changed"}
	if !equalStrings(ends, want) {
		t.Errorf("session.end records %q, want %q", ends, want)
	}
}
