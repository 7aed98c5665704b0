package auth

import (
	"encoding/json"
	"os"
	"sync"
	"testing"
)

const vectorsPath = "../../testdata/django-vectors.json"

// djangoVectors is the part of testdata/django-vectors.json these tests use.
type djangoVectors struct {
	DefaultPerms []struct {
		Perm string `json:"perm"`
		Name string `json:"name"`
	} `json:"default_permissions_after_migrate"`
	Permissions struct {
		Setup struct {
			Groups map[string][]string `json:"groups"`
			Users  map[string]string   `json:"users"`
		} `json:"setup"`
		Results []struct {
			User        string `json:"user"`
			IsActive    bool   `json:"is_active"`
			IsSuperuser bool   `json:"is_superuser"`
			IsStaff     bool   `json:"is_staff"`
			Results     []struct {
				Call   string          `json:"call"`
				Arg    json.RawMessage `json:"arg"`
				Result bool            `json:"result"`
			} `json:"results"`
			// A list, or for root the words "all 20 permissions in the
			// database" (then UserPerms lists them).
			AllPerms      json.RawMessage `json:"get_all_permissions"`
			AllPermsCount int             `json:"get_all_permissions_count"`
			UserPerms     []string        `json:"get_user_permissions"`
			GroupPerms    []string        `json:"get_group_permissions"`
		} `json:"results"`
	} `json:"permissions"`
	Authenticate struct {
		Cases []struct {
			Case        string `json:"case"`
			Credentials struct {
				Username string  `json:"username"`
				Password *string `json:"password"`
			} `json:"credentials"`
			Result *string `json:"result"`
		} `json:"cases"`
		Rehash map[string]struct {
			Before struct {
				Algorithm  string `json:"algorithm"`
				Iterations int    `json:"iterations"`
			} `json:"before"`
			After struct {
				Algorithm  string `json:"algorithm"`
				Iterations int    `json:"iterations"`
				SaltLength int    `json:"salt_length"`
			} `json:"after_correct_password"`
		} `json:"rehash_on_login"`
	} `json:"authenticate"`
	SessionAuthHash struct {
		Cases []struct {
			PasswordField string `json:"password_field"`
			SecretKey     string `json:"secret_key"`
			Hash          string `json:"get_session_auth_hash"`
		} `json:"cases"`
	} `json:"session_auth_hash_vectors"`
	UserDefaults struct {
		CreateUser struct {
			IsActive    bool `json:"is_active"`
			IsStaff     bool `json:"is_staff"`
			IsSuperuser bool `json:"is_superuser"`
		} `json:"create_user"`
		CreateSuperuser struct {
			IsActive    bool `json:"is_active"`
			IsStaff     bool `json:"is_staff"`
			IsSuperuser bool `json:"is_superuser"`
		} `json:"create_superuser"`
		UsableWithNone bool   `json:"create_user_with_password_None_usable"`
		NonePrefix     string `json:"create_user_with_password_None_encoded_prefix"`
		NoneLength     int    `json:"create_user_with_password_None_encoded_length"`
		NFKC           struct {
			Given  string `json:"given"`
			Stored string `json:"stored"`
		} `json:"create_user_normalizes_username_NFKC"`
		Email struct {
			Given  string `json:"given"`
			Stored string `json:"stored"`
		} `json:"create_user_normalizes_email"`
	} `json:"user_defaults"`
}

var (
	vecOnce sync.Once
	vec     djangoVectors
	vecErr  error
)

func loadVectors(t testing.TB) *djangoVectors {
	t.Helper()
	vecOnce.Do(func() {
		b, err := os.ReadFile(vectorsPath)
		if err != nil {
			vecErr = err
			return
		}
		vecErr = json.Unmarshal(b, &vec)
	})
	if vecErr != nil {
		t.Fatalf("load %s: %v", vectorsPath, vecErr)
	}
	return &vec
}
