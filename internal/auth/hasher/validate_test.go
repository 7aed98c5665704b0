package hasher

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Django-made or reference hashes used below (password in the comment).
const (
	vecPBKDF2   = "pbkdf2_sha256$1000$seasaltseasalt12$iffpCmjs7mgWVWG0K453MElI5dD07dLw5avJalSYNU4="                                              // password
	vecArgon2   = "argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag"                                           // password
	vecBcrypt   = "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuugkQA0GCBGUEqAtJsvVqqVkMMm/ez2qi"                                                    // password
	vecScrypt   = "scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw=="             // lètmein
	vecMD5      = "md5$seasaltseasalt12$129729e2b75eb4a684f70d320638d097"                                                                         // password
	vecSHA1     = "sha1$seasaltseasalt12$36b3a50257fa237491bce8e9a9cf202c2592073c"                                                                // password
	vecUnsMD5   = "5f4dcc3b5aa765d61d8327deb882cf99"                                                                                              // password
	vecUnsSHA1  = "sha1$$5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"                                                                                // password
	vecArgon2i  = "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$YC9+jJCrQhs5R6db7LlN8Q"                                                            // secret (Django test suite)
	vecArgon2v0 = "argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg" // secret, no v=
	vecArgon2R  = "argon2$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"                                    // password (argon2 reference test.c)
)

// bumpLast replaces the last character before any padding with the next one
// in the base64 alphabet, making the trailing bits non-zero.
func bumpLast(s string) string {
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	body := strings.TrimRight(s, "=")
	i := len(body) - 1
	next := alpha[(strings.IndexByte(alpha, body[i])+1)%64]
	return body[:i] + string(next) + s[len(body):]
}

