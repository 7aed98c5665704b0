package validate

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Failure is one rule a password broke (one Django ValidationError item).
type Failure struct {
	Code    string
	Message string
}

// Error holds every failure, in configuration order.
type Error struct {
	Failures []Failure
}

// Error joins the failure messages with "\n".
func (e *Error) Error() string {
	msgs := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		msgs[i] = f.Message
	}
	return strings.Join(msgs, "\n")
}

// User carries the attributes the similarity check compares against (Django
// user_attributes). A nil *User means "no user": the similarity check passes.
type User struct {
	Username, FirstName, LastName, Email string
}

// Validator is one password rule (a Django password validator class).
type Validator interface {
	// Name is the canonical configuration name, e.g. "minimum_length".
	Name() string
	// Validate returns nil when the password passes.
	Validate(password string, user *User) *Failure
	// HelpText is Django's get_help_text().
	HelpText() string
}

// Spec is one configured validator (a Django AUTH_PASSWORD_VALIDATORS entry).
type Spec struct {
	Name    string         `mapstructure:"name" json:"name" yaml:"name"`
	Options map[string]any `mapstructure:"options" json:"options" yaml:"options"`
}

// Set is an ordered list of validators (Django's get_password_validators).
type Set []Validator

// DefaultSpecs returns the four validators Django's startproject template
// enables, in its order, with default options.
func DefaultSpecs() []Spec {
	return []Spec{
		{Name: NameUserAttributeSimilarity},
		{Name: NameMinimumLength},
		{Name: NameCommonPassword},
		{Name: NameNumericPassword},
	}
}

// djangoModule is the dotted prefix of Django's validator classes.
const djangoModule = "django.contrib.auth.password_validation."

// validatorName maps every accepted spelling (lower-cased, '-' as '_') to
// the canonical name. A switch, not a map: a package-level map is built
// when every authctl process starts.
func validatorName(n string) (string, bool) {
	switch n {
	case NameUserAttributeSimilarity, "userattributesimilarityvalidator":
		return NameUserAttributeSimilarity, true
	case NameMinimumLength, "minimumlengthvalidator":
		return NameMinimumLength, true
	case NameCommonPassword, "commonpasswordvalidator":
		return NameCommonPassword, true
	case NameNumericPassword, "numericpasswordvalidator":
		return NameNumericPassword, true
	}
	return "", false
}

// CanonicalName resolves a configured validator name: the canonical
// snake_case name, Django's class name, or its dotted path
// ("django.contrib.auth.password_validation.MinimumLengthValidator").
// Matching ignores case and treats '-' as '_'. ok is false for anything else.
func CanonicalName(name string) (canonical string, ok bool) {
	n := strings.TrimSpace(name)
	n = strings.TrimPrefix(n, djangoModule)
	n = strings.ReplaceAll(strings.ToLower(n), "-", "_")
	return validatorName(n)
}

// New builds the validators described by specs, in order. It rejects unknown
// validator names, unknown options, and option values of the wrong type or
// out of range; every error names the validator and the option at fault.
func New(specs []Spec) (Set, error) {
	set := make(Set, 0, len(specs))
	for i, spec := range specs {
		v, err := newValidator(spec)
		if err != nil {
			return nil, fmt.Errorf("password validator #%d: %w", i+1, err)
		}
		set = append(set, v)
	}
	return set, nil
}

