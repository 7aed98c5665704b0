package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestUnknownUserDigestIsKeyed: a name that is no user's (perhaps a
// password typed at the username prompt) is recorded as an HMAC under the
// audit key, not a plain SHA-256 that a dictionary over the database
// alone could reverse.
func TestUnknownUserDigestIsKeyed(t *testing.T) {
	ctx := context.Background()
	typed := "correct horse battery staple"
	plain := sha256.Sum256([]byte(typed))
	plainDigest := "unknown-user:" + hex.EncodeToString(plain[:8])

	digestIn := func(e *testEnv) string {
		t.Helper()
		if _, err := e.svc.Authenticate(ctx, typed, "x"); err == nil {
			t.Fatal("an unknown user authenticated")
		}
		recs := e.audit()
		target := recs[len(recs)-1].Target
		fs := e.failures()
		if len(fs) != 1 || fs[0].Username != target {
			t.Fatalf("failure records %+v, audit target %q", fs, target)
		}
		return target
	}
	a, b := newEnv(t), newEnv(t) // two databases, two keys
	da, db := digestIn(a), digestIn(b)
	for _, d := range []string{da, db} {
		if !strings.HasPrefix(d, "unknown-user:") || len(d) != len("unknown-user:")+16 {
			t.Errorf("digest %q", d)
		}
		if d == plainDigest {
			t.Errorf("digest %q is the unkeyed SHA-256 of the name", d)
		}
	}
	if da == db {
		t.Errorf("two audit keys gave the same digest %q", da)
	}
	// Repeated attempts with one name share the digest, across processes
	// (a Service reading the same key file).
	a.freshKeyFile()
	if again := digestIn(a); again != da {
		t.Errorf("digest changed from %q to %q", da, again)
	}
}
