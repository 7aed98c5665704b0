package ident

import (
	"errors"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"

	"authctl/internal/auth/pycase"
)

//go:generate /usr/bin/python3 gen_idna.py

// This file mirrors Python's "idna" codec (IDNA 2003: encodings.idna), which
// Django 3.2's EmailValidator uses through django.utils.encoding.punycode()
// to retry a domain that failed its ASCII checks. Only the outcome matters
// here (a valid encoding, or an error), so the tables are the parts of
// RFC 3454 that decide that outcome: B.1, case folding, NFKC, the prohibited
// tables (generated from Python's stringprep) and the bidi rule. As in
// Python, code points unassigned in Unicode 3.2 get no NFKC mapping and no
// bidi class; for the others, Go's Unicode 15 tables stand in for 3.2's.

var errIDNA = errors.New("idna: cannot encode label")

// isIDNADot reports the label separators Python's codec splits on.
func isIDNADot(r rune) bool {
	return r == '.' || r == '\u3002' || r == '\uff0e' || r == '\uff61'
}

// idnaEncode is Python's domain.encode('idna').decode('ascii') for a
// domain that is not all ASCII.
func idnaEncode(domain string) (string, error) {
	labels := splitFunc(domain, isIDNADot)
	trailingDot := ""
	if n := len(labels); n > 0 && labels[n-1] == "" {
		trailingDot = "."
		labels = labels[:n-1]
	}
	out := make([]string, len(labels))
	for i, l := range labels {
		a, err := toASCII(l)
		if err != nil {
			return "", err
		}
		out[i] = a
	}
	return strings.Join(out, ".") + trailingDot, nil
}

// splitFunc splits s at every rune for which sep is true, keeping empty
// pieces (unlike strings.FieldsFunc).
func splitFunc(s string, sep func(rune) bool) []string {
	var parts []string
	start := 0
	for i, r := range s {
		if sep(r) {
			parts = append(parts, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(parts, s[start:])
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// toASCII is encodings.idna.ToASCII (AllowUnassigned, no STD3 rules).
func toASCII(label string) (string, error) {
	if isASCII(label) {
		return asciiLabel(label)
	}
	label, err := nameprep(label)
	if err != nil {
		return "", err
	}
	if isASCII(label) {
		return asciiLabel(label)
	}
	if strings.HasPrefix(label, "xn--") {
		return "", errIDNA
	}
	return asciiLabel("xn--" + punycodeEncode(label))
}

func asciiLabel(l string) (string, error) {
	if len(l) == 0 || len(l) >= 64 {
		return "", errIDNA
	}
	return l, nil
}

// nameprep is encodings.idna.nameprep (RFC 3491).
func nameprep(label string) (string, error) {
	var b strings.Builder
	for _, r := range label {
		if unicode.Is(nameprepMapToNothing, r) {
			continue
		}
		b.WriteString(pycase.Nameprep(r))
	}
	label = nfkc32(b.String())
	randAL, hasL := false, false
	for _, r := range label {
		if unicode.Is(nameprepProhibited, r) {
			return "", errIDNA
		}
		switch bidiClass(r) {
		case bidi.R, bidi.AL:
			randAL = true
		case bidi.L:
			hasL = true
		}
	}
	if randAL {
		first, _ := utf8.DecodeRuneInString(label)
		last, _ := utf8.DecodeLastRuneInString(label)
		if hasL || !isRandAL(first) || !isRandAL(last) {
			return "", errIDNA
		}
	}
	return label, nil
}

// noBidiClass stands for the empty class Python's ucd_3_2_0 gives code points
// unassigned in Unicode 3.2.
const noBidiClass = ^bidi.Class(0)

// bidiClass is the bidi class nameprep sees.
func bidiClass(r rune) bidi.Class {
	if unassignedIn32(r) {
		return noBidiClass
	}
	p, _ := bidi.LookupRune(r)
	return p.Class()
}

// unassignedIn32 reports whether r was unassigned in Unicode 3.2.
func unassignedIn32(r rune) bool {
	pairs := unassigned32[:]
	i := sort.Search(len(pairs)/2, func(i int) bool { return pairs[2*i+1] >= uint32(r) })
	return i < len(pairs)/2 && pairs[2*i] <= uint32(r)
}

// nfkc32 is NFKC as unicodedata.ucd_3_2_0 applies it: code points that were
// unassigned in Unicode 3.2 have no mapping and block composition, so only
// the runs between them are normalised (with Go's tables); the few mappings
// corrected since 3.2 keep their 3.2 form.
func nfkc32(s string) string {
	var b strings.Builder
	start := 0
	for i, r := range s {
		rep, corrected := nfkc32Corrigendum(r)
		if corrected || unassignedIn32(r) {
			b.WriteString(norm.NFKC.String(s[start:i]))
			if corrected {
				b.WriteString(rep)
			} else {
				b.WriteRune(r)
			}
			start = i + utf8.RuneLen(r)
		}
	}
	b.WriteString(norm.NFKC.String(s[start:]))
	return b.String()
}

func isRandAL(r rune) bool {
	c := bidiClass(r)
	return c == bidi.R || c == bidi.AL
}

// punycodeEncode is RFC 3492 encoding (Python's "punycode" codec).
func punycodeEncode(s string) string {
	const (
		base, tMin, tMax, skew, damp = 36, 1, 26, 38, 700
		initialBias, initialN        = 72, 128
	)
	runes := []rune(s)
	var out []byte
	for _, r := range runes {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := rune(initialN), 0, initialBias
	adapt := func(delta, numPoints int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / numPoints
		k := 0
		for delta > ((base-tMin)*tMax)/2 {
			delta /= base - tMin
			k += base
		}
		return k + (base-tMin+1)*delta/(delta+skew)
	}
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	for h < len(runes) {
		m := rune(0x7fffffff)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (h + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := base; ; k += base {
				t := k - bias
				if t < tMin {
					t = tMin
				} else if t > tMax {
					t = tMax
				}
				if q < t {
					break
				}
				out = append(out, digit(t+(q-t)%(base-t)))
				q = (q - t) / (base - t)
			}
			out = append(out, digit(q))
			bias = adapt(delta, h+1, h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out)
}