func TestValidate(t *testing.T) {
	s := mustSet(t, "pbkdf2_sha256", cheap)
	for _, enc := range []string{vecPBKDF2, vecArgon2, vecBcrypt, vecScrypt, vecMD5, vecSHA1, vecUnsMD5, "md5$$" + vecUnsMD5,
		vecUnsSHA1, vecArgon2i, vecArgon2R, Unusable(), "!", "bcrypt$$2y$04$abcdefghijklmnopqrstuugkQA0GCBGUEqAtJsvVqqVkMMm/ez2qi"} {
		if err := s.Validate(enc); err != nil {
			t.Errorf("Validate(%q) = %v", enc, err)
		}
	}
	long := "pbkdf2_sha256$1000$" + strings.Repeat("s", 2000) + "$" + strings.Split(vecPBKDF2, "$")[3]
	pb := strings.Split(vecPBKDF2, "$")
	sc := strings.Split(vecScrypt, "$")
	bc := strings.TrimPrefix(vecBcrypt, "bcrypt_sha256$")
	malformed := []string{
		// pbkdf2
		"pbkdf2_sha256$1000$seasalt", "pbkdf2_sha256$01000$" + pb[2] + "$" + pb[3], "pbkdf2_sha256$+1000$" + pb[2] + "$" + pb[3],
		"pbkdf2_sha256$abc$" + pb[2] + "$" + pb[3], "pbkdf2_sha256$0$" + pb[2] + "$" + pb[3], "pbkdf2_sha256$-1$" + pb[2] + "$" + pb[3],
		"pbkdf2_sha256$99999999999999999999999$" + pb[2] + "$" + pb[3],
		"pbkdf2_sha256$1000$$" + pb[3], "pbkdf2_sha256$1000$" + pb[2] + "$" + strings.TrimRight(pb[3], "="),
		"pbkdf2_sha256$1000$" + pb[2] + "$" + bumpLast(pb[3]), "pbkdf2_sha256$1000$" + pb[2] + "$" + pb[3][4:],
		"pbkdf2_sha256$1000$" + pb[2] + "$" + pb[3] + "$", "pbkdf2_sha1$1000$" + pb[2] + "$" + pb[3], long,
		// argon2
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdHNlYXNhbHQxMg", "argon2$argon2x$v=19$m=64,t=1,p=1$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$t=2,m=102400,p=8$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=102400,t=2$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=16,t=2,p=8$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=102400,t=0,p=8$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=102400,t=2,p=0$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=0102400,t=2,p=8$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdHNlYXNhbHQxMg$mlVi",
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdHNlYXNhbHQxMg==$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2id$v=19$m=102400,t=2,p=8$c2Vhc2FsdHNlYXNhbHQxMg$" + bumpLast("mlViIewiXlPDxBFZxGREag"),
		"argon2$argon2id$19$m=102400,t=2,p=8$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		// bcrypt family
		"bcrypt_sha256$" + strings.Replace(bc, "$2b$", "$2x$", 1), "bcrypt_sha256$" + strings.Replace(bc, "$12$", "$03$", 1),
		"bcrypt_sha256$" + strings.Replace(bc, "$12$", "$32$", 1), "bcrypt_sha256$" + strings.Replace(bc, "$12$", "$1a$", 1),
		"bcrypt_sha256$" + bc[:59], "bcrypt_sha256$" + bc + "x", "bcrypt_sha256$" + strings.Replace(bc, "abcdef", "abc!ef", 1),
		"bcrypt_sha256$" + strings.Replace(bc, "stuu", "stuv", 1), "bcrypt_sha256$" + bc[:59] + "j", "bcrypt_sha256" + bc,
		// scrypt
		"scrypt$16383$seasalt$8$1$" + sc[5], "scrypt$32768$seasalt$8$1$" + sc[5], "scrypt$65536$seasalt$1$1$" + sc[5],
		"scrypt$16384$seasalt$8$0$" + sc[5], "scrypt$16384$seasalt$8$1$" + sc[5] + "$x", "scrypt$16384$$8$1$" + sc[5],
		"scrypt$16384$seasalt$8$1$" + sc[5][4:], "scrypt$16384$seasalt$8$1", "scrypt$16384$seasalt$8$40000000$" + sc[5],
		// legacy
		"md5$$abc", "md5$seasalt$" + strings.ToUpper(vecUnsMD5), "md5$seasalt$" + vecUnsMD5[1:], "sha1$salt$" + vecUnsMD5,
		strings.ToUpper(vecUnsMD5), strings.Repeat("g", 32), "md5$$" + strings.ToUpper(vecUnsMD5),
	}
	for _, enc := range malformed {
		err := s.Validate(enc)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("Validate(%q) = %v, want ErrMalformed", enc, err)
		}
		if ok, mu := s.Check("password", enc); ok || mu {
			t.Errorf("Check(%q) = %v, %v", enc, ok, mu)
		}
		if h, err := s.Identify(enc); err == nil && h.Verify("password", enc) {
			t.Errorf("Verify(%q) = true", enc)
		}
	}
	// Argon2 has versions 16 and 19 only (the older forms are in
	// TestArgon2LegacyFormats).
	for _, enc := range []string{strings.Replace(vecArgon2i, "v=19", "v=18", 1), strings.Replace(vecArgon2i, "v=19", "v=20", 1)} {
		if err := s.Validate(enc); !errors.Is(err, ErrMalformed) || !errors.Is(err, ErrUnsupported) {
			t.Errorf("Validate(%q) = %v, want ErrMalformed and ErrUnsupported", enc, err)
		}
	}
	for _, enc := range []string{"", "lolcat$salt$hash", "crypt$$abJnggxhB/yWI", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"} {
		if err := s.Validate(enc); !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("Validate(%q) = %v, want ErrUnknownAlgorithm", enc, err)
		}
	}
}

