package cmd

import (
	"time"

	"authctl/internal/auth"
	"authctl/internal/jsonenc"
	"authctl/internal/store"
)

// userView is a user as JSON shows it, with Django's field names. It never
// holds the password hash.
type userView struct {
	Username        string     `json:"username"`
	Email           string     `json:"email"`
	FirstName       string     `json:"first_name"`
	LastName        string     `json:"last_name"`
	IsActive        bool       `json:"is_active"`
	IsStaff         bool       `json:"is_staff"`
	IsSuperuser     bool       `json:"is_superuser"`
	LastLogin       *time.Time `json:"last_login"`
	DateJoined      time.Time  `json:"date_joined"`
	Groups          []string   `json:"groups"`
	UserPermissions []string   `json:"user_permissions"`
}

func newUserView(u store.User) userView {
	return userView{
		Username:        u.Username,
		Email:           u.Email,
		FirstName:       u.FirstName,
		LastName:        u.LastName,
		IsActive:        u.IsActive,
		IsStaff:         u.IsStaff,
		IsSuperuser:     u.IsSuperuser,
		LastLogin:       u.LastLogin,
		DateJoined:      u.DateJoined,
		Groups:          nonNil(u.Groups),
		UserPermissions: nonNil(u.Permissions),
	}
}

// appendUserView appends u as userView's JSON, byte for byte what
// encoding/json writes for newUserView(u) (TestAppendUserView), without
// reflection: user list -o json writes a million of them.
func appendUserView(b []byte, u *store.User) ([]byte, error) {
	var err error
	b = append(b, `{"username":`...)
	b = jsonenc.String(b, u.Username)
	b = append(b, `,"email":`...)
	b = jsonenc.String(b, u.Email)
	b = append(b, `,"first_name":`...)
	b = jsonenc.String(b, u.FirstName)
	b = append(b, `,"last_name":`...)
	b = jsonenc.String(b, u.LastName)
	b = append(b, `,"is_active":`...)
	b = jsonenc.Bool(b, u.IsActive)
	b = append(b, `,"is_staff":`...)
	b = jsonenc.Bool(b, u.IsStaff)
	b = append(b, `,"is_superuser":`...)
	b = jsonenc.Bool(b, u.IsSuperuser)
	b = append(b, `,"last_login":`...)
	if b, err = jsonenc.TimePtr(b, u.LastLogin); err != nil {
		return b, err
	}
	b = append(b, `,"date_joined":`...)
	if b, err = jsonenc.Time(b, u.DateJoined); err != nil {
		return b, err
	}
	b = append(b, `,"groups":`...)
	b = jsonenc.Strings(b, nonNil(u.Groups))
	b = append(b, `,"user_permissions":`...)
	b = jsonenc.Strings(b, nonNil(u.Permissions))
	return append(b, '}'), nil
}

// userDetailView is `user show -o json`: the user plus what is derived.
type userDetailView struct {
	userView
	AllPermissions []string     `json:"all_permissions"`
	Password       passwordView `json:"password"`
	FailedLogins   int          `json:"failed_logins"`
	LockedUntil    *time.Time   `json:"locked_until"`
}

type passwordView struct {
	Usable  bool              `json:"usable"`
	Summary map[string]string `json:"summary"`
}

func newUserDetailView(info auth.UserInfo) userDetailView {
	v := userDetailView{
		userView:       newUserView(info.User),
		AllPermissions: nonNil(info.EffectivePerms),
		Password:       passwordView{Usable: info.PasswordUsable, Summary: map[string]string{}},
		FailedLogins:   info.Failures,
	}
	for _, fld := range info.HashSummary {
		v.Password.Summary[fld.Key] = fld.Value
	}
	if !info.LockedUntil.IsZero() {
		t := info.LockedUntil
		v.LockedUntil = &t
	}
	return v
}

type groupView struct {
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
	Members     []string `json:"members"`
}

func newGroupView(g auth.GroupInfo) groupView {
	return groupView{Name: g.Group.Name, Permissions: nonNil(g.Group.Permissions), Members: nonNil(g.Members)}
}

type permView struct {
	Permission string `json:"permission"`
	Name       string `json:"name"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// formatTime renders a time for tables: local, to the second, with its
// zone, so that a reader on another machine knows which clock it is.
func formatTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05 MST")
}
