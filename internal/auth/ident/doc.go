// Package ident validates and normalises the identifiers of the auth model:
// usernames, email addresses, group names, person names, permission strings
// and permission names, with Django 3.2's rules and exact messages where
// Django has the rule.
//
// Errors: every error returned is an *Error{Field, Code, Message} whose
// Error() is Message. Codes are Django's ("blank", "invalid", "max_length").
// Where Django would report several problems (a username both invalid and
// too long, an email both malformed and too long), the first in Django's
// order is returned: "invalid" before "max_length".
//
// Lengths are counted in code points (Python len()).
//
// # Usernames: normalise first, then validate
//
// NormalizeUsername is Django's normalize_username (NFKC). ValidateUsername
// validates NormalizeUsername(s), i.e. the value Django's create_user would
// store, and callers store NormalizeUsername(s). Django's createsuperuser
// instead validates the raw value and then stores the normalised one, so the
// two differ when NFKC changes validity:
//
//   - accepted here, rejected by Django's raw check: decomposed "cafe\u0301"
//     (its NFKC form "café" is valid; the combining mark alone is not a word
//     character);
//   - rejected here, accepted raw by Django (which would then store an
//     invalid name): "½" → "1⁄2", "⑴" → "(1)", "ﷺ" (becomes words with
//     spaces), and 76 "ﬁ" ligatures, which NFKC turns into 152 code points.
//
// The character rule is UnicodeUsernameValidator's ^[\w.@+-]+\Z with Python's
// Unicode \w (underscore, categories L* and N*; combining marks excluded), so
// a trailing newline is invalid. Go's Unicode 15 tables stand in for CPython
// 3.11's Unicode 14: characters assigned in 15.0 count as letters here.
//
// # Email
//
// NormalizeEmail is BaseUserManager.normalize_email: Python strip(), split at
// the last "@", Python lower() of the domain only; without "@" the original
// value comes back unchanged. (Django turns None into ""; Go has no None.)
//
// ValidateEmail is the User.email model field's clean() in Django 3.2.25:
// "" is valid (the field may be blank); otherwise EmailValidator, then at
// most 254 code points. The value is checked as given, untrimmed. The
// EmailValidator rules are reproduced exactly, quirks included:
//
//   - at most 320 code points; split at the last "@";
//   - local part: dot-atom or quoted string, ASCII only, except that the
//     regexes run with re.IGNORECASE, so İ, ı, ſ and the Kelvin sign match
//     [A-Z] and are accepted wherever a letter is (also in domain labels);
//   - domain: "localhost" (case-sensitive), labels of 1-63 letters, digits
//     and inner hyphens, then a final label of 2-63 letters, digits and
//     hyphens not ending with a hyphen (it may be numeric or start with "-"),
//     or a bracketed IPv4/IPv6 literal (no leading zeros, no zone, IPv6 text
//     at most 39 characters);
//   - a non-ASCII domain is retried after Python's IDNA 2003 codec
//     (nameprep + punycode, labels split at . 。 ． ｡); this package carries
//     its own implementation (idna.go, tables from gen_idna.py) because
//     Go's x/net/idna implements a different standard (UTS 46) and is not a
//     dependency of this module.
//
// Cross-checked against Django 3.2.25 on CPython 3.11: the vectors, about
// 150,000 generated addresses (many with IDN domains and IP literals), 6,000
// generated usernames, and every code point through nameprep and ToASCII,
// with no difference.
//
// # Groups, names, permissions (rules of this tool)
//
// Group names: not blank, valid UTF-8, no control characters (Cc), at most
// 150 code points. Person names (first_name, last_name): blank allowed, valid
// UTF-8, at most 150. Permission names: not blank, valid UTF-8, at most 255.
// Permission strings are "app_label.codename" with exactly one dot, the app
// label [a-z][a-z0-9_]* and the codename [a-z0-9_]+; DefaultPermName gives
// "Can eat ice cream" for "eat_ice_cream".
package ident
