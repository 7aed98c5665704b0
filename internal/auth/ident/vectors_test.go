package ident

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// Vectors produced by Django 3.2.25 itself (reference §10).
const vectorsPath = "../../../testdata/django-vectors.json"

type djErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type vectors struct {
	Usernames struct {
		Field struct {
			MaxLength int `json:"max_length"`
		} `json:"field"`
		Cases []struct {
			Raw               string  `json:"raw"`
			FieldCleanErrors  []djErr `json:"field_clean_errors"`
			NFKC              string  `json:"nfkc_normalized"`
			NormalizedChanged bool    `json:"normalized_changed"`
			NormalizedIsValid bool    `json:"normalized_is_valid"`
		} `json:"cases"`
	} `json:"usernames"`
	Emails struct {
		Normalize []struct {
			Input *string `json:"input"`
			Want  string  `json:"normalize_email"`
		} `json:"normalize_email"`
		MaxLength int `json:"email_field_max_length"`
		Clean     []struct {
			Input  string  `json:"input"`
			Errors []djErr `json:"errors"`
		} `json:"email_field_clean"`
	} `json:"emails"`
	ModelFields map[string]struct {
		MaxLength *int `json:"max_length"`
		Blank     bool `json:"blank"`
	} `json:"model_fields"`
}

func loadVectors(t *testing.T) *vectors {
	t.Helper()
	b, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	v := new(vectors)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
	return v
}

// asDjango turns an error into the vectors' error list (we report one).
func asDjango(t *testing.T, err error) []djErr {
	t.Helper()
	if err == nil {
		return []djErr{}
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not *ident.Error", err)
	}
	if e.Error() != e.Message {
		t.Errorf("Error() = %q, Message = %q", e.Error(), e.Message)
	}
	return []djErr{{e.Code, e.Message}}
}

func TestUsernameVectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.Usernames.Cases) == 0 || v.Usernames.Field.MaxLength != UsernameMaxLength {
		t.Fatalf("bad username vectors (max_length %d)", v.Usernames.Field.MaxLength)
	}
	differs := 0
	for _, c := range v.Usernames.Cases {
		if got := NormalizeUsername(c.Raw); got != c.NFKC || (got != c.Raw) != c.NormalizedChanged {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", c.Raw, got, c.NFKC)
		}
		err := ValidateUsername(c.Raw)
		if (err == nil) != c.NormalizedIsValid {
			t.Errorf("ValidateUsername(%q) = %v, want valid=%v (validity of the NFKC form)", c.Raw, err, c.NormalizedIsValid)
		}
		rawValid := len(c.FieldCleanErrors) == 0
		if rawValid != c.NormalizedIsValid {
			// Django validates the raw value; we validate what would be
			// stored (doc.go). Only decomposed "café" differs in the vectors.
			differs++
			continue
		}
		want := c.FieldCleanErrors
		if want == nil {
			want = []djErr{}
		}
		if got := asDjango(t, err); !reflect.DeepEqual(got, want) {
			t.Errorf("ValidateUsername(%q) = %v, want %v", c.Raw, got, want)
		}
		if err != nil && err.(*Error).Field != FieldUsername {
			t.Errorf("ValidateUsername(%q): field %q", c.Raw, err.(*Error).Field)
		}
	}
	if differs != 1 {
		t.Errorf("%d vector cases where raw and NFKC validity differ, want 1 (decomposed café)", differs)
	}
}

func TestEmailVectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.Emails.Normalize) == 0 || len(v.Emails.Clean) == 0 || v.Emails.MaxLength != EmailMaxLength {
		t.Fatal("bad email vectors")
	}
	for _, c := range v.Emails.Normalize {
		in := ""
		if c.Input != nil { // None → "" in Django; Go has no None
			in = *c.Input
		}
		if got := NormalizeEmail(in); got != c.Want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, c.Want)
		}
	}
	for _, c := range v.Emails.Clean {
		want := c.Errors
		if want == nil {
			want = []djErr{}
		}
		if got := asDjango(t, ValidateEmail(c.Input)); !reflect.DeepEqual(got, want) {
			t.Errorf("ValidateEmail(%q) = %v, want %v", c.Input, got, want)
		}
	}
}

func TestModelFieldLimits(t *testing.T) {
	f := loadVectors(t).ModelFields
	for name, limit := range map[string]int{
		"User.username":   UsernameMaxLength,
		"User.first_name": PersonNameMaxLength,
		"User.last_name":  PersonNameMaxLength,
		"User.email":      EmailMaxLength,
		"Group.name":      GroupNameMaxLength,
		"Permission.name": PermissionNameMaxLength,
	} {
		if f[name].MaxLength == nil || *f[name].MaxLength != limit {
			t.Errorf("%s max_length = %v, we use %d", name, f[name].MaxLength, limit)
		}
	}
	for name, blank := range map[string]bool{"User.username": false, "User.first_name": true, "User.email": true,
		"Group.name": false, "Permission.name": false} {
		if f[name].Blank != blank {
			t.Errorf("%s blank = %v, we assume %v", name, f[name].Blank, blank)
		}
	}
}
