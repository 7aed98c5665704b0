package validate

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestPyLower(t *testing.T) {
	for in, want := range map[string]string{
		"ABC":      "abc",
		"İstanbul": "i\u0307stanbul", // full mapping; strings.ToLower gives "istanbul"
		"ΣΑΣ":      "σας",            // final sigma
		"Σ":        "σ",
		"ΑΣ.":      "ας.",
		"ΑΣΑ":      "ασα",
		"ẞ":        "ß",
		"\u212a":   "k", // Kelvin sign
	} {
		if got := pyLower(in); got != want {
			t.Errorf("pyLower(%q) = %q, want %q", in, got, want)
		}
	}
	// "İloveyou" is not common in Django: its lower() is "i̇loveyou".
	s := mustNew(t, Spec{Name: "common_password"})
	if err := s.Validate("İLOVEYOU", nil); err != nil {
		t.Errorf("İLOVEYOU: %v", err)
	}
}

func TestPyStrip(t *testing.T) {
	in := "\u001c\u001d\u001e\u001f \t\n\v\f\r\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000x\u3000"
	if got := pyStrip(in); got != "x" {
		t.Errorf("pyStrip = %q", got)
	}
	if got := pyStrip("\u200bx\ufeff"); got != "\u200bx\ufeff" { // not White_Space
		t.Errorf("pyStrip stripped ZWSP/BOM: %q", got)
	}
}

func TestPyWordAndSplit(t *testing.T) {
	for _, r := range "aZé用_²½Ⅸ١" {
		if !isPyWord(r) {
			t.Errorf("%q should be a word character", r)
		}
	}
	for _, r := range ".@+- \u0301😀!" {
		if isPyWord(r) {
			t.Errorf("%q should not be a word character", r)
		}
	}
	for in, want := range map[string][]string{
		"":                     {""},
		"john":                 {"john"},
		"john.":                {"john", ""},
		".john":                {"", "john"},
		"john.doe@example.com": {"john", "doe", "example", "com"},
		"a..-b":                {"a", "b"},
		"...":                  {"", ""},
		"mary jane":            {"mary", "jane"},
	} {
		if got := splitNonWord(in); !reflect.DeepEqual(got, want) {
			t.Errorf("splitNonWord(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPyIsDigit(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(extraDigits, r) {
			n++
			if unicode.IsDigit(r) || !unicode.Is(unicode.No, r) {
				t.Errorf("%U in the extra table is Nd or not No", r)
			}
		}
	}
	if n != 128 || extraDigitCount != 128 {
		t.Errorf("extra digit table has %d code points, want 128", n)
	}
	for in, want := range map[string]bool{
		"": false, "0": true, "²³": true, "①②③": true, "𝟏𝟐𝟑": true, "١٢٣": true,
		"½": false, "Ⅻ": false, "一二三": false, "1 2": false, "12345678\n": false,
	} {
		if got := pyIsDigit(in); got != want {
			t.Errorf("pyIsDigit(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSimilarityLengthShortcut(t *testing.T) {
	// Django's shortcut never changes the result: compare with the plain ratio.
	for _, pw := range []string{"bob" + strings.Repeat("x", 27), "bob" + strings.Repeat("x", 26), strings.Repeat("ab", 40)} {
		for _, part := range []string{"bob", "b", "ab", ""} {
			skip := exceedsMaximumLengthRatio(len(pw), 0.7, len(part))
			if skip && quickRatio(countRunes(pw), part) >= 0.7 {
				t.Errorf("shortcut skipped %q vs %q with ratio ≥ 0.7", pw, part)
			}
		}
	}
}
