package hasher

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// vectorFile is the part of testdata/django-vectors.json (made by Django
// 3.2.25) that concerns password hashing.
type vectorFile struct {
	HashVectors struct {
		FixedSalt string `json:"fixed_salt"`
		Salt22    string `json:"salt22"`
		Cases     []struct {
			ID                   string  `json:"id"`
			Password             *string `json:"password"`
			PasswordConstruction string  `json:"password_construction"`
			PasswordSHA256       string  `json:"password_sha256_hex"`
			PasswordUTF8Bytes    int     `json:"password_utf8_bytes"`
			Hashes               map[string]struct {
				Encoded    string          `json:"encoded"`
				Identified string          `json:"identified_algorithm"`
				Check      map[string]bool `json:"check"`
				Upgrade    bool            `json:"upgrade_on_login"`
				Error      string          `json:"error"`
			} `json:"hashes"`
		} `json:"cases"`
	} `json:"hash_vectors"`
	HashEdgeCases      map[string]bool `json:"hash_edge_cases"`
	RandomSaltExamples []struct {
		Algorithm  string `json:"algorithm"`
		Password   string `json:"password"`
		Encoded    string `json:"encoded"`
		CheckRight bool   `json:"check_right"`
		CheckWrong bool   `json:"check_wrong"`
		Upgrade    bool   `json:"upgrade_on_login"`
	} `json:"random_salt_examples"`
	SaltFacts struct {
		DefaultSaltLength int             `json:"default_salt_length"`
		WeakSalt          map[string]bool `json:"weak_salt_triggers_update"`
	} `json:"salt_facts"`
	IdentifyAndUsable struct {
		Cases []struct {
			Case      string  `json:"case"`
			Encoded   string  `json:"encoded"`
			Candidate *string `json:"candidate"`
			Identify  string  `json:"identify_hasher"`
			Usable    bool    `json:"is_password_usable"`
			Check     bool    `json:"check_password"`
		} `json:"cases"`
		UnusableExample string `json:"unusable_example"`
		UnusableLength  int    `json:"unusable_length"`
	} `json:"identify_and_usable"`
	Scrypt struct {
		DjangoTestVector string `json:"django_test_vector"`
		Params           struct {
			N     int `json:"n"`
			R     int `json:"r"`
			DKLen int `json:"dklen"`
		} `json:"params"`
		Cases []struct {
			ID       string `json:"id"`
			Password string `json:"password"`
			P1       string `json:"p1"`
			P5       string `json:"p5"`
		} `json:"cases"`
	} `json:"scrypt_vectors_django4plus_format"`
}

var (
	vectorsOnce sync.Once
	vectors     vectorFile
	vectorsErr  error
)

func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	vectorsOnce.Do(func() {
		b, err := os.ReadFile("../../../testdata/django-vectors.json")
		if err != nil {
			vectorsErr = err
			return
		}
		vectorsErr = json.Unmarshal(b, &vectors)
	})
	if vectorsErr != nil {
		t.Fatalf("load vectors: %v", vectorsErr)
	}
	return &vectors
}

