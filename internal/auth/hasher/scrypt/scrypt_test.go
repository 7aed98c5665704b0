package scrypt

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	xscrypt "golang.org/x/crypto/scrypt"
)

// key is Key in fresh memory of exactly Words(N, r) words.
func key(t *testing.T, password, salt string, N, r, p, keyLen int) []byte {
	t.Helper()
	k, err := Key(make([]uint32, Words(N, r)), []byte(password), []byte(salt), N, r, p, keyLen)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRFC7914Vectors: the test vectors of RFC 7914, section 12.
func TestRFC7914Vectors(t *testing.T) {
	for _, tc := range []struct {
		password, salt string
		N, r, p        int
		want           string
	}{
		{"", "", 16, 1, 1, "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"},
		{"password", "NaCl", 1024, 8, 16, "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"},
		{"pleaseletmein", "SodiumChloride", 16384, 8, 1, "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"},
	} {
		want, _ := hex.DecodeString(tc.want)
		if got := key(t, tc.password, tc.salt, tc.N, tc.r, tc.p, len(want)); !bytes.Equal(got, want) {
			t.Errorf("N=%d r=%d p=%d: got %x, want %s", tc.N, tc.r, tc.p, got, tc.want)
		}
	}
}

// TestKeyEqualsXCrypto: over many shapes, in memory that held something
// else (an earlier key's V, random words), and longer than needed, Key
// equals x/crypto's Key and touches nothing past Words(N, r).
func TestKeyEqualsXCrypto(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mem := make([]uint32, Words(1<<10, 8)+64)
	for i := range mem {
		mem[i] = rng.Uint32()
	}
	for _, N := range []int{2, 4, 16, 256, 1 << 10} {
		for _, r := range []int{1, 2, 3, 8} {
			for _, p := range []int{1, 2, 3} {
				if Words(N, r) > len(mem)-64 {
					continue
				}
				pw := []byte("pw" + string(rune('a'+N%26)) + string(rune('a'+r)))
				salt := []byte("salt-" + string(rune('a'+p)))
				want, err := xscrypt.Key(pw, salt, N, r, p, 64)
				if err != nil {
					t.Fatal(err)
				}
				n := Words(N, r)
				guard := append([]uint32(nil), mem[n:]...)
				got, err := Key(mem, pw, salt, N, r, p, 64)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("N=%d r=%d p=%d: got %x, want %x", N, r, p, got, want)
				}
				for i, w := range guard {
					if mem[n+i] != w {
						t.Fatalf("N=%d r=%d p=%d: word %d past V changed", N, r, p, i)
					}
				}
			}
		}
	}
}

// TestKeyRefuses: x/crypto's bad parameters, and memory too short.
func TestKeyRefuses(t *testing.T) {
	const maxInt = int(^uint(0) >> 1)
	for _, tc := range []struct{ N, r, p int }{
		{0, 1, 1}, {1, 1, 1}, {7, 8, 1}, {16, maxInt / 2, maxInt / 2},
		{2, 0, 1}, {2, 1, 0}, {2, -1, 1}, {2, 1, -1},
	} {
		if _, err := Key(make([]uint32, 1024), []byte("p"), []byte("s"), tc.N, tc.r, tc.p, 32); err == nil {
			t.Errorf("N=%d r=%d p=%d: no error", tc.N, tc.r, tc.p)
		}
	}
	if _, err := Key(make([]uint32, Words(16, 2)-1), []byte("p"), []byte("s"), 16, 2, 1, 32); err == nil {
		t.Error("memory one word short: no error")
	}
}
