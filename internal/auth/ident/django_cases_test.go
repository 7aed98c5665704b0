package ident

import (
	"errors"
	"strings"
	"testing"
)

// Extra cases whose Django column was produced by running Django 3.2.25
// (Debian python3-django, CPython 3.11) on this machine: the raw value through
// User._meta.get_field('username').clean(), and its NFKC form likewise.
// Columns: raw, NFKC form, Django's code for the raw value, for the NFKC form
// ("" = valid). ValidateUsername must give the NFKC column.
var djangoUsernameCases = []struct{ raw, nfkc, rawCode, nfkcCode string }{
	{"½", "1⁄2", "", "invalid"},
	{"⑴", "(1)", "", "invalid"},
	{"¼", "1⁄4", "", "invalid"},
	{"ﷺ", "صلى الله عليه وسلم", "", "invalid"},
	{"café", "café", "", ""},
	{"cafe\u0301", "café", "invalid", ""},
	{"\u0301", "\u0301", "invalid", "invalid"},
	{"x\u0301", "x\u0301", "invalid", "invalid"},
	{"user@name", "user@name", "", ""},
	{"a+b-c.d_e", "a+b-c.d_e", "", ""},
	{" ", " ", "invalid", "invalid"},
	{"ⅸ", "ix", "", ""},
	{"İ", "İ", "", ""},
	{"𝐀𝐁", "AB", "", ""},
	{"a\u200d", "a\u200d", "invalid", "invalid"},
	{"٣", "٣", "", ""},
	{"x\n", "x\n", "invalid", "invalid"},
	{"", "", "blank", "blank"},
}

