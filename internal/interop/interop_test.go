package interop

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"authctl/internal/auth"
	"authctl/internal/auth/hasher"
)

// password is one test password and a near miss that must not verify.
type password struct {
	name, pw, wrong string
}

// passwords covers what tends to break between implementations: encodings
// (no Unicode normalisation: NFC and NFD are different passwords), bcrypt's
// 72-byte limit (bcrypt_sha256 pre-hashes, so the 73rd byte counts), "$"
// (the field separator of the encoded format) and length.
var passwords = []password{
	{"ascii", "correct horse battery staple", "correct horse battery stapl"},
	{"empty", "", " "},
	{"spaces", "  pass word  ", "pass word"},
	{"nfc", "caf\u00e9 cr\u00e8me", "cafe\u0301 cre\u0300me"},
	{"nfd", "cafe\u0301 cre\u0300me", "caf\u00e9 cr\u00e8me"},
	{"emoji", "🔐🦄 pässwörd ✓", "🔓🦄 pässwörd ✓"},
	{"72bytes", strings.Repeat("a", 72), strings.Repeat("a", 71)},
	{"73bytes", strings.Repeat("a", 72) + "b", strings.Repeat("a", 72) + "c"},
	{"dollars", "$2b$12$not$a$hash$", "$2b$12$not$a$hash"},
	{"long4100", strings.Repeat("0123456789", 410), strings.Repeat("0123456789", 409) + "012345678X"},
}

// expensive names the passwords also tried at Django's default costs; the
// rest run at cheap costs only, to keep the test well under a minute
// (argon2 at 100 MiB and bcrypt at cost 12 take 0.2 to 0.5 s per check in
// Python).
var expensive = []string{"emoji", "nfd", "73bytes"}

func pick(names []string) []password {
	var out []password
	for _, p := range passwords {
		for _, n := range names {
			if p.name == n {
				out = append(out, p)
			}
		}
	}
	return out
}

// cheap are low costs for the full password set; every field differs from
// Django's defaults, which also shows that Django reads the costs from the
// hash.
var cheap = hasher.Params{
	PBKDF2Iterations: 1000,
	Argon2Time:       1,
	Argon2MemoryKiB:  64,
	Argon2Threads:    2,
	BcryptCost:       4,
	ScryptN:          1024,
	ScryptR:          4,
	ScryptP:          2,
}

// djangoCheap are the same costs as Django hasher attributes.
var djangoCheap = map[string]map[string]int{
	"argon2":        {"time_cost": 1, "memory_cost": 64, "parallelism": 2},
	"pbkdf2_sha256": {"iterations": 1000},
	"bcrypt_sha256": {"rounds": 4},
	"scrypt":        {"work_factor": 1024, "block_size": 4, "parallelism": 2},
}

var generating = []string{"argon2", "pbkdf2_sha256", "bcrypt_sha256", "scrypt"}

// goCase is a hash made here for Django to check.
type goCase struct {
	name, algorithm string
	pw              password
	encoded         string
}

