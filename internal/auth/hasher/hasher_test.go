package hasher

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// cheap keeps round-trip tests fast; every field differs from the default.
var cheap = Params{
	PBKDF2Iterations: 1000,
	Argon2Time:       1,
	Argon2MemoryKiB:  64,
	Argon2Threads:    1,
	BcryptCost:       4,
	ScryptN:          16,
	ScryptR:          8,
	ScryptP:          1,
}

func mustSet(t testing.TB, preferred string, p Params) *Set {
	t.Helper()
	s, err := NewSet(preferred, p)
	if err != nil {
		t.Fatalf("NewSet(%s): %v", preferred, err)
	}
	return s
}

var saltRE = `[A-Za-z0-9]{22}`

// formats are the shapes Make must produce at the cheap parameters.
var formats = map[string]*regexp.Regexp{
	"argon2":        regexp.MustCompile(`^argon2\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{30}\$[A-Za-z0-9+/]{22}$`),
	"pbkdf2_sha256": regexp.MustCompile(`^pbkdf2_sha256\$1000\$` + saltRE + `\$[A-Za-z0-9+/]{43}=$`),
	"bcrypt_sha256": regexp.MustCompile(`^bcrypt_sha256\$\$2b\$04\$[./A-Za-z0-9]{53}$`),
	"scrypt":        regexp.MustCompile(`^scrypt\$16\$` + saltRE + `\$8\$1\$[A-Za-z0-9+/]{86}==$`),
}

func TestRoundTrip(t *testing.T) {
	for _, alg := range generating {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			s := mustSet(t, alg, cheap)
			for _, pw := range []string{"lètmein", "", " ", "pa$$w0rd$", strings.Repeat("é", 100)} {
				enc, err := s.Make(pw)
				if err != nil {
					t.Fatal(err)
				}
				if !formats[alg].MatchString(enc) {
					t.Errorf("Make = %q, wrong shape", enc)
				}
				if ok, mu := s.Check(pw, enc); !ok || mu {
					t.Errorf("Check(right) = %v, %v; want true, false", ok, mu)
				}
				if ok, mu := s.Check(pw+"x", enc); ok || mu {
					t.Errorf("Check(wrong) = %v, %v", ok, mu)
				}
				if err := s.Validate(enc); err != nil {
					t.Errorf("Validate: %v", err)
				}
				if h, err := s.Identify(enc); err != nil || h.Algorithm() != alg {
					t.Errorf("Identify = %v, %v", h, err)
				}
				if again, _ := s.Make(pw); again == enc {
					t.Errorf("two hashes of the same password are equal: salt not fresh")
				}
			}
			// Every other generating algorithm verifies and migrates.
			for _, other := range generating {
				enc, err := s.MakeWith(other, "lètmein")
				if err != nil {
					t.Fatal(err)
				}
				if ok, mu := s.Check("lètmein", enc); !ok || mu != (other != alg) {
					t.Errorf("%s hash: Check = %v, %v", other, ok, mu)
				}
			}
		})
	}
}

func TestDefaultFormats(t *testing.T) {
	want := map[string]string{
		"pbkdf2_sha256": "pbkdf2_sha256$1200000$",
		"scrypt":        "scrypt$16384$",
		"argon2":        "argon2$argon2id$v=19$m=102400,t=2,p=8$",
		"bcrypt_sha256": "bcrypt_sha256$$2b$12$",
	}
	for _, alg := range generating {
		if testing.Short() && slowAlgorithms[alg] {
			continue
		}
		s := mustSet(t, alg, Params{})
		enc, err := s.Make("x")
		if err != nil || !strings.HasPrefix(enc, want[alg]) {
			t.Errorf("%s: Make = %q, %v", alg, enc, err)
		}
		if alg == "scrypt" && !strings.Contains(enc, "$8$5$") {
			t.Errorf("scrypt default is not r=8, p=5: %q", enc)
		}
		if s.Preferred().MustUpdate(enc) {
			t.Errorf("%s: fresh default hash needs update", alg)
		}
	}
}

