package validate

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"minimum_length", NameMinimumLength},
		{"MinimumLengthValidator", NameMinimumLength},
		{"django.contrib.auth.password_validation.MinimumLengthValidator", NameMinimumLength},
		{" Minimum-Length ", NameMinimumLength},
		{"UserAttributeSimilarityValidator", NameUserAttributeSimilarity},
		{"django.contrib.auth.password_validation.CommonPasswordValidator", NameCommonPassword},
		{"numeric_password", NameNumericPassword},
		{"NumericPasswordValidator", NameNumericPassword},
	} {
		s, err := New([]Spec{{Name: tc.in}})
		if err != nil {
			t.Errorf("New(%q): %v", tc.in, err)
			continue
		}
		if s[0].Name() != tc.want {
			t.Errorf("New(%q).Name() = %q, want %q", tc.in, s[0].Name(), tc.want)
		}
	}
	got := []string{}
	for _, v := range mustNew(t, DefaultSpecs()...) {
		got = append(got, v.Name())
	}
	want := []string{"user_attribute_similarity", "minimum_length", "common_password", "numeric_password"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default order %q, want %q", got, want)
	}
	if s, err := New(nil); err != nil || len(s) != 0 || s.Validate("", nil) != nil {
		t.Errorf("empty configuration: %v %v", s, err)
	}
}

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		want []string // substrings of the error
	}{
		{Spec{Name: "LengthValidator"}, []string{`"LengthValidator"`}},
		{Spec{Name: "myapp.validators.MinimumLengthValidator"}, []string{"myapp.validators"}},
		{Spec{Name: "minimum_length", Options: map[string]any{"min_lenght": 3}}, []string{`"min_lenght"`, "minimum_length"}},
		{Spec{Name: "minimum_length", Options: map[string]any{"min_length": "eight"}}, []string{"min_length", `"eight"`}},
		{Spec{Name: "minimum_length", Options: map[string]any{"min_length": 8.5}}, []string{"min_length", "8.5"}},
		{Spec{Name: "minimum_length", Options: map[string]any{"min_length": -1}}, []string{"min_length", "negative"}},
		{Spec{Name: "minimum_length", Options: map[string]any{"min_length": true}}, []string{"min_length", "bool"}},
		{Spec{Name: "user_attribute_similarity", Options: map[string]any{"max_similarity": 0.05}}, []string{"max_similarity must be at least 0.1"}},
		{Spec{Name: "user_attribute_similarity", Options: map[string]any{"max_similarity": "0.09"}}, []string{"max_similarity must be at least 0.1"}},
		{Spec{Name: "user_attribute_similarity", Options: map[string]any{"max_similarity": "high"}}, []string{"max_similarity", `"high"`}},
		{Spec{Name: "user_attribute_similarity", Options: map[string]any{"max_similarity": "NaN"}}, []string{"max_similarity", "finite"}},
		{Spec{Name: "user_attribute_similarity", Options: map[string]any{"user_attributes": []any{"username", 3}}}, []string{"user_attributes", "int"}},
		{Spec{Name: "user_attribute_similarity", Options: map[string]any{"user_attributes": "username,nick"}}, []string{"user_attributes", `"nick"`}},
		{Spec{Name: "user_attribute_similarity", Options: map[string]any{"min_length": 3}}, []string{"user_attribute_similarity", `"min_length"`}},
		{Spec{Name: "common_password", Options: map[string]any{"password_list_path": 3}}, []string{"password_list_path"}},
		{Spec{Name: "numeric_password", Options: map[string]any{"strict": true}}, []string{"numeric_password", `"strict"`}},
	} {
		_, err := New([]Spec{{Name: "numeric_password"}, tc.spec})
		if err == nil {
			t.Errorf("%+v: no error", tc.spec)
			continue
		}
		if !strings.Contains(err.Error(), "#2") {
			t.Errorf("%+v: error %q does not give the position", tc.spec, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q does not contain %q", tc.spec, err, w)
			}
		}
	}
}

func TestOptionCoercion(t *testing.T) {
	for _, v := range []any{10, int64(10), 10.0, float32(10), "10", " 10 ", "10.0", uint8(10), json.Number("10")} {
		s := mustNew(t, Spec{Name: "minimum_length", Options: map[string]any{"MIN_LENGTH": v}})
		if s.Validate("123456789", nil) == nil || s.Validate("1234567890", nil) != nil {
			t.Errorf("min_length %T(%v) not coerced to 10", v, v)
		}
	}
	user := &User{Username: "john.doe"}
	for _, v := range []any{1, int64(1), 1.0, "1", "1.0", json.Number("1")} {
		s := mustNew(t, Spec{Name: "user_attribute_similarity", Options: map[string]any{"max_similarity": v}})
		if s.Validate("john.doe", user) == nil || s.Validate("johnx", user) != nil {
			t.Errorf("max_similarity %T(%v) not coerced to 1.0", v, v)
		}
	}
	for _, v := range []any{"email", " email , ", []string{"email"}, []any{"email"}} {
		s := mustNew(t, Spec{Name: "user_attribute_similarity", Options: map[string]any{"user_attributes": v}})
		u := &User{Username: "john.doe", Email: "alice@example.com"}
		if s.Validate("john.doe", u) != nil || s.Validate("alice", u) == nil {
			t.Errorf("user_attributes %T(%q) not coerced to [email]", v, v)
		}
	}
	// An empty attribute list disables the check, as in Django.
	s := mustNew(t, Spec{Name: "user_attribute_similarity", Options: map[string]any{"user_attributes": []string{}}})
	if err := s.Validate("john.doe", user); err != nil {
		t.Errorf("empty user_attributes: %v", err)
	}
	// min_length 0 is allowed and uses the plural form, like ngettext(…, 0).
	s = mustNew(t, Spec{Name: "minimum_length", Options: map[string]any{"min_length": 0}})
	if s.Validate("", nil) != nil || s.HelpTexts()[0] != "Your password must contain at least 0 characters." {
		t.Errorf("min_length 0: %q", s.HelpTexts())
	}
}

func TestErrorCollectsAllFailures(t *testing.T) {
	s := mustNew(t, DefaultSpecs()...)
	err := s.Validate("123", &User{Username: "john.doe"})
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %T, want *Error", err)
	}
	codes := []string{}
	for _, f := range e.Failures {
		codes = append(codes, f.Code)
	}
	want := []string{CodeTooShort, CodeTooCommon, CodeEntirelyNumeric}
	if !reflect.DeepEqual(codes, want) {
		t.Errorf("codes %q, want %q", codes, want)
	}
	if err := s.Validate("Xq9!mZ2#pL", &User{Username: "john.doe"}); err != nil {
		t.Errorf("good password: %v (a typed nil would also fail here)", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := mustNew(t, DefaultSpecs()...)
	user := &User{Username: "jürgen", Email: "j@example.com"}
	done := make(chan bool)
	for i := 0; i < 8; i++ {
		go func() {
			ok := true
			for j := 0; j < 200; j++ {
				ok = ok && s.Validate("JÜRGEN!!", user) != nil && s.Validate("Ünïcødé-Σ-horse-battery", user) == nil
			}
			done <- ok
		}()
	}
	for i := 0; i < 8; i++ {
		if !<-done {
			t.Error("wrong result under concurrent use")
		}
	}
}
