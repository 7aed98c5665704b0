package seed

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// jsonUser decodes elem as decodeJSONUsersChunk's fallback does.
func jsonUser(elem []byte) (User, bool) {
	var u User
	dec := json.NewDecoder(bytes.NewReader(elem))
	dec.DisallowUnknownFields()
	err := dec.Decode(&u)
	return u, err == nil && int(dec.InputOffset()) == len(bytes.TrimRight(elem, " \t\r\n"))
}

var fastUserCases = []struct {
	elem string
	fast bool
}{
	{`{"username": "alice", "email": "a@example.com", "first_name": "Ålice", "last_name": "", "is_active": true, "is_staff": false, "is_superuser": true, "groups": ["a", "b"], "user_permissions": [], "password_hash": "pbkdf2_sha256$1$s$h=", "date_joined": "2024-01-02T03:04:05.123456Z", "last_login": "2024-01-02T03:04:05+02:00"}`, true},
	{` {"username":"b","password_env":"PW","password_file":"f"} `, true},
	{"{\n\t\"username\" :\r\n \"c\" , \"groups\" : [ \"x\" ] }", true},
	{`{}`, true},
	// Everything else goes to encoding/json, which decides.
	{`{"Username": "alice"}`, false},              // a key in another case
	{`{"username": "a", "username": "b"}`, false}, // a key twice
	{`{"username": "a\u00e9"}`, false},            // an escape
	{`{"username": "a\/b"}`, false},               // an escape
	{`{"email": null}`, false},                    // null
	{`{"username": "a", "nope": 1}`, false},       // an unknown key
	{`{"is_staff": "yes"}`, false},                // a wrong type
	{`{"groups": ["a",]}`, false},                 // a syntax error
	{`{"date_joined": "2024-01-02"}`, false},      // not RFC 3339
	{"{\"username\": \"a\xffb\"}", false},         // invalid UTF-8
	{"{\"username\": \"a\tb\"}", false},           // a control character
	{`{"username": "a"} x`, false},                // more after it
	{`{"username": "a",}`, false},                 // a trailing comma
	{`{"groups": [1]}`, false},                    // a number in a list
	{`{"is_active": tru}`, false},                 // a bad literal
	{`{"last_login": "2024-01-02T03:04:05Z", "last_login": "x"}`, false},
}

// fastJSONUser reads the plain objects seeding files are made of exactly
// as encoding/json does, and leaves everything else to it.
func TestFastJSONUser(t *testing.T) {
	for _, c := range fastUserCases {
		var got User
		ok := fastJSONUser([]byte(c.elem), &got)
		if ok != c.fast {
			t.Errorf("%s: fast = %v, want %v", c.elem, ok, c.fast)
			continue
		}
		if !ok {
			continue
		}
		want, wok := jsonUser([]byte(c.elem))
		if !wok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n fast %+v\n json %+v (ok %v)", c.elem, got, want, wok)
		}
	}
}

// FuzzFastJSONUser: whatever fastJSONUser accepts, encoding/json decodes
// to the same user.
func FuzzFastJSONUser(f *testing.F) {
	for _, c := range fastUserCases {
		f.Add([]byte(c.elem))
	}
	f.Fuzz(func(t *testing.T, elem []byte) {
		var got User
		if !fastJSONUser(elem, &got) {
			return
		}
		want, ok := jsonUser(elem)
		if !ok {
			t.Fatalf("fast accepted %q, which encoding/json refuses", elem)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n fast %+v\n json %+v", elem, got, want)
		}
	})
}

// TestFastJSONUserBytes sweeps every byte, alone and beside a letter,
// through each place a value or its delimiters stand (a string, a list
// entry, a literal, a time, the spaces between tokens): where fastJSONUser
// accepts, encoding/json must decode the same user. A fuzzer finds a
// one-byte disagreement only by luck; this finds it every time.
func TestFastJSONUserBytes(t *testing.T) {
	templates := []string{
		`{"username": "%s"}`,
		`{"groups": ["%s", "b"]}`,
		`{"is_staff": %s}`,
		`{"is_active": tru%s}`,
		`{"date_joined": "2024-01-02T03:04:05%s"}`,
		`{"username": "a"%s}`,
		`{"username":%s"a"}`,
		`{"groups": [%s]}`,
		`{%s"username": "a"}`,
		`{"username": "a"}%s`,
	}
	accepted := 0
	for c := 0; c < 256; c++ {
		b := string([]byte{byte(c)})
		for _, v := range []string{b, "a" + b, b + "a", b + b} {
			for _, tmpl := range templates {
				elem := []byte(strings.Replace(tmpl, "%s", v, 1))
				var got User
				if !fastJSONUser(elem, &got) {
					continue
				}
				accepted++
				want, ok := jsonUser(elem)
				if !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("%q:\n fast %+v\n json %+v (ok %v)", elem, got, want, ok)
				}
			}
		}
	}
	if accepted < 500 {
		t.Errorf("the fast path accepted only %d of the cases", accepted)
	}
}
