package auth

import (
	"slices"
	"strings"
)

// orderKey is a user's place in keyOrder: the first 16 bytes of its name
// (zero-padded) as two big-endian words, and its step's index.
type orderKey struct {
	hi, lo uint64
	i      int32
}

// sortKeys sorts keys by their prefixes and, where two prefixes are equal,
// by name, the whole names.
func sortKeys(keys []orderKey, name func(int32) string) {
	sortPrefixes(keys)
	for a := 0; a < len(keys); {
		b := a + 1
		for b < len(keys) && keys[b].hi == keys[a].hi && keys[b].lo == keys[a].lo {
			b++
		}
		if b-a > 1 {
			slices.SortFunc(keys[a:b], func(x, y orderKey) int { return strings.Compare(name(x.i), name(y.i)) })
		}
		a = b
	}
}

// sortPrefixes sorts keys by their prefixes: a least-significant-byte
// radix sort, which skips the bytes every key shares (usernames tend to
// share a few leading bytes, and short ones end in zeros). A shuffled
// document's 100,000 names sort in a fraction of the time a comparison
// sort takes, which reads both keys and calls a comparison for each of
// its n·log n steps.
func sortPrefixes(keys []orderKey) {
	if len(keys) < 256 {
		slices.SortFunc(keys, func(a, b orderKey) int { return compareKeys(a.hi, a.lo, b.hi, b.lo) })
		return
	}
	// counts[d][v]: how many keys have v as their byte d, d counting from
	// the last byte of the prefix. A permutation does not change them,
	// so one pass counts for every byte.
	counts := new([16][256]int)
	for _, k := range keys {
		for d := range 8 {
			counts[d][byte(k.lo>>(8*d))]++
			counts[8+d][byte(k.hi>>(8*d))]++
		}
	}
	src, dst := keys, make([]orderKey, len(keys))
	for d := range 16 {
		c := &counts[d]
		if c[prefixByte(src[0], d)] == len(src) {
			continue // every key has this byte
		}
		sum := 0
		for v, n := range c {
			c[v] = sum
			sum += n
		}
		for _, k := range src {
			v := prefixByte(k, d)
			dst[c[v]] = k
			c[v]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

// prefixByte is byte d of k's prefix, counting from its last.
func prefixByte(k orderKey, d int) byte {
	if d < 8 {
		return byte(k.lo >> (8 * d))
	}
	return byte(k.hi >> (8 * (d - 8)))
}