func mustSet(t testing.TB, preferred string, p hasher.Params) *hasher.Set {
	t.Helper()
	s, err := hasher.NewSet(preferred, p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGoHashesVerifyInDjango makes hashes with hasher.Set and asks Django's
// check_password about the password and its near miss, and identify_hasher
// about the algorithm. scrypt is checked by django_check.py's backport of
// Django 4's hasher (Django 3.2 has none), recomputed with hashlib.scrypt.
func TestGoHashesVerifyInDjango(t *testing.T) {
	needDjango(t)
	type plan struct {
		label string
		set   *hasher.Set
		pws   []password
	}
	var plans []plan
	for _, alg := range generating {
		plans = append(plans, plan{alg + "/cheap", mustSet(t, alg, cheap), passwords})
	}
	// Django's defaults (argon2 t=2 m=100 MiB p=8, bcrypt cost 12, scrypt
	// N=2^14 r=8 p=5) and authctl's pbkdf2 default (1,200,000) on a few
	// passwords, and Django 3.2's own pbkdf2 count (260,000) once.
	for _, alg := range generating {
		pws := pick(expensive)
		if alg == "pbkdf2_sha256" {
			pws = pick([]string{"ascii"})
		}
		plans = append(plans, plan{alg + "/default", mustSet(t, alg, hasher.DefaultParams()), pws})
	}
	plans = append(plans, plan{"pbkdf2_sha256/260000", mustSet(t, "pbkdf2_sha256", hasher.Params{PBKDF2Iterations: 260000}), pick([]string{"nfc"})})

	var cases []goCase
	for _, pl := range plans {
		alg := pl.set.Preferred().Algorithm()
		for _, pw := range pl.pws {
			enc, err := pl.set.Make(pw.pw)
			if err != nil {
				t.Fatalf("%s: Make(%s): %v", pl.label, pw.name, err)
			}
			cases = append(cases, goCase{name: pl.label + "/" + pw.name, algorithm: alg, pw: pw, encoded: enc})
		}
	}

	ops := make([]op, 0, len(cases)+1)
	for _, c := range cases {
		ops = append(ops, checkOp(c.encoded, c.pw.pw, c.pw.wrong))
	}
	// The backport must reproduce Django 4's own scrypt test vector
	// (tests/auth_tests/test_hashers.py, test_scrypt).
	const djangoScryptVector = "scrypt$16384$seasalt$8$1$Qj3+9PPyRjSJIebHnG81TMjsqtaIGxNQG/aEB/NYafTJ7tibgfYz71m0ldQESkXFRkdVCBhhY8mx7rQwite/Pw=="
	ops = append(ops, checkOp(djangoScryptVector, "lètmein", "letmein"))
	cases = append(cases, goCase{name: "scrypt/django4-test-vector", algorithm: "scrypt", pw: password{"vector", "lètmein", "letmein"}, encoded: djangoScryptVector})

	results := askDjango(t, ops)
	for i, c := range cases {
		r := results[i]
		t.Run(c.name, func(t *testing.T) {
			switch {
			case r.Error != "":
				t.Fatalf("Django raised %s for %q", r.Error, c.encoded)
			case r.Algorithm != c.algorithm:
				t.Errorf("identify_hasher(%q).algorithm = %q, want %q", c.encoded, r.Algorithm, c.algorithm)
			}
			if r.Right == nil || !*r.Right {
				t.Errorf("check_password(%q, %q) is not True", abbrev(c.pw.pw), c.encoded)
			}
			if r.Wrong == nil || *r.Wrong {
				t.Errorf("check_password(near miss %q, %q) is not False", abbrev(c.pw.wrong), c.encoded)
			}
		})
	}
}

// TestDjangoHashesVerifyInGo has Django make hashes with fresh salts and
// checks them with hasher.Set.Check: the right password verifies, the near
// miss does not, and Identify names the algorithm.
func TestDjangoHashesVerifyInGo(t *testing.T) {
	needDjango(t)
	type made struct {
		name, algorithm string
		pw              password
	}
	var (
		cases []made
		ops   []op
	)
	add := func(label, alg string, pws []password, params map[string]int) {
		for _, pw := range pws {
			cases = append(cases, made{label + "/" + pw.name, alg, pw})
			ops = append(ops, makeOp(alg, pw.pw, params))
		}
	}
	for _, alg := range generating {
		add(alg+"/cheap", alg, passwords, djangoCheap[alg])
	}
	// Django's own defaults: argon2 t=2 m=100 MiB p=8, bcrypt cost 12,
	// pbkdf2 260,000 (3.2), scrypt N=2^14 r=8 p=5 (the backport, as 5.1+).
	for _, alg := range generating {
		pws := pick(expensive)
		if alg == "pbkdf2_sha256" {
			pws = pick([]string{"long4100"})
		}
		add(alg+"/default", alg, pws, nil)
	}
	// Django 4.0 to 5.0 made scrypt hashes with p=1.
	add("scrypt/p1", "scrypt", pick([]string{"ascii"}), map[string]int{"parallelism": 1})

	results := askDjango(t, ops)
	// The preferred hasher does not matter for verifying, as long as it is
	// cheap: argon2's HardenRuntime is a no-op, so a wrong password costs one
	// verification.
	set := mustSet(t, "argon2", cheap)
	for i, c := range cases {
		r := results[i]
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if r.Error != "" {
				t.Fatalf("Django make_password raised %s", r.Error)
			}
			enc := r.Encoded
			h, err := set.Identify(enc)
			if err != nil {
				t.Fatalf("Identify(%q): %v", enc, err)
			}
			if h.Algorithm() != c.algorithm {
				t.Errorf("Identify(%q) = %s, want %s", enc, h.Algorithm(), c.algorithm)
			}
			if err := set.Validate(enc); err != nil {
				t.Errorf("Validate(%q): %v", enc, err)
			}
			if ok, _ := set.Check(c.pw.pw, enc); !ok {
				t.Errorf("Check(%q, %q) = false, want true", abbrev(c.pw.pw), enc)
			}
			if ok, _ := set.Check(c.pw.wrong, enc); ok {
				t.Errorf("Check(near miss %q, %q) = true, want false", abbrev(c.pw.wrong), enc)
			}
		})
	}
}

