package hasher

import (
	"errors"
	"strings"
	"testing"
)

func TestDjangoRandomSaltExamples(t *testing.T) {
	v := loadVectors(t)
	set := django32(t)
	for _, ex := range v.RandomSaltExamples {
		t.Run(ex.Algorithm, func(t *testing.T) {
			t.Parallel()
			if testing.Short() && slowAlgorithms[ex.Algorithm] {
				t.Skip("slow at Django's cost; run without -short")
			}
			var ok, mu, wrong bool
			withHeavy(ex.Algorithm, func() {
				ok, mu = set.Check(ex.Password, ex.Encoded)
				wrong, _ = set.Check(ex.Password+"z", ex.Encoded)
			})
			if ok != ex.CheckRight || wrong != ex.CheckWrong {
				t.Errorf("Check right=%v wrong=%v, want %v %v", ok, wrong, ex.CheckRight, ex.CheckWrong)
			}
			if mu != ex.Upgrade {
				t.Errorf("mustUpdate = %v, want %v", mu, ex.Upgrade)
			}
			if len(strings.Split(ex.Encoded, "$")) > 2 && ex.Algorithm != "bcrypt" && ex.Algorithm != "bcrypt_sha256" {
				if salt := saltOf(t, set, ex.Encoded); len(salt) != v.SaltFacts.DefaultSaltLength {
					t.Errorf("Django salt %q is not %d characters", salt, v.SaltFacts.DefaultSaltLength)
				}
			}
		})
	}
}

// saltOf extracts the text salt from a salted hash via its Summary-free
// decoders.
func saltOf(t *testing.T, set *Set, encoded string) string {
	t.Helper()
	h, err := set.Identify(encoded)
	if err != nil {
		t.Fatal(err)
	}
	switch h := h.(type) {
	case *pbkdf2Hasher:
		d, err := h.decode(encoded)
		if err != nil {
			t.Fatal(err)
		}
		return d.salt
	case *argon2Hasher:
		d, err := h.decode(encoded)
		if err != nil {
			t.Fatal(err)
		}
		return string(d.salt)
	case *saltedHasher:
		salt, _, err := h.decode(encoded)
		if err != nil {
			t.Fatal(err)
		}
		return salt
	}
	t.Fatalf("no salt in %s", h.Algorithm())
	return ""
}

func TestDjangoHashEdgeCases(t *testing.T) {
	v := loadVectors(t)
	set := django32(t)
	byID := map[string]map[string]string{}
	pwByID := map[string]string{}
	for _, c := range v.HashVectors.Cases {
		byID[c.ID] = map[string]string{}
		for name, hv := range c.Hashes {
			byID[c.ID][name] = hv.Encoded
		}
		pwByID[c.ID] = casePassword(t, c.ID, c.Password, c.PasswordConstruction, c.PasswordSHA256)
	}
	check := func(pw, encoded string) bool { ok, _ := set.Check(pw, encoded); return ok }
	e := v.HashEdgeCases
	if got := check(pwByID["nfd_cafe"], byID["nfc_cafe"]["pbkdf2_sha256_1000"]); got != e["nfd_password_against_nfc_hash"] {
		t.Errorf("NFD against NFC = %v", got)
	}
	if got := check(pwByID["73_bytes"], byID["exactly_72_bytes"]["bcrypt"]); got != e["bcrypt_plain_73_byte_password_against_72_byte_hash"] {
		t.Errorf("plain bcrypt 73 against 72 = %v", got)
	}
	if got := check(pwByID["73_bytes"], byID["exactly_72_bytes"]["bcrypt_sha256"]); got != e["bcrypt_sha256_73_byte_password_against_72_byte_hash"] {
		t.Errorf("bcrypt_sha256 73 against 72 = %v", got)
	}
	// crypt_uses_only_first_8_chars is true in Django; crypt never verifies here.
	if check("password", byID["ascii"]["crypt"]) || check("passwordx", byID["ascii"]["crypt"]) {
		t.Errorf("crypt verified")
	}
}

func TestDjangoSaltFacts(t *testing.T) {
	v := loadVectors(t)
	if v.SaltFacts.DefaultSaltLength != saltLength || len(GenerateSalt()) != saltLength {
		t.Fatalf("salt length %d, Django %d", saltLength, v.SaltFacts.DefaultSaltLength)
	}
	pb := newPBKDF2SHA256(260000, DefaultLimits())
	salts := map[string]string{"16-char": "seasaltseasalt12", "22-char": "seasaltseasaltseasalt2", "21-char": "seasaltseasaltseasalt"}
	for fact, want := range v.SaltFacts.WeakSalt {
		var got bool
		for label, salt := range salts {
			if !strings.Contains(fact, label) {
				continue
			}
			if strings.HasPrefix(fact, "md5") {
				got = saltedMD5.MustUpdate("md5$" + salt + "$" + hexDigest(saltedMD5.digest, salt, "x"))
			} else {
				enc, err := pb.encode("x", salt, 260000)
				if err != nil {
					t.Fatal(err)
				}
				got = pb.MustUpdate(enc)
			}
			if got != want {
				t.Errorf("%s: MustUpdate = %v, want %v", fact, got, want)
			}
		}
	}
}

func TestDjangoIdentifyAndUsable(t *testing.T) {
	v := loadVectors(t)
	set := django32(t)
	iu := v.IdentifyAndUsable
	for _, c := range iu.Cases {
		t.Run(c.Case, func(t *testing.T) {
			h, err := set.Identify(c.Encoded)
			if strings.HasPrefix(c.Identify, "ValueError") {
				if !errors.Is(err, ErrUnknownAlgorithm) {
					t.Errorf("Identify error = %v, want ErrUnknownAlgorithm", err)
				}
				if err != nil && len(c.Encoded) > 8 && strings.Contains(err.Error(), c.Encoded) {
					t.Errorf("error echoes the whole value: %v", err)
				}
			} else if err != nil || h.Algorithm() != c.Identify {
				t.Errorf("Identify = %v, %v; want %s", h, err, c.Identify)
			}
			if IsUsable(c.Encoded) != c.Usable {
				t.Errorf("IsUsable = %v", !c.Usable)
			}
			if c.Candidate == nil { // Python None: no Go equivalent
				return
			}
			if ok, _ := set.Check(*c.Candidate, c.Encoded); ok != c.Check {
				t.Errorf("Check = %v, want %v", ok, c.Check)
			}
		})
	}
	if IsUsable(iu.UnusableExample) || len(Unusable()) != iu.UnusableLength {
		t.Errorf("unusable example usable, or length %d != %d", len(Unusable()), iu.UnusableLength)
	}
}