// TestArgon2Variants verifies argon2i and argon2id hashes made by other
// implementations at other parameters.
func TestArgon2Variants(t *testing.T) {
	s := mustSet(t, "pbkdf2_sha256", cheap)
	cases := []struct {
		encoded, right string
		slow           bool
	}{
		{vecArgon2i, "secret", false},
		{vecArgon2R, "password", false},
		{"argon2$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA", "password", true},
		{"argon2$argon2id$v=19$m=102400,t=2,p=8$Y041dExhNkljRUUy$TMa6A8fPJhCAUXRhJXCXdw", "secret", true},
	}
	for _, c := range cases {
		if c.slow && testing.Short() {
			continue
		}
		if ok, mu := s.Check(c.right, c.encoded); !ok || !mu {
			t.Errorf("Check(%q) = %v, %v", c.encoded, ok, mu)
		}
		if ok, _ := s.Check("wrong", c.encoded); ok {
			t.Errorf("wrong password verified against %q", c.encoded)
		}
	}
}

func TestSummary(t *testing.T) {
	s := mustSet(t, "pbkdf2_sha256", cheap)
	stars := strings.Repeat
	tests := []struct {
		encoded string
		want    []Field
	}{
		{vecPBKDF2, []Field{{"algorithm", "pbkdf2_sha256"}, {"iterations", "1000"}, {"salt", "seasal" + stars("*", 10)}, {"hash", "iffpCm" + stars("*", 38)}}},
		{vecArgon2, []Field{{"algorithm", "argon2"}, {"variety", "argon2id"}, {"version", "19"}, {"memory cost", "102400"}, {"time cost", "2"},
			{"parallelism", "8"}, {"salt", "seasal" + stars("*", 10)}, {"hash", "mlViIe" + stars("*", 16)}}},
		{vecArgon2v0, []Field{{"algorithm", "argon2"}, {"variety", "argon2i"}, {"version", "18"}, {"memory cost", "8"}, {"time cost", "1"},
			{"parallelism", "1"}, {"salt", "somesa**"}, {"hash", "gwQOXS" + stars("*", 80)}}},
		{vecBcrypt, []Field{{"algorithm", "bcrypt_sha256"}, {"work factor", "12"}, {"salt", "abcdef" + stars("*", 16)}, {"checksum", "gkQA0G" + stars("*", 25)}}},
		{vecScrypt, []Field{{"algorithm", "scrypt"}, {"work factor", "16384"}, {"block size", "8"}, {"parallelism", "1"}, {"salt", "seasal*"}, {"hash", "Qj3+9P" + stars("*", 82)}}},
		{vecMD5, []Field{{"algorithm", "md5"}, {"salt", "se" + stars("*", 14)}, {"hash", "129729" + stars("*", 26)}}},
		{vecSHA1, []Field{{"algorithm", "sha1"}, {"salt", "se" + stars("*", 14)}, {"hash", "36b3a5" + stars("*", 34)}}},
		{vecUnsMD5, []Field{{"algorithm", "unsalted_md5"}, {"hash", "5f4" + stars("*", 29)}}},
		{"md5$$" + vecUnsMD5, []Field{{"algorithm", "unsalted_md5"}, {"hash", "md5" + stars("*", 34)}}},
		{vecUnsSHA1, []Field{{"algorithm", "unsalted_sha1"}, {"hash", "5baa61" + stars("*", 34)}}},
		{"pbkdf2_sha256$1000$sälté$" + strings.Split(vecPBKDF2, "$")[3], []Field{{"algorithm", "pbkdf2_sha256"}, {"iterations", "1000"}, {"salt", "sälté"}, {"hash", "iffpCm" + stars("*", 38)}}},
		{"", []Field{{"password", "no password set (empty)"}}},
		{Unusable(), []Field{{"password", "no password set (unusable)"}}},
		{"lolcat$x$y", invalidSummary()},
		{"pbkdf2_sha256$x$y$z", invalidSummary()},
		{"crypt$$abJnggxhB/yWI", invalidSummary()},
	}
	for _, tt := range tests {
		if got := s.Summary(tt.encoded); !slices.Equal(got, tt.want) {
			t.Errorf("Summary(%q) =\n %v\nwant\n %v", tt.encoded, got, tt.want)
		}
	}
}