// Extra EmailValidator + max_length cases, each checked against Django
// 3.2.25's User.email field clean() on this machine ("" = valid).
var djangoEmailCases = []struct{ in, code string }{
	{"", ""},
	{" ", "invalid"},
	{"a@b.co", ""},
	{"user@LOCALHOST", "invalid"},
	{"user@localhost", ""},
	{"ſ@example.com", ""},
	{"K@exampıe.com", ""},
	{"İ@x.io", ""},
	{"user@[::1]", ""},
	{"user@[1.2.3.4]", ""},
	{"user@[01.2.3.4]", "invalid"},
	{"user@[::ffff:1.2.3.4]", ""},
	{"user@[::ffff:01.2.3.4]", "invalid"},
	{"user@[1:2:3:4:5:6:7::]", ""},
	{"user@[::1:2:3:4:5:6:7]", ""},
	{"user@[1:2:3:4:5:6:7:8:9]", "invalid"},
	{"user@[0000:0000:0000:0000:0000:ffff:1.2.3.4]", ""},
	{"user@[fe80::1%eth0]", "invalid"},
	{"user@[1.2.3]", "invalid"},
	{"user@[]", "invalid"},
	{"user@[1.2.3.4", "invalid"},
	{"\"quoted user\"@example.com", "invalid"},
	{"\"a@b\"@example.com", ""},
	{"\"a\\\"b\"@x.com", ""},
	{"\"abc\\\"@x.com", "invalid"},
	{"\"\"@x.com", ""},
	{"a..b@x.com", "invalid"},
	{".a@x.com", "invalid"},
	{"a.@x.com", "invalid"},
	{"a@x", "invalid"},
	{"a@x.c", "invalid"},
	{"a@x.-com", ""},
	{"a@x.com-", "invalid"},
	{"a@-x.com", "invalid"},
	{"a@x-.com", "invalid"},
	{"a@1.23", ""},
	{"a@x..com", "invalid"},
	{"a@x.com.", "invalid"},
	{"user@例え.jp", ""},
	{"user@例え。jp", ""},
	{"user@ＥＸＡＭＰＬＥ.com", ""},
	{"user@exa mple.com", "invalid"},
	{"user@bücher.de", ""},
	{"user@xn--bcher-kva.de", ""},
	{"user@xn--bücher.de", "invalid"},
	{"user@😀.com", ""},
	{"user@ﬁ.com", ""},
	{"user@σς.gr", ""},
	{"user@ا1.com", "invalid"},
	{"user@اب.com", ""},
	{"user@aب.com", "invalid"},
	{"user@a\u00adb.com", ""},
	{"user@\u3000.com", "invalid"},
	{"user@例え.jp.", "invalid"},
	{"user@例え..jp", "invalid"},
	{"a@例例例例例例例例例例例例例例例例例例例例.jp", ""},
	{"a@例例例例例例例例例例例例例例例例例.jp", ""},
	{"a@bcccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.com", ""},
	{"a@bccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.com", ""},
	{"a@x.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", ""},
	{"a@x.cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", "invalid"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.com", ""},
	{"a\n@x.com", "invalid"},
	{"a@x.com\n", "invalid"},
	{"ünï@example.com", "invalid"},
	{"user@[IPv6:::1]", "invalid"},
	{"user@[::1]]", "invalid"},
	{"a@b@c.com", "invalid"},
	{"a@ß.de", ""},
	{"a@ẞ.de", ""},
	{"a@Ⅸ.de", ""},
	{"a@x.co\u0301m", ""},
	{"a@xn--.com", "invalid"},
	{"a@例-.jp", ""},
	{"a@-例.jp", ""},
	{"!@;", "invalid"},
	{":$)@\"|b", "invalid"},
	{"{#*@", "invalid"},
}

func TestDjangoUsernameCases(t *testing.T) {
	for _, c := range djangoUsernameCases {
		if got := NormalizeUsername(c.raw); got != c.nfkc {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", c.raw, got, c.nfkc)
		}
		checkCode(t, "ValidateUsername", c.raw, ValidateUsername(c.raw), c.nfkcCode)
	}
	// 76 "ﬁ" ligatures are valid raw (Django's createsuperuser accepts them)
	// but NFKC doubles them to 152 code points.
	err := ValidateUsername(strings.Repeat("ﬁ", 76))
	checkCode(t, "ValidateUsername", "ﬁ×76", err, CodeMaxLength)
	if err != nil && err.Error() != "Ensure this value has at most 150 characters (it has 152)." {
		t.Errorf("ﬁ×76: %q", err)
	}
}

func TestDjangoEmailCases(t *testing.T) {
	for _, c := range djangoEmailCases {
		checkCode(t, "ValidateEmail", c.in, ValidateEmail(c.in), c.code)
	}
	long := []struct {
		in, code string
	}{
		{strings.Repeat("a", 64) + "@x.com", ""},
		{"a@" + strings.Repeat("例", 20) + ".jp", ""}, // punycode label of 58 characters
		{"a@" + strings.Repeat("例", 21) + ".jp", ""},
		{"a@b" + strings.Repeat("c", 62) + ".com", ""},          // 63-character label
		{"a@b" + strings.Repeat("c", 63) + ".com", CodeInvalid}, // 64
		{"a@x." + strings.Repeat("c", 63), ""},
		{"a@x." + strings.Repeat("c", 64), CodeInvalid},
		{"a@" + cjk(30) + ".jp", ""},                       // xn-- label of 63 characters
		{"a@" + cjk(31) + ".jp", CodeInvalid},              // 65: too long
		{strings.Repeat("a", 320) + "@x.com", CodeInvalid}, // over 320: invalid first
		{strings.Repeat("a", 248) + "@x.com", ""},
		{strings.Repeat("a", 249) + "@x.com", CodeMaxLength},
	}
	for _, c := range long {
		checkCode(t, "ValidateEmail", c.in, ValidateEmail(c.in), c.code)
	}
}

// cjk returns n distinct CJK ideographs (U+4E00, U+4E07, ...).
func cjk(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(rune(0x4e00 + 7*i))
	}
	return b.String()
}

func TestPunycode(t *testing.T) {
	// Expected outputs from Python's "punycode" codec.
	for in, want := range map[string]string{
		"bücher":                 "bcher-kva",
		"例え":                     "r8jz45g",
		"ليهمابتكلموشعربي؟":      "egbpdaj6bu4bxfgehfvwxn",
		"Pročprostěnemluvíčesky": "Proprostnemluvesky-uyb24dma41a",
		"ä-":                     "--zfa",
	} {
		if got := punycodeEncode(in); got != want {
			t.Errorf("punycodeEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func checkCode(t *testing.T, fn, in string, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Errorf("%s(%q) = %v, want nil", fn, in, err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != code {
		t.Errorf("%s(%q) = %v, want code %q", fn, in, err, code)
	}
}
