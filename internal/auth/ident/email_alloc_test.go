package ident

import "testing"

// The common email, already in normal form, is returned as is, without an
// allocation (an apply normalises one per user).
func TestNormalizeEmailNoAllocation(t *testing.T) {
	s := "alice.smith@example.com"
	if got := NormalizeEmail(s); got != s {
		t.Fatalf("NormalizeEmail(%q) = %q", s, got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = NormalizeEmail(s) }); n != 0 {
		t.Errorf("NormalizeEmail of a normal address: %v allocations, want 0", n)
	}
	for in, want := range map[string]string{
		" Bob@EXAMPLE.com ": "Bob@example.com",
		"x@ÉCOLE.fr":        "x@école.fr",
		"no-at-sign ":       "no-at-sign ",
	} {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
