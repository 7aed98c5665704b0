package auth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// keyOrder's radix sort (enough names for it) orders by the names' bytes
// as strings.Compare does: names of every length around the 16-byte
// prefix, sharing their first bytes or all of them, NUL and high bytes,
// duplicates of a prefix with other endings, a few and many distinct
// values at each byte.
func TestKeyOrderRadix(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []byte("\x00\x01aAbz09.@_\x7f\x80\xc3\xa9\xff")
	var names []string
	for i := range 3000 {
		var b strings.Builder
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "user%07d", rng.IntN(1_000_000))
		case 1:
			b.WriteString("sharedprefix1234") // the whole prefix shared
		case 2:
			b.WriteString("u")
		}
		for range rng.IntN(24) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		names = append(names, b.String())
	}
	for round := range 3 {
		rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
		if round == 2 {
			slices.Sort(names)
			slices.Reverse(names)
		}
		tab := &UserTable{}
		steps := make([]userStep, len(names))
		for i, n := range names {
			tab.Add(&DocUser{Username: n})
			steps[i].user = int32(i)
		}
		got := make([]string, 0, len(names))
		for _, i := range keyOrder(steps, tab) {
			got = append(got, names[i])
		}
		want := slices.Clone(names)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			for k := range got {
				if got[k] != want[k] {
					t.Fatalf("round %d: at %d got %q, want %q", round, k, got[k], want[k])
				}
			}
		}
	}
}

// BenchmarkKeyOrder: the write's order for 100,000 users listed by name
// (checked, not sorted) and shuffled (sorted).
func BenchmarkKeyOrder(b *testing.B) {
	for _, shuffled := range []bool{false, true} {
		doc := orderDoc(100_000, shuffled)
		steps := make([]userStep, doc.UserTable.Len())
		for i := range steps {
			steps[i].user = int32(i)
		}
		b.Run(map[bool]string{false: "sorted", true: "random"}[shuffled], func(b *testing.B) {
			for b.Loop() {
				keyOrder(steps, doc.UserTable)
			}
		})
	}
}
