package hasher

import (
	"errors"
	"strings"
	"testing"
)

// makeAt hashes pw with algorithm at p under the default limits.
func makeAt(t *testing.T, algorithm string, p Params) string {
	t.Helper()
	enc, err := mustSet(t, algorithm, p).Make("pw")
	if err != nil {
		t.Fatalf("Make(%s): %v", algorithm, err)
	}
	return enc
}

// TestLimitsPerHasher checks each hasher exactly at a (lowered) ceiling,
// where a hash is stored and verified, and one step above it, where it is
// refused by Validate, classified OverCeiling and never verified, not even
// with the right password.
func TestLimitsPerHasher(t *testing.T) {
	lim := Limits{
		Argon2MemoryKiB: 64, Argon2Time: 2, Argon2Parallelism: 2, Argon2WorkKiB: 128,
		PBKDF2Iterations: 1000, BcryptCost: 5, ScryptMemoryKiB: 16, ScryptP: 2,
	}
	p := cheap
	p.Limits = lim
	set := mustSet(t, "pbkdf2_sha256", p)
	argon := func(m, tc uint32, lanes uint8) Params {
		return Params{Argon2MemoryKiB: m, Argon2Time: tc, Argon2Threads: lanes}
	}
	scrypt := func(n, r, sp int) Params { return Params{ScryptN: n, ScryptR: r, ScryptP: sp} }
	cases := []struct {
		name, algorithm string
		p               Params
		over            string // "" at the ceiling, else the key named in the error
	}{
		{"argon2 memory at", "argon2", argon(64, 2, 1), ""},
		{"argon2 memory above", "argon2", argon(72, 1, 1), "argon2_memory_kib"},
		{"argon2 time at", "argon2", argon(16, 2, 1), ""},
		{"argon2 time above", "argon2", argon(16, 3, 1), "argon2_time"},
		{"argon2 lanes at", "argon2", argon(64, 1, 2), ""},
		{"argon2 lanes above", "argon2", argon(64, 1, 3), "argon2_parallelism"},
		{"pbkdf2 at", "pbkdf2_sha256", Params{PBKDF2Iterations: 1000}, ""},
		{"pbkdf2 above", "pbkdf2_sha256", Params{PBKDF2Iterations: 1001}, "pbkdf2_iterations"},
		{"bcrypt at", "bcrypt_sha256", Params{BcryptCost: 5}, ""},
		{"bcrypt above", "bcrypt_sha256", Params{BcryptCost: 6}, "bcrypt_cost"},
		{"scrypt memory at", "scrypt", scrypt(16, 8, 1), ""},
		{"scrypt memory above", "scrypt", scrypt(32, 8, 1), "scrypt_memory_kib"},
		{"scrypt p at", "scrypt", scrypt(16, 1, 2), ""},
		{"scrypt p above", "scrypt", scrypt(16, 1, 3), "scrypt_p"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enc := makeAt(t, c.algorithm, c.p)
			class, err := set.Classify(enc)
			ok, _ := set.Check("pw", enc)
			verified := set.byName[c.algorithm].Verify("pw", enc)
			if c.over == "" {
				if class != ClassVerifiable || err != nil || !ok || !verified || set.Validate(enc) != nil {
					t.Fatalf("%s: Classify = %v, %v; Check = %v; Verify = %v", enc, class, err, ok, verified)
				}
				return
			}
			if class != ClassOverCeiling || !errors.Is(err, ErrTooCostly) || !strings.Contains(err.Error(), "hash_limits."+c.over) {
				t.Errorf("%s: Classify = %v, %v", enc, class, err)
			}
			if err := set.Validate(enc); !errors.Is(err, ErrTooCostly) || errors.Is(err, ErrMalformed) {
				t.Errorf("Validate = %v, want ErrTooCostly only", err)
			}
			if ok || verified {
				t.Errorf("%s verified above the ceiling (Check %v, Verify %v)", enc, ok, verified)
			}
			if f := set.Summary(enc); f[len(f)-1].Key != "cost" || f[0].Value != c.algorithm {
				t.Errorf("Summary = %v, want the hash described and marked", f)
			}
		})
	}
	// argon2's memory times passes: 64 KiB with t=2 is at a work ceiling of
	// 128 and above one of 127.
	enc := makeAt(t, "argon2", argon(64, 2, 1))
	p.Limits.Argon2WorkKiB = 127
	if _, err := mustSet(t, "pbkdf2_sha256", p).Classify(enc); !errors.Is(err, ErrTooCostly) || !strings.Contains(err.Error(), "argon2_work_kib") {
		t.Errorf("argon2 work above the ceiling: %v", err)
	}
}

