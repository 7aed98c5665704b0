package argon2

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	xargon2 "golang.org/x/crypto/argon2"
)

// key runs deriveKey in fresh zeroed memory.
func key(typ Type, version uint32, password, salt, secret, data []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	mem := make([]Block, Blocks(memory, threads))
	return deriveKey(mem, typ, version, password, salt, secret, data, time, memory, threads, keyLen)
}

func TestRFC9106Vectors(t *testing.T) {
	for _, v := range rfcVectors {
		got := key(v.typ, Version13, genKatPassword, genKatSalt, genKatSecret, genKatAAD, 3, 32, 4, 32)
		if hex.EncodeToString(got) != v.want {
			t.Errorf("type %d: got %x, want %s", v.typ, got, v.want)
		}
	}
}

// TestVersion10Vectors holds version 1.0's later passes, which overwrite
// each block where 1.3 XORs into it.
func TestVersion10Vectors(t *testing.T) {
	for _, v := range v10Vectors {
		got := key(v.typ, Version10, genKatPassword, genKatSalt, genKatSecret, genKatAAD, 3, 32, 4, 32)
		if hex.EncodeToString(got) != v.want {
			t.Errorf("type %d: got %x, want %s", v.typ, got, v.want)
		}
	}
}

func TestReferenceVectors(t *testing.T) {
	for i, v := range testVectors {
		want, err := hex.DecodeString(v.hash)
		if err != nil {
			t.Fatal(err)
		}
		got := key(v.typ, Version13, []byte("password"), []byte("somesalt"), nil, nil, v.time, v.memory, v.threads, uint32(len(want)))
		if !bytes.Equal(got, want) {
			t.Errorf("vector %d: got %x, want %s", i, got, v.hash)
		}
	}
}

// TestMatchesXCrypto: argon2i and argon2id at version 1.3 agree with
// x/crypto over memory sizes that are and are not multiples of 4·lanes,
// lane counts that do and do not divide them, and tag lengths on both
// sides of BLAKE2b's 64 bytes.
func TestMatchesXCrypto(t *testing.T) {
	pw, salt := []byte("password"), []byte("somesaltsomesalt")
	for _, m := range []uint32{8, 33, 64, 130, 1000} {
		for _, tc := range []uint32{1, 2, 3} {
			for _, p := range []uint8{1, 2, 3, 8} {
				if m < 8*uint32(p) {
					continue
				}
				for _, n := range []uint32{4, 16, 65, 128} {
					if got, want := key(TypeI, Version13, pw, salt, nil, nil, tc, m, p, n), xargon2.Key(pw, salt, tc, m, p, n); !bytes.Equal(got, want) {
						t.Fatalf("argon2i m=%d t=%d p=%d len=%d differs from x/crypto", m, tc, p, n)
					}
					if got, want := key(TypeID, Version13, pw, salt, nil, nil, tc, m, p, n), xargon2.IDKey(pw, salt, tc, m, p, n); !bytes.Equal(got, want) {
						t.Fatalf("argon2id m=%d t=%d p=%d len=%d differs from x/crypto", m, tc, p, n)
					}
				}
			}
		}
	}
}

// TestDirtyMemory: memory left full of other bytes (another hash's blocks,
// or noise) gives the same key as zeroed memory, for every type and both
// versions; and nothing past Blocks(memory, threads) is touched.
func TestDirtyMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pw, salt := []byte("dirty"), []byte("saltsaltsalt")
	for _, typ := range []Type{TypeD, TypeI, TypeID} {
		for _, version := range []uint32{Version10, Version13} {
			for _, tc := range []uint32{1, 2, 3} {
				const m, p = 256, 4
				want := key(typ, version, pw, salt, nil, nil, tc, m, p, 32)
				n := Blocks(m, p)
				mem := make([]Block, n+2)
				for i := range mem {
					for j := range mem[i] {
						mem[i][j] = rng.Uint64()
					}
				}
				guard := mem[n:]
				saved := append([]Block(nil), guard...)
				if got := Key(mem, typ, version, pw, salt, tc, m, p, 32); !bytes.Equal(got, want) {
					t.Errorf("type %d v=%#x t=%d: dirty memory gives %x, zeroed %x", typ, version, tc, got, want)
				}
				// Again over the first hash's own blocks.
				if got := Key(mem, typ, version, pw, salt, tc, m, p, 32); !bytes.Equal(got, want) {
					t.Errorf("type %d v=%#x t=%d: reused memory gives %x, zeroed %x", typ, version, tc, got, want)
				}
				for i := range guard {
					if guard[i] != saved[i] {
						t.Fatalf("type %d v=%#x: block %d past Blocks(%d, %d) was written", typ, version, n+i, m, p)
					}
				}
			}
		}
	}
}

