package hasher

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// legacyVectors are testdata/argon2-legacy.json: hashes made by argon2-cffi
// and checked with Django 3.2's check_password (gen_argon2_legacy.py).
func legacyVectors(t testing.TB) []struct{ Encoded, Password string } {
	t.Helper()
	raw, err := os.ReadFile("testdata/argon2-legacy.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []struct{ Encoded, Password string }
	}
	if err := json.Unmarshal(raw, &f); err != nil || len(f.Vectors) < 10 {
		t.Fatalf("argon2-legacy.json: %v (%d vectors)", err, len(f.Vectors))
	}
	return f.Vectors
}

// TestArgon2LegacyFormats: every argon2 form Django 3.2 verifies — argon2d,
// Argon2 1.0 with v=16 or without v=, argon2i v=19 (the default before
// Django 3.2) — verifies with the right password, fails with a wrong one,
// and must be upgraded to the preferred hasher.
func TestArgon2LegacyFormats(t *testing.T) {
	vecs := legacyVectors(t)
	if vecs[0].Encoded != vecArgon2v0 {
		t.Errorf("the first vector should be Django's own test vector")
	}
	forms := map[string]bool{}
	for _, preferred := range []string{"argon2", "pbkdf2_sha256"} {
		set := mustSet(t, preferred, cheap)
		for _, v := range vecs {
			if c, err := set.Classify(v.Encoded); c != ClassVerifiable || err != nil {
				t.Errorf("Classify(%s) = %v, %v", v.Encoded, c, err)
			}
			if ok, mu := set.Check(v.Password, v.Encoded); !ok || !mu {
				t.Errorf("%s: Check(right) = %v, %v; want true, true", v.Encoded, ok, mu)
			}
			for _, wrong := range []string{v.Password + "x", strings.ToUpper(v.Password) + "!", ""} {
				if wrong == v.Password {
					continue
				}
				if ok, mu := set.Check(wrong, v.Encoded); ok || mu {
					t.Errorf("%s: Check(%q) = %v, %v", v.Encoded, wrong, ok, mu)
				}
			}
			if !set.preferred.MustUpdate(v.Encoded) {
				t.Errorf("%s: MustUpdate = false", v.Encoded)
			}
			parts := strings.Split(v.Encoded, "$")
			forms[parts[1]+" "+map[bool]string{true: parts[2], false: "no v="}[strings.HasPrefix(parts[2], "v=")]] = true
		}
	}
	for _, want := range []string{"argon2i no v=", "argon2d no v=", "argon2i v=16", "argon2id v=16", "argon2d v=16", "argon2d v=19", "argon2i v=19"} {
		if !forms[want] {
			t.Errorf("no vector for %s", want)
		}
	}
	// The last character, the version or the variant changed, and it no
	// longer verifies. (Dropping "v=16" changes nothing: no v= means 16.)
	set := mustSet(t, "argon2", cheap)
	v := vecs[3] // argon2id v=16
	for _, enc := range []string{
		strings.Replace(v.Encoded, "v=16", "v=19", 1), strings.Replace(v.Encoded, "argon2id", "argon2d", 1),
		v.Encoded[:len(v.Encoded)-1] + "A",
	} {
		if ok, _ := set.Check(v.Password, enc); ok {
			t.Errorf("%s verified", enc)
		}
	}
}