// TestSessionAuthHash compares auth.SessionAuthHash with Django's
// salted_hmac(key_salt, password, secret, algorithm="sha256").hexdigest()
// and with AbstractBaseUser.get_session_auth_hash (keyed by SECRET_KEY).
func TestSessionAuthHash(t *testing.T) {
	needDjango(t)
	const keySalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
	argon, err := mustSet(t, "argon2", cheap).Make("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{
		argon,
		"pbkdf2_sha256$260000$vector22characterssalt$6DMLqGQtDzJVm0/QRhJRkDmMa5Os+wi/bC7z4P1EY7Q=",
		hasher.Unusable(),
		"",
		"pässwörd $ 🔐",
	}
	random := make([]byte, 32) // what authctl keeps as the database secret
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	secrets := [][]byte{[]byte(secretKey), []byte("short"), random}

	type want struct {
		name, hex string
	}
	var (
		ops   []op
		wants []want
	)
	for i, f := range fields {
		for j, s := range secrets {
			ops = append(ops, op{"op": "salted_hmac", "key_salt": keySalt, "value": f, "secret_hex": hex.EncodeToString(s)})
			wants = append(wants, want{name: "salted_hmac/field" + strconv.Itoa(i) + "/secret" + strconv.Itoa(j), hex: auth.SessionAuthHash(s, f)})
		}
		ops = append(ops, op{"op": "session_auth_hash", "password_field": f})
		wants = append(wants, want{name: "get_session_auth_hash/field" + strconv.Itoa(i), hex: auth.SessionAuthHash([]byte(secretKey), f)})
	}
	results := askDjango(t, ops)
	for i, w := range wants {
		r := results[i]
		switch {
		case r.Error != "":
			t.Errorf("%s: Django raised %s", w.name, r.Error)
		case r.Hexdigest != w.hex:
			t.Errorf("%s: Django %s, authctl %s", w.name, r.Hexdigest, w.hex)
		}
	}
}