// django32 is Django 3.2's configuration: pbkdf2_sha256 at 260000 iterations
// preferred. upgrade_on_login in the vectors is relative to it.
func django32(t testing.TB) *Set {
	t.Helper()
	s, err := NewSet("pbkdf2_sha256", Params{PBKDF2Iterations: 260000})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// heavy limits how many default-cost argon2 runs (100 MiB each) the parallel
// tests make at once, whatever -parallel is.
var heavy = make(chan struct{}, 2)

func withHeavy(algorithm string, f func()) {
	if algorithm == "argon2" {
		heavy <- struct{}{}
		defer func() { <-heavy }()
	}
	f()
}

// slowAlgorithms cost about a quarter second per check at Django's defaults.
var slowAlgorithms = map[string]bool{"argon2": true, "bcrypt": true, "bcrypt_sha256": true}

// casePassword returns the vector's password, rebuilding the 4100-character
// one from its recorded construction and checking its digest.
func casePassword(t *testing.T, id string, pw *string, construction, digest string) string {
	t.Helper()
	if pw != nil {
		return *pw
	}
	if !strings.HasPrefix(construction, "first 4100 code points of the string 'Django-auth-4096+' repeated 300 times") {
		t.Fatalf("%s: unknown password construction %q", id, construction)
	}
	s := string([]rune(strings.Repeat("Django-auth-4096+", 300))[:4100])
	sum := sha256.Sum256([]byte(s))
	if hex.EncodeToString(sum[:]) != digest {
		t.Fatalf("%s: rebuilt password has the wrong SHA-256", id)
	}
	return s
}

// nearMisses are the vectors' variants: append_x adds "x", drop_last removes
// the last code point (" " stands in for the empty password).
func nearMisses(pw string) map[string]string {
	drop := " "
	if pw != "" {
		_, size := utf8.DecodeLastRuneInString(pw)
		drop = pw[:len(pw)-size]
	}
	return map[string]string{"right": pw, "append_x": pw + "x", "drop_last": drop}
}

func TestDjangoHashVectors(t *testing.T) {
	v := loadVectors(t)
	set := django32(t)
	for i, c := range v.HashVectors.Cases {
		pw := casePassword(t, c.ID, c.Password, c.PasswordConstruction, c.PasswordSHA256)
		if len(pw) != c.PasswordUTF8Bytes {
			t.Fatalf("%s: password is %d bytes, want %d", c.ID, len(pw), c.PasswordUTF8Bytes)
		}
		for name, hv := range c.Hashes {
			t.Run(c.ID+"/"+name, func(t *testing.T) {
				t.Parallel()
				if hv.Error != "" {
					t.Skipf("Django raised: %s", hv.Error)
				}
				if hv.Identified == "crypt" {
					for _, p := range nearMisses(pw) {
						if ok, _ := set.Check(p, hv.Encoded); ok {
							t.Errorf("crypt hash verified")
						}
					}
					if _, err := set.Identify(hv.Encoded); !errors.Is(err, ErrUnknownAlgorithm) || !errors.Is(err, ErrUnsupported) {
						t.Errorf("Identify(crypt) error = %v", err)
					}
					return
				}
				if testing.Short() && (slowAlgorithms[hv.Identified] || strings.Contains(name, "260000")) && i > 0 {
					t.Skip("slow at Django's cost; run without -short")
				}
				h, err := set.Identify(hv.Encoded)
				if err != nil {
					t.Fatalf("Identify: %v", err)
				}
				if h.Algorithm() != hv.Identified {
					t.Fatalf("Identify = %s, want %s", h.Algorithm(), hv.Identified)
				}
				if err := set.Validate(hv.Encoded); err != nil {
					t.Errorf("Validate: %v", err)
				}
				for variant, want := range hv.Check {
					var ok, mustUpdate bool
					withHeavy(hv.Identified, func() { ok, mustUpdate = set.Check(nearMisses(pw)[variant], hv.Encoded) })
					if ok != want {
						t.Errorf("Check(%s) = %v, want %v", variant, ok, want)
					}
					if ok && mustUpdate != hv.Upgrade {
						t.Errorf("Check(%s) mustUpdate = %v, want %v (upgrade_on_login)", variant, mustUpdate, hv.Upgrade)
					}
					if !ok && mustUpdate {
						t.Errorf("Check(%s) asks for an upgrade after a wrong password", variant)
					}
				}
			})
		}
	}
}

// TestDjangoEncodeReproduces re-creates Django's strings from the password
// and the fixed salts, byte for byte.
func TestDjangoEncodeReproduces(t *testing.T) {
	v := loadVectors(t)
	salts := map[string]string{
		"pbkdf2_sha256_1000":          v.HashVectors.FixedSalt,
		"pbkdf2_sha256_260000":        v.HashVectors.FixedSalt,
		"pbkdf2_sha256_260000_salt22": v.HashVectors.Salt22,
		"pbkdf2_sha1_1000":            v.HashVectors.FixedSalt,
		"pbkdf2_sha1_260000":          v.HashVectors.FixedSalt,
		"argon2":                      v.HashVectors.FixedSalt,
	}
	argon := &argon2Hasher{time: 2, memory: 102400, threads: 8, lim: DefaultLimits()}
	for i, c := range v.HashVectors.Cases {
		pw := casePassword(t, c.ID, c.Password, c.PasswordConstruction, c.PasswordSHA256)
		for name, salt := range salts {
			hv, ok := c.Hashes[name]
			if !ok || hv.Error != "" {
				continue
			}
			t.Run(c.ID+"/"+name, func(t *testing.T) {
				t.Parallel()
				var got string
				var err error
				switch {
				case name == "argon2":
					if testing.Short() && i > 0 {
						t.Skip("slow at Django's cost; run without -short")
					}
					withHeavy(name, func() { got, err = argon.Encode(pw, salt) })
				case strings.HasPrefix(name, "pbkdf2_sha256_"):
					got, err = newPBKDF2SHA256(iterationsOf(t, hv.Encoded), DefaultLimits()).Encode(pw, salt)
				default: // pbkdf2_sha1 is verify-only: use the internal encoder
					got, err = newPBKDF2SHA1(0, DefaultLimits()).encode(pw, salt, iterationsOf(t, hv.Encoded))
				}
				if err != nil {
					t.Fatal(err)
				}
				if got != hv.Encoded {
					t.Errorf("encode =\n %s\nwant\n %s", got, hv.Encoded)
				}
			})
		}
	}
}

func iterationsOf(t *testing.T, encoded string) int {
	t.Helper()
	n, ok := parseDecimal(strings.Split(encoded, "$")[1], absPBKDF2)
	if !ok {
		t.Fatalf("no iterations in %q", encoded)
	}
	return int(n)
}

func TestDjangoScryptVectors(t *testing.T) {
	v := loadVectors(t)
	sc := v.Scrypt
	if sc.Params.N != 16384 || sc.Params.R != 8 || sc.Params.DKLen != 64 {
		t.Fatalf("unexpected scrypt params %+v", sc.Params)
	}
	h := &scryptHasher{n: 16384, r: 8, p: 1, lim: DefaultLimits()}
	if got, err := h.Encode("lètmein", "seasalt"); err != nil || got != sc.DjangoTestVector {
		t.Errorf("Django test-suite vector: got %q, %v", got, err)
	}
	for i, c := range sc.Cases {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			for p, want := range map[int]string{1: c.P1, 5: c.P5} {
				h := &scryptHasher{n: 16384, r: 8, p: p, lim: DefaultLimits()}
				got, err := h.Encode(c.Password, v.HashVectors.FixedSalt)
				if err != nil || got != want {
					t.Errorf("p=%d: Encode = %q, %v; want %q", p, got, err, want)
				}
				if testing.Short() && i > 0 {
					continue
				}
				if !h.Verify(c.Password, want) || h.Verify(c.Password+"x", want) {
					t.Errorf("p=%d: Verify wrong", p)
				}
				if h.MustUpdate(want) {
					t.Errorf("p=%d: MustUpdate at its own parameters", p)
				}
			}
			// Django 5.1+ defaults (p=5) ask to upgrade the p=1 hashes.
			if !(&scryptHasher{n: 16384, r: 8, p: 5, lim: DefaultLimits()}).MustUpdate(c.P1) {
				t.Errorf("p=1 hash not flagged for update under p=5")
			}
		})
	}
}
