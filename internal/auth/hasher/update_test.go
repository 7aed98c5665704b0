package hasher

import (
	"testing"
	"time"
)

func TestMustUpdate(t *testing.T) {
	pb := newPBKDF2SHA256(1000, DefaultLimits())
	pbEnc := func(iter int, salt string) string {
		s, err := pb.encode("pw", salt, iter)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	salt22, salt21 := "seasaltseasaltseasalt2", "seasaltseasaltseasalt"
	argon := &argon2Hasher{time: 1, memory: 64, threads: 1, lim: DefaultLimits()}
	argonEnc := func(variant string, tc, m uint32, p uint8, salt string, hashLen int) string {
		return argon2Decoded{variant: variant, version: 19, hasVersion: true, time: tc, memory: m, threads: p, salt: []byte(salt), hashLen: hashLen}.encode("pw")
	}
	sc := &scryptHasher{n: 16, r: 8, p: 1, lim: DefaultLimits()}
	scEnc := func(n, r, p int, salt string) string {
		s, err := sc.encode("pw", salt, n, r, p)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	bc4, bc5 := &bcryptHasher{sha256: true, cost: 4, lim: DefaultLimits()}, &bcryptHasher{sha256: true, cost: 5, lim: DefaultLimits()}
	enc4 := mustBcrypt(t, "pw")
	tests := []struct {
		name    string
		h       Hasher
		encoded string
		want    bool
	}{
		{"pbkdf2 same", pb, pbEnc(1000, salt22), false},
		{"pbkdf2 fewer iterations", pb, pbEnc(999, salt22), true},
		{"pbkdf2 more iterations", pb, pbEnc(1001, salt22), true},
		{"pbkdf2 21-char salt", pb, pbEnc(1000, salt21), true},
		{"pbkdf2 malformed", pb, "pbkdf2_sha256$x", true},
		{"pbkdf2_sha1 weak salt", newPBKDF2SHA1(1000, DefaultLimits()), mustEncode(t, newPBKDF2SHA1(0, DefaultLimits()), "pw", salt21, 1000), true},
		{"pbkdf2_sha1 same", newPBKDF2SHA1(1000, DefaultLimits()), mustEncode(t, newPBKDF2SHA1(0, DefaultLimits()), "pw", salt22, 1000), false},
		{"argon2 same", argon, argonEnc("argon2id", 1, 64, 1, salt22, 16), false},
		{"argon2 time", argon, argonEnc("argon2id", 2, 64, 1, salt22, 16), true},
		{"argon2 memory", argon, argonEnc("argon2id", 1, 128, 1, salt22, 16), true},
		{"argon2 parallelism", argon, argonEnc("argon2id", 1, 64, 2, salt22, 16), true},
		{"argon2 variant", argon, argonEnc("argon2i", 1, 64, 1, salt22, 16), true},
		{"argon2 hash length", argon, argonEnc("argon2id", 1, 64, 1, salt22, 32), true},
		{"argon2 weak salt", argon, argonEnc("argon2id", 1, 64, 1, salt21, 16), true},
		{"argon2 no version", argon, "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg", true},
		{"bcrypt same cost", bc4, enc4, false},
		{"bcrypt other cost", bc5, enc4, true},
		{"scrypt same", sc, scEnc(16, 8, 1, "seasalt"), false}, // no salt check
		{"scrypt N", sc, scEnc(32, 8, 1, salt22), true},
		{"scrypt r", sc, scEnc(16, 4, 1, salt22), true},
		{"scrypt p", sc, scEnc(16, 8, 2, salt22), true},
		{"md5 weak salt", saltedMD5, "md5$" + salt21 + "$" + hexDigest(saltedMD5.digest, salt21, "pw"), true},
		{"md5 strong salt", saltedMD5, "md5$" + salt22 + "$" + hexDigest(saltedMD5.digest, salt22, "pw"), false},
		{"sha1 weak salt", saltedSHA1, "sha1$" + salt21 + "$" + hexDigest(saltedSHA1.digest, salt21, "pw"), true},
		{"unsalted md5 never", unsaltedMD5, hexDigest(unsaltedMD5.digest, "pw"), false},
		{"unsalted sha1 never", unsaltedSHA1, "sha1$$" + hexDigest(unsaltedSHA1.digest, "pw"), false},
	}
	for _, tt := range tests {
		if got := tt.h.MustUpdate(tt.encoded); got != tt.want {
			t.Errorf("%s: MustUpdate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func mustEncode(t *testing.T, h *pbkdf2Hasher, pw, salt string, iter int) string {
	t.Helper()
	s, err := h.encode(pw, salt, iter)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheckUpgradeFlow(t *testing.T) {
	// Same algorithm, old iteration count: upgrade on a right password only.
	s := mustSet(t, "pbkdf2_sha256", Params{PBKDF2Iterations: 2000})
	old := mustEncode(t, newPBKDF2SHA256(0, DefaultLimits()), "pw", GenerateSalt(), 1000)
	if ok, mu := s.Check("pw", old); !ok || !mu {
		t.Errorf("old iterations: Check = %v, %v", ok, mu)
	}
	if ok, mu := s.Check("bad", old); ok || mu {
		t.Errorf("wrong password: Check = %v, %v", ok, mu)
	}
	// A legacy algorithm always migrates.
	md5 := "md5$" + GenerateSalt() + "$" + hexDigest(saltedMD5.digest, GenerateSalt(), "pw")
	if ok, _ := s.Check("pw", md5); ok {
		t.Errorf("md5 with mismatched salt verified")
	}
	salt := GenerateSalt()
	md5 = "md5$" + salt + "$" + hexDigest(saltedMD5.digest, salt, "pw")
	if ok, mu := s.Check("pw", md5); !ok || !mu {
		t.Errorf("md5: Check = %v, %v", ok, mu)
	}
	// Unknown, unusable, malformed: false, false.
	for _, enc := range []string{"", "!", Unusable(), "lolcat$x$y", "pbkdf2_sha256$1000$salt$", "crypt$$abJnggxhB/yWI"} {
		if ok, mu := s.Check("pw", enc); ok || mu {
			t.Errorf("Check(%q) = %v, %v", enc, ok, mu)
		}
	}
}

// TestHardenRuntime checks that a wrong password against a weaker hash of the
// preferred algorithm costs about as much as one at the current parameters.
func TestHardenRuntime(t *testing.T) {
	const current = 400_000
	s := mustSet(t, "pbkdf2_sha256", Params{PBKDF2Iterations: current})
	weak := mustEncode(t, newPBKDF2SHA256(0, DefaultLimits()), "pw", GenerateSalt(), 1)
	direct := timeIt(func() { _, _ = newPBKDF2SHA256(0, DefaultLimits()).encode("x", "salt", current) })
	hardened := timeIt(func() { s.Check("wrong", weak) })
	if hardened < direct/3 {
		t.Errorf("wrong password on a 1-iteration hash took %v; one %d-iteration run takes %v", hardened, current, direct)
	}

	bc := &bcryptHasher{sha256: true, cost: 9, lim: DefaultLimits()}
	enc := mustBcrypt(t, "pw") // cost 4: 2^5-1 extra cost-4 runs ~ one cost-9 run
	directB := timeIt(func() { _, _ = bc.Encode("x", "") })
	hardB := timeIt(func() { bc.HardenRuntime("wrong", enc) })
	if hardB < directB/3 {
		t.Errorf("bcrypt harden took %v, one cost-9 hash %v", hardB, directB)
	}
	// No-ops must not panic on anything.
	for _, h := range newHashers(cheap) {
		h.HardenRuntime("pw", "garbage")
		h.HardenRuntime("pw", "")
	}
}

func timeIt(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}
