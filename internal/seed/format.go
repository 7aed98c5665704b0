package seed

import "time"

// File is the seeding format, with Django's field names.
type File struct {
	Permissions []Permission `json:"permissions,omitempty" yaml:"permissions,omitempty"`
	Groups      []Group      `json:"groups,omitempty" yaml:"groups,omitempty"`
	Users       []User       `json:"users,omitempty" yaml:"users,omitempty"`
}

// Permission declares "app_label.codename" and its human name.
type Permission struct {
	Permission string `json:"permission" yaml:"permission"`
	Name       string `json:"name,omitempty" yaml:"name,omitempty"`
	Model      string `json:"model,omitempty" yaml:"model,omitempty"`
}

// Group declares a group and, if given, exactly its permissions.
type Group struct {
	Name        string    `json:"name" yaml:"name"`
	Permissions *[]string `json:"permissions,omitempty" yaml:"permissions,omitempty"`
}

// User declares a user. Absent fields are not managed: defaults on
// creation, left alone on update.
type User struct {
	Username        string     `json:"username" yaml:"username"`
	Email           *string    `json:"email,omitempty" yaml:"email,omitempty"`
	FirstName       *string    `json:"first_name,omitempty" yaml:"first_name,omitempty"`
	LastName        *string    `json:"last_name,omitempty" yaml:"last_name,omitempty"`
	IsActive        *bool      `json:"is_active,omitempty" yaml:"is_active,omitempty"`
	IsStaff         *bool      `json:"is_staff,omitempty" yaml:"is_staff,omitempty"`
	IsSuperuser     *bool      `json:"is_superuser,omitempty" yaml:"is_superuser,omitempty"`
	Groups          *[]string  `json:"groups,omitempty" yaml:"groups,omitempty"`
	UserPermissions *[]string  `json:"user_permissions,omitempty" yaml:"user_permissions,omitempty"`
	PasswordEnv     string     `json:"password_env,omitempty" yaml:"password_env,omitempty"`
	PasswordFile    string     `json:"password_file,omitempty" yaml:"password_file,omitempty"`
	PasswordHash    string     `json:"password_hash,omitempty" yaml:"password_hash,omitempty"`
	DateJoined      *time.Time `json:"date_joined,omitempty" yaml:"date_joined,omitempty"`
	LastLogin       *time.Time `json:"last_login,omitempty" yaml:"last_login,omitempty"`
}

// knownKeys lists each object's keys for error messages. A switch, not a
// map: a package-level map is built when every authctl process starts.
func knownKeys(kind string) string {
	switch kind {
	case "top":
		return "permissions, groups, users"
	case "permission":
		return "permission, name, model"
	case "group":
		return "name, permissions"
	case "user":
		return "username, email, first_name, last_name, is_active, is_staff, is_superuser, groups, user_permissions, password_env, password_file, password_hash, date_joined, last_login"
	}
	return ""
}
