package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"authctl/internal/auth/pycase"
)

// This file reproduces the few Python string semantics that Django's
// validators depend on (see the package documentation).

// pyLower is Python's str.lower(): the full Unicode lower-case mapping,
// including İ → "i̇" and the final-sigma rule, from tables generated with
// CPython (package pycase); strings.ToLower maps İ to plain "i".
func pyLower(s string) string { return pycase.Lower(s) }

// isPySpace is Python's str.isspace() for one code point: Unicode
// White_Space plus the four separators U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip is Python's str.strip() with no argument.
func pyStrip(s string) string {
	return strings.TrimFunc(s, isPySpace)
}

// isPyWord reports whether r matches Python's Unicode regex \w: underscore
// or str.isalnum(), which is exactly general categories L* and N*.
func isPyWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

//go:generate /usr/bin/python3 gen_digits.py

// isPyDigit is Python's str.isdigit() for one code point: category Nd plus
// the No code points with Numeric_Type=Digit (generated table).
func isPyDigit(r rune) bool {
	return unicode.IsDigit(r) || unicode.Is(extraDigits, r)
}

// pyIsDigit is Python's str.isdigit(): non-empty and every code point a digit.
func pyIsDigit(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isPyDigit(r) {
			return false
		}
	}
	return true
}

// splitNonWord is Python's re.split(r'\W+', s): the pieces between maximal
// runs of non-word characters. Leading and trailing empty pieces are kept,
// so splitNonWord("") is [""] and splitNonWord("john.") is ["john", ""].
func splitNonWord(s string) []string {
	var parts []string
	start := 0 // start of the current piece
	inSep := false
	for i, r := range s {
		if isPyWord(r) {
			if inSep {
				start = i
				inSep = false
			}
			continue
		}
		if !inSep {
			parts = append(parts, s[start:i])
			inSep = true
		}
	}
	if inSep {
		return append(parts, "")
	}
	return append(parts, s[start:])
}

// runeCounts is the multiset of code points of a string, for quick_ratio.
type runeCounts struct {
	n     int // number of code points
	ascii [utf8.RuneSelf]int32
	other map[rune]int32
}

func countRunes(s string) *runeCounts {
	c := &runeCounts{}
	for _, r := range s {
		c.n++
		if r < utf8.RuneSelf {
			c.ascii[r]++
			continue
		}
		if c.other == nil {
			c.other = make(map[rune]int32)
		}
		c.other[r]++
	}
	return c
}

// quickRatio is difflib.SequenceMatcher(a, b).quick_ratio() where a is the
// string counted in ca and b is given: 2·M/T with M the size of the multiset
// intersection and T the total number of code points; 1.0 when T is 0.
func quickRatio(ca *runeCounts, b string) float64 {
	var usedASCII [utf8.RuneSelf]int32
	var usedOther map[rune]int32
	matches, nb := 0, 0
	for _, r := range b {
		nb++
		if r < utf8.RuneSelf {
			if usedASCII[r] < ca.ascii[r] {
				usedASCII[r]++
				matches++
			}
			continue
		}
		have := ca.other[r]
		if have == 0 {
			continue
		}
		if usedOther == nil {
			usedOther = make(map[rune]int32)
		}
		if usedOther[r] < have {
			usedOther[r]++
			matches++
		}
	}
	return calculateRatio(matches, ca.n+nb)
}

// calculateRatio is difflib._calculate_ratio, with the same float operations.
func calculateRatio(matches, length int) float64 {
	if length == 0 {
		return 1.0
	}
	return 2.0 * float64(matches) / float64(length)
}
