package pycase

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// vectors is testdata/lower.json, written by gen_vectors.py from CPython.
type vectors struct {
	Python   string
	Lower    [][2]string
	Nameprep [][2]string
}

func readVectors(t *testing.T) vectors {
	t.Helper()
	b, err := os.ReadFile("testdata/lower.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Lower) < 1000 || len(v.Nameprep) == 0 {
		t.Fatalf("testdata/lower.json holds %d lower and %d nameprep cases", len(v.Lower), len(v.Nameprep))
	}
	return v
}

// TestLowerMatchesPython holds Lower to CPython's str.lower() on strings
// that put Σ in every context the final-sigma rule tells apart.
func TestLowerMatchesPython(t *testing.T) {
	for _, c := range readVectors(t).Lower {
		if got := Lower(c[0]); got != c[1] {
			t.Errorf("Lower(%+q) = %+q, Python %+q", c[0], got, c[1])
		}
	}
}

func TestLowerKnownCases(t *testing.T) {
	for in, want := range map[string]string{
		"":         "",
		"ABC":      "abc",
		"İstanbul": "i\u0307stanbul", // strings.ToLower gives "istanbul"
		"ΣΑΣ":      "σας",
		"Σ":        "σ",
		"ΑΣ.":      "ας.",
		"ΑΣΑ":      "ασα",
		"ΑΣ'Α":     "ασ'α", // an apostrophe is case-ignorable: Σ is inside the word
		"Α'Σ":      "α'ς",
		// U+1D9B is cased and case-ignorable: CPython skips it, finds the
		// ideograph (not cased) and keeps σ; x/text gave ς.
		"\U00022182\u1d9bΣ": "\U00022182\u1d9bσ",
		"ẞ":                 "ß",
		"\u212a":            "k", // Kelvin sign
		"a\xffΣ":            "a\xffσ",
		"É\xff":             "é\xff", // bytes that are not UTF-8 are kept
		"MiXeD ÄSCII":       "mixed äscii",
	} {
		if got := Lower(in); got != want {
			t.Errorf("Lower(%+q) = %+q, want %+q", in, got, want)
		}
	}
}

// TestLowerTable checks the generated table's shape: sorted, and every
// mapping a change.
func TestLowerTable(t *testing.T) {
	for k := range lowerFrom {
		if k > 0 && lowerFrom[k] <= lowerFrom[k-1] {
			t.Fatalf("lowerFrom is not sorted at %d", k)
		}
		if lowerFrom[k] == lowerTo[k] {
			t.Errorf("U+%04X maps to itself", lowerFrom[k])
		}
	}
	for r := rune('A'); r <= 'Z'; r++ {
		if lowerRune(r) != unicode.ToLower(r) {
			t.Errorf("lowerRune(%q) = %q", r, lowerRune(r))
		}
	}
}

func TestNameprepMatchesPython(t *testing.T) {
	for _, c := range readVectors(t).Nameprep {
		var b strings.Builder
		for _, r := range c[0] {
			b.WriteString(Nameprep(r))
		}
		if got := b.String(); got != c[1] {
			t.Errorf("Nameprep(%+q) = %+q, Python %+q", c[0], got, c[1])
		}
	}
	for k := range nameprepFrom {
		if k > 0 && nameprepFrom[k] <= nameprepFrom[k-1] {
			t.Fatalf("nameprepFrom is not sorted at %d", k)
		}
		if to := nameprepTo[nameprepOff[k]:nameprepOff[k+1]]; !utf8.ValidString(to) || to == string(rune(nameprepFrom[k])) {
			t.Errorf("U+%04X maps to %+q", nameprepFrom[k], to)
		}
	}
	if int(nameprepOff[len(nameprepOff)-1]) != len(nameprepTo) {
		t.Errorf("nameprepOff ends at %d, nameprepTo holds %d bytes", nameprepOff[len(nameprepOff)-1], len(nameprepTo))
	}
}

// FuzzLower: Lower never panics, keeps bytes that are not UTF-8, and
// agrees with itself code point by code point away from Σ and İ.
func FuzzLower(f *testing.F) {
	for _, s := range []string{"", "ΑΣ", "İ", "a\xffΣ", "ΣΣΣ'Σ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Lower(s)
		if utf8.ValidString(s) != utf8.ValidString(got) {
			t.Fatalf("Lower(%+q) = %+q changes validity", s, got)
		}
		if strings.ContainsAny(s, "Σİ") || !utf8.ValidString(s) {
			return
		}
		var b strings.Builder
		for _, r := range s {
			b.WriteRune(lowerRune(r))
		}
		if b.String() != got {
			t.Fatalf("Lower(%+q) = %+q, rune by rune %+q", s, got, b.String())
		}
	})
}

func BenchmarkLower(b *testing.B) {
	s := strings.Repeat("Ünïcödé ΣΟΦΊΑ ", 4)
	for b.Loop() {
		Lower(s)
	}
}
