package hasher

import (
	"regexp"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"", "!", "$", "$$", "$$$$$$", "md5$$", "sha1$$", vecPBKDF2, vecArgon2i, vecArgon2v0, vecArgon2R, vecBcrypt,
	vecScrypt, vecMD5, vecSHA1, vecUnsMD5, vecUnsSHA1, "crypt$$abJnggxhB/yWI", "argon2$argon2id$v=19$m=,t=,p=$$",
	"bcrypt$$2b$99$", "scrypt$0$s$0$0$", "pbkdf2_sha256$99999999999999999999$s$h", "argon2$argon2id$v=19$m=8,t=1,p=1$\xff\xfe$\x00",
	"bcrypt_sha256$$2b$04$" + strings.Repeat("\xff", 53),
}

// bigNumber spots inputs that are well-formed yet near the cost limits; the
// fuzz targets skip hashing those so that a fuzzing run stays fast and small.
var bigNumber = regexp.MustCompile(`[0-9]{5,}|\$[0-9](?:[0-9])\$|m=[0-9]{4,}`)

func cheapToVerify(encoded string) bool {
	if strings.HasPrefix(encoded, "bcrypt") {
		return strings.Contains(encoded, "$04$") || strings.Contains(encoded, "$05$")
	}
	return !bigNumber.MatchString(encoded)
}

// FuzzCheck proves that nothing in the package panics on any stored value.
func FuzzCheck(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add("password", s)
	}
	set := mustSet(f, "pbkdf2_sha256", cheap)
	hashers := newHashers(cheap)
	f.Fuzz(func(t *testing.T, password, encoded string) {
		_ = set.Validate(encoded)
		_ = set.Summary(encoded)
		_ = IsUsable(encoded)
		for _, h := range hashers {
			err := h.WellFormed(encoded)
			_ = h.Summary(encoded)
			_ = h.MustUpdate(encoded)
			if err == nil && !cheapToVerify(encoded) {
				continue
			}
			_ = h.Verify(password, encoded)
			h.HardenRuntime(password, encoded)
		}
		if !cheapToVerify(encoded) {
			return
		}
		ok, mu := set.Check(password, encoded)
		if (ok || mu) && set.Validate(encoded) != nil {
			t.Fatalf("Check(%q) = %v, %v for a value Validate rejects", encoded, ok, mu)
		}
		if !ok && mu {
			t.Fatalf("mustUpdate without a correct password")
		}
	})
}

// FuzzIdentify checks Identify never panics and never repeats a long value.
func FuzzIdentify(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add(strings.Repeat("x", 100))
	set := mustSet(f, "argon2", cheap)
	f.Fuzz(func(t *testing.T, encoded string) {
		h, err := set.Identify(encoded)
		if err != nil {
			if len(encoded) > 48 && strings.Contains(err.Error(), encoded) {
				t.Fatalf("error repeats the whole value: %v", err)
			}
			return
		}
		if err := h.WellFormed(encoded); err != nil && len(encoded) > 48 && strings.Contains(err.Error(), encoded) {
			t.Fatalf("WellFormed error repeats the whole value: %v", err)
		}
	})
}
