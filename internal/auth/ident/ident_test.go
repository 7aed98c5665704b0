package ident

import (
	"strings"
	"testing"
)

func TestValidateUsernameNormalisesFirst(t *testing.T) {
	for _, s := range []string{"ｆｕｌｌ２", "cafe\u0301", "ﬁnance", "Ⅸ", "x²"} {
		if err := ValidateUsername(s); err != nil {
			t.Errorf("ValidateUsername(%q) = %v, want nil (its NFKC form is valid)", s, err)
		}
	}
	for _, s := range []string{"½", "⑴", "ﷺ"} { // valid raw in Django, invalid once normalised
		checkCode(t, "ValidateUsername", s, ValidateUsername(s), CodeInvalid)
	}
	a150 := strings.Repeat("a", 150)
	checkCode(t, "ValidateUsername", "a×150", ValidateUsername(a150), "")
	checkCode(t, "ValidateUsername", "a×151", ValidateUsername(a150+"a"), CodeMaxLength)
	// Both invalid and too long: the "invalid" error comes first, as in Django.
	checkCode(t, "ValidateUsername", "a b×60", ValidateUsername(strings.Repeat("a b", 60)), CodeInvalid)
	checkCode(t, "ValidateUsername", "invalid UTF-8", ValidateUsername("ab\xff"), CodeInvalid)
}

func TestEmailQuirks(t *testing.T) {
	for in, code := range map[string]string{
		"":                  "",
		" user@example.com": CodeInvalid, // validated as given
		"user@LOCALHOST":    CodeInvalid, // the allow-list is case-sensitive
		"ſ@example.com":     "",          // re.IGNORECASE: ſ matches [A-Z]
		"user@例え。jp":        "",          // ideographic full stop separates labels
		"user@bad\xff.com":  CodeInvalid,
	} {
		checkCode(t, "ValidateEmail", in, ValidateEmail(in), code)
	}
	if got := NormalizeEmail("  x@İ.COM "); got != "x@i\u0307.com" {
		t.Errorf("NormalizeEmail uses Python lower(): %q", got)
	}
}

func TestGroupName(t *testing.T) {
	for in, code := range map[string]string{
		"editors":                   "",
		"Équipe ñ 用户 😀":             "",
		"":                          CodeBlank,
		"tab\there":                 CodeInvalid,
		"nl\n":                      CodeInvalid,
		"del\x7f":                   CodeInvalid,
		"bad\xff":                   CodeInvalid,
		strings.Repeat("é", 150):    "",
		strings.Repeat("é", 151):    CodeMaxLength,
		strings.Repeat("😀", 151):    CodeMaxLength,
		" leading and trailing ok ": "",
	} {
		err := ValidateGroupName(in)
		checkCode(t, "ValidateGroupName", in, err, code)
		if err != nil && err.(*Error).Field != FieldGroupName {
			t.Errorf("field %q", err.(*Error).Field)
		}
	}
	if err := ValidateGroupName(strings.Repeat("x", 151)); err == nil ||
		err.Error() != "Ensure this value has at most 150 characters (it has 151)." {
		t.Errorf("message %v", err)
	}
}

func TestPersonName(t *testing.T) {
	checkCode(t, "ValidatePersonName", "", ValidatePersonName("first_name", ""), "")
	checkCode(t, "ValidatePersonName", "Zoë", ValidatePersonName("first_name", "Zoë"), "")
	checkCode(t, "ValidatePersonName", "é×150", ValidatePersonName("last_name", strings.Repeat("é", 150)), "")
	err := ValidatePersonName("last_name", strings.Repeat("é", 151))
	checkCode(t, "ValidatePersonName", "é×151", err, CodeMaxLength)
	if err.(*Error).Field != "last_name" || err.Error() != "Ensure this value has at most 150 characters (it has 151)." {
		t.Errorf("%+v", err)
	}
	checkCode(t, "ValidatePersonName", "bad UTF-8", ValidatePersonName("first_name", "\xff"), CodeInvalid)
}

func TestParsePerm(t *testing.T) {
	for _, tc := range []struct{ in, app, code string }{
		{"auth.add_user", "auth", "add_user"},
		{"blog.publish", "blog", "publish"},
		{"a1_b.x9_", "a1_b", "x9_"},
		{"app.2fa", "app", "2fa"},
	} {
		app, code, err := ParsePerm(tc.in)
		if err != nil || app != tc.app || code != tc.code {
			t.Errorf("ParsePerm(%q) = %q, %q, %v", tc.in, app, code, err)
		}
	}
	for _, in := range []string{"", "auth", "auth.", ".add_user", "auth.add.user", "Auth.add_user",
		"auth.Add_user", "1auth.add", "_auth.add", "auth.add-user", "auth.add user", "auth .add", "aüth.add", "auth.add\n"} {
		_, _, err := ParsePerm(in)
		checkCode(t, "ParsePerm", in, err, CodeInvalid)
		want := `invalid permission "` + strings.ReplaceAll(in, "\n", `\n`) +
			`": expected app_label.codename (lower-case letters, digits and _; the app label starts with a letter)`
		if err != nil && err.Error() != want {
			t.Errorf("ParsePerm(%q) message %q", in, err)
		}
		if err != nil && err.(*Error).Field != FieldPermission {
			t.Errorf("ParsePerm(%q) field %q", in, err.(*Error).Field)
		}
	}
}

func TestPermName(t *testing.T) {
	checkCode(t, "ValidatePermName", "", ValidatePermName(""), CodeBlank)
	checkCode(t, "ValidatePermName", "Can add user", ValidatePermName("Can add user"), "")
	checkCode(t, "ValidatePermName", "x×255", ValidatePermName(strings.Repeat("x", 255)), "")
	err := ValidatePermName(strings.Repeat("x", 256))
	checkCode(t, "ValidatePermName", "x×256", err, CodeMaxLength)
	if err.Error() != "Ensure this value has at most 255 characters (it has 256)." {
		t.Errorf("message %q", err)
	}
	for in, want := range map[string]string{
		"eat_ice_cream": "Can eat ice cream",
		"publish":       "Can publish",
		"add_user":      "Can add user",
	} {
		if got := DefaultPermName(in); got != want {
			t.Errorf("DefaultPermName(%q) = %q, want %q", in, got, want)
		}
	}
}
