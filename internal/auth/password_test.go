package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"authctl/internal/auth/hasher"
	"authctl/internal/auth/validate"
)

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
