package ident

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Usernames, e-mails and permission strings come from files, flags and
// Django dumps: none of the parsers may panic, and what they accept must
// hold their own rules.

func FuzzParsePerm(f *testing.F) {
	for _, s := range []string{"app.code", "MyApp.Can_Feature-Post", "a.b.c", ".x", "x.", "", "a\x00.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		app, codename, err := ParsePerm(s)
		if err != nil {
			return
		}
		if app+"."+codename != s || strings.Contains(codename, ".") || app == "" || codename == "" {
			t.Fatalf("ParsePerm(%q) = %q, %q", s, app, codename)
		}
	})
}

func FuzzUsername(f *testing.F) {
	for _, s := range []string{"alice", "ﬁnance", "John Smith", "ｆｕｌｌ２", strings.Repeat("u", 151), "a\n", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeUsername(s)
		if err := ValidateUsername(s); err == nil {
			if n == "" || utf8.RuneCountInString(n) > UsernameMaxLength || !utf8.ValidString(n) {
				t.Fatalf("ValidateUsername(%q) accepted %q", s, n)
			}
		}
		_ = ValidateGroupName(s)
		_ = ValidatePersonName("first_name", s)
		_ = ValidatePermName(s)
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"a@example.com", "jörg@example.com", "Mixed@EXAMPLE.COM", "x@[127.0.0.1]", "x@bücher.de", "@", "a@b@c", "\"q\"@x.org"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return // longer than any column; the validator caps at 320 runes
		}
		_ = ValidateEmail(s)
		_ = NormalizeEmail(s)
	})
}