// TestVersionsDiffer: versions 1.0 and 1.3 differ from one pass on (H0
// holds the version), and the types differ from one another.
func TestVersionsDiffer(t *testing.T) {
	pw, salt := []byte("pw"), []byte("saltsaltsalt")
	for _, typ := range []Type{TypeD, TypeI, TypeID} {
		one10 := key(typ, Version10, pw, salt, nil, nil, 1, 64, 2, 16)
		one13 := key(typ, Version13, pw, salt, nil, nil, 1, 64, 2, 16)
		if bytes.Equal(one10, one13) {
			t.Errorf("type %d: versions 1.0 and 1.3 agree at t=1", typ)
		}
		two10 := key(typ, Version10, pw, salt, nil, nil, 2, 64, 2, 16)
		two13 := key(typ, Version13, pw, salt, nil, nil, 2, 64, 2, 16)
		if bytes.Equal(two10, two13) {
			t.Errorf("type %d: versions 1.0 and 1.3 agree at t=2", typ)
		}
	}
	d := key(TypeD, Version13, pw, salt, nil, nil, 2, 64, 2, 16)
	i := key(TypeI, Version13, pw, salt, nil, nil, 2, 64, 2, 16)
	id := key(TypeID, Version13, pw, salt, nil, nil, 2, 64, 2, 16)
	if bytes.Equal(d, i) || bytes.Equal(i, id) || bytes.Equal(d, id) {
		t.Errorf("types agree: d %x, i %x, id %x", d, i, id)
	}
}

// TestCompressionMatchesGeneric: the compression function this build uses
// (x/crypto's SSE code on amd64) and the portable one agree, storing and
// XORing.
func TestCompressionMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(b *Block) {
		for i := range b {
			b[i] = rng.Uint64()
		}
	}
	for range 100 {
		var in1, in2, out Block
		fill(&in1)
		fill(&in2)
		fill(&out)
		a, b := out, out
		processBlock(&a, &in1, &in2)
		processBlockGeneric(&b, &in1, &in2, false)
		if a != b {
			t.Fatal("processBlock differs from the generic compression")
		}
		a, b = out, out
		processBlockXOR(&a, &in1, &in2)
		processBlockGeneric(&b, &in1, &in2, true)
		if a != b {
			t.Fatal("processBlockXOR differs from the generic compression")
		}
	}
}

func TestBlocks(t *testing.T) {
	for _, c := range []struct {
		m    uint32
		p    uint8
		want int
	}{
		{8, 1, 8}, {33, 1, 32}, {102400, 8, 102400}, {100, 8, 96}, {40, 8, 64}, {130, 3, 120}, {8, 2, 16}, {1 << 20, 255, 1048560},
	} {
		if got := Blocks(c.m, c.p); got != c.want {
			t.Errorf("Blocks(%d, %d) = %d, want %d", c.m, c.p, got, c.want)
		}
	}
}

func TestKeyPanicsOnShortMemory(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	Key(make([]Block, 31), TypeID, Version13, nil, nil, 1, 32, 1, 16)
}

// BenchmarkKey compares Key with x/crypto's IDKey at Django's default
// cost (t=2, m=100 MiB, p=8), both in memory already faulted in: the
// compression is the same code, so the two should be level.
func BenchmarkKey(b *testing.B) {
	const tc, m, p = 2, 102400, 8
	pw, salt := []byte("password"), []byte("saltsaltsaltsalt")
	b.Run("authctl", func(b *testing.B) {
		mem := make([]Block, Blocks(m, p))
		for b.Loop() {
			Key(mem, TypeID, Version13, pw, salt, tc, m, p, 16)
		}
	})
	b.Run("x-crypto", func(b *testing.B) {
		for b.Loop() {
			xargon2.IDKey(pw, salt, tc, m, p, 16)
		}
	})
}

func ExampleKey() {
	mem := make([]Block, Blocks(64, 1))
	tag := Key(mem, TypeID, Version13, []byte("password"), []byte("somesalt"), 2, 64, 1, 24)
	fmt.Printf("%x\n", tag)
	// Output: 068d62b26455936aa6ebe60060b0a65870dbfa3ddf8d41f7
}
