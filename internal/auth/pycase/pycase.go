package pycase

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:generate sh -c "/usr/bin/python3 gen_pycase.py > tables.go"

const (
	capitalSigma = 'Σ'
	smallSigma   = 'σ'
	finalSigma   = 'ς'
	capitalIDot  = 'İ' // lowers to "i" and U+0307, the one code point that becomes two
)

// Lower is Python's str.lower(): the full lower-case mapping of every code
// point, with Σ lowered to ς where it ends a word (Unicode's Final_Sigma
// context, as CPython tests it). An ASCII string takes the fast path.
func Lower(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteString(strings.ToLower(s[:i]))
	for j := i; j < len(s); {
		r, n := utf8.DecodeRuneInString(s[j:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteByte(s[j]) // not UTF-8: kept as it is
		case r == capitalSigma:
			if endsWord(s, j, j+n) {
				b.WriteRune(finalSigma)
			} else {
				b.WriteRune(smallSigma)
			}
		case r == capitalIDot:
			b.WriteString("i\u0307")
		default:
			b.WriteRune(lowerRune(r))
		}
		j += n
	}
	return b.String()
}

// lowerRune is str.lower() of one code point other than Σ and İ.
func lowerRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	if k, ok := find(lowerFrom[:], r); ok {
		return rune(lowerTo[k])
	}
	return r
}

// endsWord reports whether the Σ at s[at:next] is in the Final_Sigma
// context, as CPython decides it: after skipping case-ignorable code
// points, a cased one comes before it and none comes after it.
func endsWord(s string, at, next int) bool {
	before := s[:at]
	for len(before) > 0 {
		r, n := utf8.DecodeLastRuneInString(before)
		if !unicode.Is(caseIgnorable, r) {
			if !unicode.Is(casedNotIgnorable, r) {
				return false
			}
			break
		}
		before = before[:len(before)-n]
	}
	if len(before) == 0 {
		return false
	}
	for _, r := range s[next:] {
		if !unicode.Is(caseIgnorable, r) {
			return !unicode.Is(casedNotIgnorable, r)
		}
	}
	return true
}

// Nameprep is stringprep.map_table_b2 of r: the case folding (closed under
// NFKC) that Python's "idna" codec applies to each code point of a domain
// label before normalising it.
func Nameprep(r rune) string {
	if k, ok := find(nameprepFrom[:], r); ok {
		return nameprepTo[nameprepOff[k]:nameprepOff[k+1]]
	}
	return string(r)
}

// find is the index of r in the sorted table.
func find(table []uint32, r rune) (int, bool) {
	k := sort.Search(len(table), func(i int) bool { return table[i] >= uint32(r) })
	return k, k < len(table) && table[k] == uint32(r)
}