// TestBcryptPrefix checks the claim behind writing "$2b$" over x/crypto's
// "$2a$": for our inputs the checksum is the same under $2a$, $2b$ and $2y$.
func TestBcryptPrefix(t *testing.T) {
	s := mustSet(t, "bcrypt_sha256", cheap)
	enc, err := s.Make("lètmein")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"2a", "2b", "2y"} {
		alt := strings.Replace(enc, "$$2b$", "$$"+v+"$", 1)
		if !s.Preferred().Verify("lètmein", alt) {
			t.Errorf("$%s$ variant does not verify", v)
		}
	}
	plain := &bcryptHasher{cost: 4, lim: DefaultLimits()}
	if _, err := plain.Encode("x", ""); !errors.Is(err, ErrVerifyOnly) {
		t.Errorf("plain bcrypt Encode error = %v", err)
	}
	// Plain bcrypt: NUL never verifies, bytes past 72 are ignored.
	long := strings.Repeat("x", 72)
	raw := rawBcrypt(t, []byte(long))
	if !plain.Verify(long+"yz", raw) || plain.Verify(long[:71], raw) {
		t.Errorf("plain bcrypt 72-byte truncation wrong")
	}
	if plain.Verify(long+"\x00", raw) {
		t.Errorf("plain bcrypt verified a password containing NUL")
	}
}

// rawBcrypt makes a plain-bcrypt Django string at cost 4.
func rawBcrypt(t *testing.T, pw []byte) string {
	t.Helper()
	out, err := bcrypt.GenerateFromPassword(pw, 4)
	if err != nil {
		t.Fatal(err)
	}
	return "bcrypt$$2b$" + strings.TrimPrefix(string(out), "$2a$")
}

func mustBcrypt(t *testing.T, pw string) string {
	t.Helper()
	enc, err := (&bcryptHasher{sha256: true, cost: 4, lim: DefaultLimits()}).Encode(pw, "")
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestUnusableAndSalt(t *testing.T) {
	s := mustSet(t, "pbkdf2_sha256", cheap)
	seen := map[string]bool{}
	chars := map[rune]bool{}
	okRE := regexp.MustCompile(`^![A-Za-z0-9]{40}$`)
	for range 500 {
		u := Unusable()
		if !okRE.MatchString(u) || IsUsable(u) || seen[u] {
			t.Fatalf("bad or repeated unusable value %q", u)
		}
		seen[u] = true
		if ok, mu := s.Check(u[1:], u); ok || mu {
			t.Fatalf("unusable verified")
		}
		if err := s.Validate(u); err != nil {
			t.Fatalf("Validate(unusable) = %v", err)
		}
		salt := GenerateSalt()
		if !regexp.MustCompile(`^`+saltRE+`$`).MatchString(salt) || seen[salt] {
			t.Fatalf("bad salt %q", salt)
		}
		seen[salt] = true
		for _, r := range salt + u[1:] {
			chars[r] = true
		}
	}
	if len(chars) != 62 {
		t.Errorf("only %d of 62 characters seen in 31000 draws", len(chars))
	}
	if !IsUsable("") || !IsUsable("garbage") || IsUsable("!") {
		t.Errorf("IsUsable edge cases wrong")
	}
	if !weakSaltLen(21) || weakSaltLen(22) {
		t.Errorf("salt-entropy boundary is not 21/22")
	}
}

func TestIdentify(t *testing.T) {
	s := mustSet(t, "argon2", cheap)
	hex32 := "5f4dcc3b5aa765d61d8327deb882cf99"
	hex40 := "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"
	tests := []struct{ encoded, want string }{
		{hex32, "unsalted_md5"},
		{strings.ToUpper(hex32), "unsalted_md5"},
		{strings.Repeat("é", 32), "unsalted_md5"}, // 32 code points, as Python counts
		{"md5$$" + hex32, "unsalted_md5"},
		{"sha1$$" + hex40, "unsalted_sha1"},
		{"sha1$$" + hex40[:39], "sha1"},
		{"md5$salt$" + hex32, "md5"},
		{"pbkdf2_sha1$1$s$x", "pbkdf2_sha1"},
		{"bcrypt$$2b$", "bcrypt"},
		{"scrypt$", "scrypt"},
	}
	for _, tt := range tests {
		h, err := s.Identify(tt.encoded)
		if err != nil || h.Algorithm() != tt.want {
			t.Errorf("Identify(%q) = %v, %v; want %s", tt.encoded, h, err, tt.want)
		}
	}
	for _, enc := range []string{"", "!", hex40, "lolcat$x", "crypt$$abJnggxhB/yWI", strings.Repeat("a", 100) + "$x", "a b c$d"} {
		_, err := s.Identify(enc)
		if !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("Identify(%q) error = %v", enc, err)
			continue
		}
		if len(enc) > 8 && strings.Contains(err.Error(), enc) {
			t.Errorf("error echoes the value: %v", err)
		}
	}
	if _, err := s.Identify("lolcat$x$y"); err == nil || !strings.Contains(err.Error(), `"lolcat"`) {
		t.Errorf("error does not name the algorithm: %v", err)
	}
	if _, err := s.Identify("crypt$$ab"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("crypt error = %v", err)
	}
}