// TestBinaryRoundTrip goes through the built binary: hashes printed by
// "authctl password hash" verify in Django, and Django hashes given to
// "user create --password-hash" authenticate with "authctl authenticate"
// (which also upgrades them to argon2, so a second authentication checks
// the upgraded hash).
func TestBinaryRoundTrip(t *testing.T) {
	needDjango(t)
	bin := buildAuthctl(t)
	env := isolatedEnv(t)
	const pw = "Tr0ub4dor & 3 ✓ $ café"
	const wrong = "Tr0ub4dor & 3 ✓ $ cafe"

	var ops []op
	for _, alg := range generating {
		out, stderr, code := runAuthctl(t, bin, env, pw+"\n", "password", "hash", "--hasher", alg, "--password-stdin")
		if code != 0 {
			t.Fatalf("password hash --hasher %s: exit %d: %s", alg, code, stderr)
		}
		enc := strings.TrimSpace(out)
		if !strings.HasPrefix(enc, alg+"$") {
			t.Fatalf("password hash --hasher %s printed %q", alg, enc)
		}
		ops = append(ops, checkOp(enc, pw, wrong))
	}
	for _, alg := range generating {
		ops = append(ops, makeOp(alg, pw, nil))
	}
	results := askDjango(t, ops)

	for i, alg := range generating {
		r := results[i]
		t.Run("authctl-to-django/"+alg, func(t *testing.T) {
			switch {
			case r.Error != "":
				t.Fatalf("Django raised %s", r.Error)
			case r.Algorithm != alg:
				t.Errorf("identify_hasher: %q, want %q", r.Algorithm, alg)
			}
			if r.Right == nil || !*r.Right || r.Wrong == nil || *r.Wrong {
				t.Errorf("check_password: right %v, near miss %v; want true, false", deref(r.Right), deref(r.Wrong))
			}
		})
	}
	for i, alg := range generating {
		r := results[len(generating)+i]
		t.Run("django-to-authctl/"+alg, func(t *testing.T) {
			if r.Error != "" {
				t.Fatalf("Django make_password raised %s", r.Error)
			}
			user := "django-" + strings.ReplaceAll(alg, "_", "-")
			if _, stderr, code := runAuthctl(t, bin, env, "", "user", "create", user, "--password-hash", r.Encoded); code != 0 {
				t.Fatalf("user create --password-hash %q: exit %d: %s", r.Encoded, code, stderr)
			}
			if _, stderr, code := runAuthctl(t, bin, env, wrong+"\n", "authenticate", user, "--password-stdin"); code != 1 {
				t.Errorf("authenticate with a near miss: exit %d, want 1: %s", code, stderr)
			}
			for _, round := range []string{"Django's hash", "the upgraded hash"} {
				if _, stderr, code := runAuthctl(t, bin, env, pw+"\n", "authenticate", user, "--password-stdin"); code != 0 {
					t.Errorf("authenticate against %s: exit %d, want 0: %s", round, code, stderr)
				}
			}
		})
	}
}

// buildAuthctl builds the binary into a temporary directory.
func buildAuthctl(t *testing.T) string {
	t.Helper()
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go tool to build authctl: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "authctl")
	cmd := exec.Command(gotool, "build", "-o", bin, "authctl")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build authctl: %v\n%s", err, out)
	}
	return bin
}

// isolatedEnv is a minimal environment whose home, XDG directories and
// database are fresh temporary paths.
func isolatedEnv(t *testing.T) []string {
	dir := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}
	for _, kv := range [][2]string{
		{"HOME", "home"},
		{"XDG_CONFIG_HOME", "config"},
		{"XDG_DATA_HOME", "data"},
		{"XDG_STATE_HOME", "state"},
		{"XDG_CACHE_HOME", "cache"},
		{"AUTHCTL_DB", "auth.db"},
	} {
		env = append(env, kv[0]+"="+filepath.Join(dir, kv[1]))
	}
	return env
}

// runAuthctl runs the binary and returns its stdout, stderr and exit code;
// it fails t if the binary could not run at all.
func runAuthctl(t *testing.T, bin string, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	}
	t.Fatalf("authctl %s: %v", strings.Join(args, " "), err)
	return "", "", -1
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// abbrev shortens long passwords in messages.
func abbrev(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%.20s… (%d bytes)", s, len(s))
	}
	return s
}
