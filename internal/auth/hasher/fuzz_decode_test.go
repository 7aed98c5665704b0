package hasher

import (
	"runtime"
	"strings"
	"testing"
)

// fuzzLimits are low ceilings, so that every value a decoder accepts is
// cheap to verify and the fuzz targets verify all of them.
var fuzzLimits = Limits{
	Argon2MemoryKiB: 256, Argon2Time: 4, Argon2Parallelism: 4, Argon2WorkKiB: 512,
	PBKDF2Iterations: 20_000, BcryptCost: 6, ScryptMemoryKiB: 256, ScryptP: 4,
}

// fuzzMaxAlloc bounds what one decode plus verification may allocate under
// fuzzLimits: the largest memory they allow (256 KiB) plus the parsing.
const fuzzMaxAlloc = 1 << 20

// fuzzDecoder runs every method of h on encoded and checks that an input
// the decoder accepts is within fuzzLimits and verifies without allocating
// more than fuzzMaxAlloc, and that a rejected one allocates nearly nothing
// (so a huge cost is refused before anything is allocated for it).
func fuzzDecoder(t *testing.T, h Hasher, password, encoded string) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := h.WellFormed(encoded)
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Fatalf("WellFormed(%.60q) allocated %d bytes", encoded, n)
	}
	_ = h.Summary(encoded)
	_ = h.MustUpdate(encoded)
	runtime.ReadMemStats(&before)
	ok := h.Verify(password, encoded)
	h.HardenRuntime(password, encoded)
	runtime.ReadMemStats(&after)
	n := after.TotalAlloc - before.TotalAlloc
	if err != nil {
		if ok {
			t.Fatalf("Verify(%.60q) = true for a value WellFormed rejects: %v", encoded, err)
		}
		if n > 64<<10 {
			t.Fatalf("Verify(%.60q) of a rejected value allocated %d bytes", encoded, n)
		}
		return
	}
	if n > fuzzMaxAlloc {
		t.Fatalf("Verify(%.60q) allocated %d bytes, more than the limits allow", encoded, n)
	}
}

func fuzzHasher(f *testing.F, algorithm string, seeds ...string) {
	p := cheap
	p.Limits = fuzzLimits
	h := newHashers(p)[algorithm]
	for _, s := range append(seeds, fuzzSeeds...) {
		f.Add("password", s)
	}
	f.Fuzz(func(t *testing.T, password, encoded string) {
		fuzzDecoder(t, h, password, encoded)
	})
}

// One target per decoder; seeds are in testdata/fuzz/<target>/ as well.
func FuzzArgon2(f *testing.F) {
	fuzzHasher(f, "argon2",
		"argon2$argon2id$v=19$m=4294967295,t=4294967295,p=255$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2d$v=16$m=256,t=2,p=4$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2i$m=32,t=1,p=4$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag")
}

func FuzzPBKDF2(f *testing.F) {
	fuzzHasher(f, "pbkdf2_sha256", "pbkdf2_sha256$18446744073709551615$salt$iffpCmjs7mgWVWG0K453MElI5dD07dLw5avJalSYNU4=",
		"pbkdf2_sha256$20000$s$iffpCmjs7mgWVWG0K453MElI5dD07dLw5avJalSYNU4=")
}

func FuzzPBKDF2SHA1(f *testing.F) {
	fuzzHasher(f, "pbkdf2_sha1", "pbkdf2_sha1$1000$seasalt$x1qHaeOv8OmZDYBs3o7V6BTyLmE=")
}

func FuzzBcryptSHA256(f *testing.F) {
	fuzzHasher(f, "bcrypt_sha256", "bcrypt_sha256$$2b$31$abcdefghijklmnopqrstuugkQA0GCBGUEqAtJsvVqqVkMMm/ez2qi",
		"bcrypt_sha256$$2y$06$abcdefghijklmnopqrstuugkQA0GCBGUEqAtJsvVqqVkMMm/ez2qi")
}

func FuzzBcrypt(f *testing.F) {
	fuzzHasher(f, "bcrypt", "bcrypt$$2a$05$abcdefghijklmnopqrstuugkQA0GCBGUEqAtJsvVqqVkMMm/ez2qi")
}

func FuzzScrypt(f *testing.F) {
	fuzzHasher(f, "scrypt", "scrypt$1073741824$salt$8$1$"+strings.Split(vecScrypt, "$")[5],
		"scrypt$256$salt$8$4$"+strings.Split(vecScrypt, "$")[5])
}

func FuzzSaltedMD5(f *testing.F)   { fuzzHasher(f, "md5", "md5$$$"+vecUnsMD5) }
func FuzzSaltedSHA1(f *testing.F)  { fuzzHasher(f, "sha1", "sha1$x$"+strings.Repeat("a", 40)) }
func FuzzUnsaltedMD5(f *testing.F) { fuzzHasher(f, "unsalted_md5", "md5$$"+vecUnsMD5) }
func FuzzUnsaltedSHA1(f *testing.F) {
	fuzzHasher(f, "unsalted_sha1", "sha1$$"+strings.ToUpper(strings.TrimPrefix(vecUnsSHA1, "sha1$$")))
}

// FuzzClassify: Classify never hashes, agrees with Validate, and only
// Verifiable values can ever check true.
func FuzzClassify(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	p := cheap
	p.Limits = fuzzLimits
	set := mustSet(f, "pbkdf2_sha256", p)
	f.Fuzz(func(t *testing.T, encoded string) {
		c, err := set.Classify(encoded)
		storable := c == ClassVerifiable || c == ClassUnusable
		if storable != (err == nil) || storable != (set.Validate(encoded) == nil) {
			t.Fatalf("Classify(%.60q) = %v, %v; Validate = %v", encoded, c, err, set.Validate(encoded))
		}
		if ok, _ := set.Check("password", encoded); ok && c != ClassVerifiable {
			t.Fatalf("Check true for class %v", c)
		}
	})
}

// TestHugeCostsAllocateNothing: the ceilings are checked while parsing,
// before any allocation for the hash's memory, for every algorithm.
func TestHugeCostsAllocateNothing(t *testing.T) {
	set := mustSet(t, "argon2", cheap)
	for _, enc := range []string{
		"argon2$argon2id$v=19$m=4294967295,t=1,p=1$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"argon2$argon2d$m=4194304,t=4294967295,p=255$c2Vhc2FsdHNlYXNhbHQxMg$mlViIewiXlPDxBFZxGREag",
		"scrypt$16777216$salt$8$1$" + strings.Split(vecScrypt, "$")[5],
		"pbkdf2_sha256$4000000000$salt$iffpCmjs7mgWVWG0K453MElI5dD07dLw5avJalSYNU4=",
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		h, _ := set.Identify(enc)
		verified := h.Verify("pw", enc)
		runtime.ReadMemStats(&after)
		if verified {
			t.Errorf("%.40s… verified", enc)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Errorf("Verify(%.40s…) allocated %d bytes before refusing", enc, n)
		}
	}
}