func TestNewSet(t *testing.T) {
	s := mustSet(t, "scrypt", Params{})
	algs := s.Algorithms()
	if len(algs) != 10 || algs[0] != "scrypt" || s.Preferred().Algorithm() != "scrypt" {
		t.Errorf("Algorithms = %v", algs)
	}
	seen := map[string]bool{}
	for _, a := range algs {
		if seen[a] {
			t.Errorf("duplicate %s", a)
		}
		seen[a] = true
	}
	algs[0] = "mutated"
	if s.Algorithms()[0] != "scrypt" {
		t.Errorf("Algorithms exposes internal state")
	}
	bad := []struct {
		name, preferred string
		p               Params
		is              error
	}{
		{"unknown", "md6", Params{}, ErrUnknownAlgorithm},
		{"crypt", "crypt", Params{}, ErrUnknownAlgorithm},
		{"legacy", "md5", Params{}, ErrVerifyOnly},
		{"legacy pbkdf2_sha1", "pbkdf2_sha1", Params{}, ErrVerifyOnly},
		{"negative iterations", "pbkdf2_sha256", Params{PBKDF2Iterations: -1}, nil},
		{"huge iterations", "pbkdf2_sha256", Params{PBKDF2Iterations: 200_000_000}, nil},
		{"bcrypt cost 3", "bcrypt_sha256", Params{BcryptCost: 3}, nil},
		{"bcrypt cost 31", "bcrypt_sha256", Params{BcryptCost: 31}, nil},
		{"argon2 memory below 8p", "argon2", Params{Argon2MemoryKiB: 16, Argon2Threads: 4}, nil},
		{"argon2 memory above 4 GiB", "argon2", Params{Argon2MemoryKiB: 5 << 20}, nil},
		{"scrypt N not a power of 2", "scrypt", Params{ScryptN: 1000}, nil},
		{"scrypt N negative", "scrypt", Params{ScryptN: -2}, nil},
		{"scrypt beyond Django's 32 MiB", "scrypt", Params{ScryptN: 1 << 15}, nil},
		{"scrypt huge", "scrypt", Params{ScryptN: 1 << 62, ScryptR: 1 << 40}, nil},
	}
	for _, tt := range bad {
		_, err := NewSet(tt.preferred, tt.p)
		if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
			t.Errorf("%s: NewSet error = %v", tt.name, err)
		}
	}
	// Params apply to every hasher in the Set, not only the preferred one.
	s = mustSet(t, "argon2", cheap)
	if enc, err := s.MakeWith("pbkdf2_sha256", "x"); err != nil || !strings.HasPrefix(enc, "pbkdf2_sha256$1000$") {
		t.Errorf("MakeWith(pbkdf2_sha256) = %q, %v", enc, err)
	}
	for _, legacy := range []string{"pbkdf2_sha1", "bcrypt", "sha1", "md5", "unsalted_sha1", "unsalted_md5"} {
		if _, err := s.MakeWith(legacy, "x"); !errors.Is(err, ErrVerifyOnly) {
			t.Errorf("MakeWith(%s) error = %v", legacy, err)
		}
	}
	if _, err := s.MakeWith("crypt", "x"); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("MakeWith(crypt) error = %v", err)
	}
	if _, err := s.Preferred().Encode("x", "bad$salt"); !errors.Is(err, ErrMalformed) {
		t.Errorf("Encode with '$' in salt: %v", err)
	}
	if enc, err := s.Preferred().Encode("x", "seasaltseasaltseasalt2"); err != nil || !strings.Contains(enc, "$c2Vhc2FsdHNlYXNhbHRzZWFzYWx0Mg$") {
		t.Errorf("Encode with a given salt = %q, %v", enc, err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := mustSet(t, "argon2", cheap)
	enc, err := s.Make("pw")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if ok, _ := s.Check("pw", enc); !ok {
					t.Error("concurrent Check failed")
				}
				s.Dummy("pw")
			}
		})
	}
	wg.Wait()
}

func TestLanes(t *testing.T) {
	for _, c := range []struct {
		algo string
		p    Params
		want int
	}{
		{"argon2", Params{}, 8},
		{"argon2", Params{Argon2Threads: 1}, 1},
		{"pbkdf2_sha256", Params{}, 1},
		{"scrypt", Params{}, 1},
	} {
		s, err := NewSet(c.algo, c.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Lanes(); got != c.want {
			t.Errorf("%s %+v: Lanes = %d, want %d", c.algo, c.p, got, c.want)
		}
	}
}