// TestDefaultLimitsRefuseDoS: the values that motivated the ceilings are
// refused under the defaults without being hashed (a run would take
// minutes and gigabytes), and Django's defaults are far inside them.
func TestDefaultLimitsRefuseDoS(t *testing.T) {
	set := mustSet(t, "argon2", cheap)
	for _, enc := range []string{
		"argon2$argon2id$v=19$m=4194304,t=4,p=1$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=1048576,t=16,p=16$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2i$v=19$m=65536,t=1024,p=1$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=102400,t=2,p=64$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"pbkdf2_sha256$2000000000$seasalt$iffpCmjs7mgWVWG0K453MElI5dD07dLw5avJalSYNU4=",
		"pbkdf2_sha1$10000001$seasalt$x1qHaeOv8OmZDYBs3o7V6BTyLmE=",
		"bcrypt_sha256$$2b$31$abcdefghijklmnopqrstuugkQA0GCBGUEqAtJsvVqqVkMMm/ez2qi",
		"bcrypt$$2b$17$abcdefghijklmnopqrstuugkQA0GCBGUEqAtJsvVqqVkMMm/ez2qi",
		"scrypt$16384$seasalt$8$17$" + strings.Split(vecScrypt, "$")[5],
	} {
		if c, err := set.Classify(enc); c != ClassOverCeiling || !errors.Is(err, ErrTooCostly) {
			t.Errorf("Classify(%.40s…) = %v, %v", enc, c, err)
		}
		if ok, mu := set.Check("pw", enc); ok || mu {
			t.Errorf("Check(%.40s…) = %v, %v", enc, ok, mu)
		}
	}
	d, l := DefaultParams(), DefaultLimits()
	if d.Argon2MemoryKiB*4 > l.Argon2MemoryKiB || d.PBKDF2Iterations*4 > l.PBKDF2Iterations || d.BcryptCost+3 > l.BcryptCost {
		t.Errorf("default limits %+v are not well above Django's defaults %+v", l, d)
	}
}

func TestClassify(t *testing.T) {
	set := mustSet(t, "argon2", cheap)
	cases := []struct {
		encoded string
		want    Class
		is      error
	}{
		{vecPBKDF2, ClassVerifiable, nil},
		{vecArgon2i, ClassVerifiable, nil},
		{vecUnsMD5, ClassVerifiable, nil},
		{Unusable(), ClassUnusable, nil},
		{"!", ClassUnusable, nil},
		{"", ClassUnknownFormat, ErrUnknownAlgorithm},
		{"crypt$$abJnggxhB/yWI", ClassUnknownFormat, ErrUnknownAlgorithm},
		{"myhasher$1$salt$c29tZWhhc2g=", ClassUnknownFormat, ErrUnknownAlgorithm},
		{"plaintext", ClassUnknownFormat, ErrUnknownAlgorithm},
		{"pbkdf2_sha256$abc$salt$hash=", ClassMalformed, ErrMalformed},
		{"md5$salt$nothex", ClassMalformed, ErrMalformed},
		{"pbkdf2_sha256$1000$" + strings.Repeat("s", 2000) + "$x", ClassMalformed, ErrMalformed},
	}
	for _, c := range cases {
		got, err := set.Classify(c.encoded)
		if got != c.want || (c.is == nil) != (err == nil) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("Classify(%.40q) = %v, %v; want %v, %v", c.encoded, got, err, c.want, c.is)
		}
		if err != nil && len(c.encoded) > 24 && strings.Contains(err.Error(), c.encoded) {
			t.Errorf("error repeats the value: %v", err)
		}
		// Only what Classify calls storable is accepted by Validate, and
		// only Verifiable values can ever verify.
		if storable := c.want == ClassVerifiable || c.want == ClassUnusable; storable != (set.Validate(c.encoded) == nil) {
			t.Errorf("Validate(%.40q) disagrees with Classify %v", c.encoded, got)
		}
		if ok, mu := set.Check("password", c.encoded); c.want != ClassVerifiable && (ok || mu) {
			t.Errorf("Check(%.40q) = %v, %v", c.encoded, ok, mu)
		}
	}
	names := map[string]bool{}
	for c := ClassVerifiable; c <= ClassOverCeiling; c++ {
		names[c.String()] = true
	}
	if len(names) != 5 || names["invalid-class"] || Class(99).String() != "invalid-class" {
		t.Errorf("Class names: %v", names)
	}
}

func TestLimitsSettings(t *testing.T) {
	bad := []struct {
		name string
		p    Params
		is   error
	}{
		{"argon2 memory above 4 GiB", Params{Limits: Limits{Argon2MemoryKiB: 5 << 20}}, nil},
		{"pbkdf2 above 100,000,000", Params{Limits: Limits{PBKDF2Iterations: 100_000_001}}, nil},
		{"bcrypt 32", Params{Limits: Limits{BcryptCost: 32}}, nil},
		{"bcrypt 3", Params{Limits: Limits{BcryptCost: 3}}, nil},
		{"negative", Params{Limits: Limits{ScryptP: -1}}, nil},
		{"argon2 params above", Params{Argon2MemoryKiB: 1 << 20, Argon2Time: 5}, ErrTooCostly},
		{"pbkdf2 params above", Params{PBKDF2Iterations: 2000, Limits: Limits{PBKDF2Iterations: 1999}}, ErrTooCostly},
		{"bcrypt params above", Params{BcryptCost: 17}, ErrTooCostly},
		{"scrypt params above", Params{ScryptP: 17}, ErrTooCostly},
	}
	for _, b := range bad {
		_, err := NewSet("argon2", b.p)
		if err == nil || (b.is != nil && !errors.Is(err, b.is)) {
			t.Errorf("%s: NewSet error = %v", b.name, err)
		}
	}
	if _, err := NewSet("argon2", Params{Limits: Limits{ScryptP: -1}}); err == nil || !strings.Contains(err.Error(), "hash_limits.scrypt_p: -1 is outside 1..") {
		t.Errorf("negative ceiling: %v", err)
	}
	// Zero fields are the defaults; every default is inside the bounds.
	if got := (Limits{}).withDefaults(); got != DefaultLimits() || got.validate() != nil {
		t.Errorf("Limits{}.withDefaults() = %+v", got)
	}
	if err := widest().validate(); err != nil {
		t.Errorf("absolute bounds: %v", err)
	}
}