func newValidator(spec Spec) (Validator, error) {
	name, ok := CanonicalName(spec.Name)
	if !ok {
		return nil, fmt.Errorf("unknown password validator %q (want one of %s, %s, %s, %s)", spec.Name,
			NameUserAttributeSimilarity, NameMinimumLength, NameCommonPassword, NameNumericPassword)
	}
	opts := make(map[string]any, len(spec.Options))
	keys := make([]string, 0, len(spec.Options))
	for k, val := range spec.Options {
		lk := strings.ToLower(strings.TrimSpace(k))
		opts[lk] = val
		keys = append(keys, lk)
	}
	sort.Strings(keys) // deterministic error for several bad options
	bad := func(opt string, err error) error {
		return fmt.Errorf("%s: option %s: %w", name, opt, err)
	}
	switch name {
	case NameMinimumLength:
		v := &minimumLength{min: DefaultMinLength}
		for _, k := range keys {
			if k != "min_length" {
				return nil, unknownOption(name, k)
			}
			n, err := toInt(opts[k])
			if err != nil {
				return nil, bad(k, err)
			}
			if n < 0 {
				return nil, bad(k, fmt.Errorf("must not be negative (got %d)", n))
			}
			v.min = n
		}
		return v, nil
	case NameUserAttributeSimilarity:
		v := &userAttributeSimilarity{attributes: append([]string(nil), DefaultUserAttributes...), maxSimilarity: DefaultMaxSimilarity}
		for _, k := range keys {
			switch k {
			case "max_similarity":
				f, err := toFloat(opts[k])
				if err != nil {
					return nil, bad(k, err)
				}
				if f < 0.1 {
					return nil, fmt.Errorf("%s: max_similarity must be at least 0.1", name)
				}
				v.maxSimilarity = f
			case "user_attributes":
				attrs, err := toStrings(opts[k])
				if err != nil {
					return nil, bad(k, err)
				}
				for _, a := range attrs {
					if _, ok := lookupUserAttribute(a); !ok {
						return nil, bad(k, fmt.Errorf("unknown user attribute %q (want username, first_name, last_name or email)", a))
					}
				}
				v.attributes = attrs
			default:
				return nil, unknownOption(name, k)
			}
		}
		return v, nil
	case NameCommonPassword:
		v := &commonPassword{}
		for _, k := range keys {
			if k != "password_list_path" {
				return nil, unknownOption(name, k)
			}
			path, ok := opts[k].(string)
			if !ok {
				return nil, bad(k, fmt.Errorf("want a file path, got %T", opts[k]))
			}
			if strings.TrimSpace(path) == "" {
				continue // empty: keep the embedded list
			}
			set, err := loadPasswordList(path)
			if err != nil {
				return nil, bad(k, err)
			}
			v.custom = set
		}
		return v, nil
	default: // NameNumericPassword
		if len(keys) > 0 {
			return nil, unknownOption(name, keys[0])
		}
		return numericPassword{}, nil
	}
}

func unknownOption(validator, opt string) error {
	return fmt.Errorf("%s: unknown option %q", validator, opt)
}

// Validate runs every validator and returns nil, or an *Error holding all
// failures in configuration order (Django's validate_password).
func (s Set) Validate(password string, user *User) error {
	var failures []Failure
	for _, v := range s {
		if f := v.Validate(password, user); f != nil {
			failures = append(failures, *f)
		}
	}
	if len(failures) == 0 {
		return nil
	}
	return &Error{Failures: failures}
}

// HelpTexts returns each validator's help text, in order.
func (s Set) HelpTexts() []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = v.HelpText()
	}
	return out
}

// ---- option coercion (values may come from YAML, JSON, env or flags) ------

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int8:
		return int(x), nil
	case int16:
		return int(x), nil
	case int32:
		return int(x), nil
	case int64:
		return intFromFloat(float64(x), v)
	case uint:
		return intFromFloat(float64(x), v)
	case uint8:
		return int(x), nil
	case uint16:
		return int(x), nil
	case uint32:
		return intFromFloat(float64(x), v)
	case uint64:
		return intFromFloat(float64(x), v)
	case float32:
		return intFromFloat(float64(x), v)
	case float64:
		return intFromFloat(x, v)
	case string:
		s := strings.TrimSpace(x)
		if n, err := strconv.Atoi(s); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return intFromFloat(f, v)
		}
		return 0, fmt.Errorf("want an integer, got %q", x)
	case fmt.Stringer: // e.g. json.Number
		return toInt(x.String())
	}
	return 0, fmt.Errorf("want an integer, got %T", v)
}

func intFromFloat(f float64, orig any) (int, error) {
	if f != math.Trunc(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<31 {
		return 0, fmt.Errorf("want an integer, got %v", orig)
	}
	return int(f), nil
}

func toFloat(v any) (float64, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int8:
		f = float64(x)
	case int16:
		f = float64(x)
	case int32:
		f = float64(x)
	case int64:
		f = float64(x)
	case uint:
		f = float64(x)
	case uint8:
		f = float64(x)
	case uint16:
		f = float64(x)
	case uint32:
		f = float64(x)
	case uint64:
		f = float64(x)
	case string:
		p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, fmt.Errorf("want a number, got %q", x)
		}
		f = p
	case fmt.Stringer:
		return toFloat(x.String())
	default:
		return 0, fmt.Errorf("want a number, got %T", v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("want a finite number, got %v", v)
	}
	return f, nil
}

// toStrings accepts a list ([]string or []any of strings) or one string
// holding a comma- or space-separated list (as environment variables give).
func toStrings(v any) ([]string, error) {
	switch x := v.(type) {
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = strings.TrimSpace(s)
		}
		return out, nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings, item %d is %T", i, e)
			}
			out[i] = strings.TrimSpace(s)
		}
		return out, nil
	case string:
		return strings.FieldsFunc(x, func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t' || r == '\n'
		}), nil
	}
	return nil, fmt.Errorf("want a list of strings, got %T", v)
}
