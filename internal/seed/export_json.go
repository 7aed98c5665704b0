package seed

import (
	"authctl/internal/jsonenc"
	"authctl/internal/store"
)

// addUser writes u as the next element of the "users" section, appended by
// hand (appendExportUser) rather than through encoding/json: an export of
// a million users spent most of its time in reflection.
func (s *sectionWriter) addUser(u *store.User) error {
	var err error
	s.raw = append(s.raw[:0], s.prefix("users")...)
	if s.raw, err = appendExportUser(s.raw, u); err != nil {
		return err
	}
	s.n++
	_, err = s.w.Write(s.raw)
	return err
}

// appendExportUser appends userOf(u) as JSON, byte for byte what
// encoding/json writes for it (TestAppendExportUser): every field, with
// password_hash and last_login left out when empty, as their omitempty
// tags say.
func appendExportUser(b []byte, u *store.User) ([]byte, error) {
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
	b = append(b, `,"groups":`...)
	b = jsonenc.Strings(b, nonNil(u.Groups))
	b = append(b, `,"user_permissions":`...)
	b = jsonenc.Strings(b, nonNil(u.Permissions))
	if u.Password != "" {
		b = append(b, `,"password_hash":`...)
		b = jsonenc.String(b, u.Password)
	}
	b = append(b, `,"date_joined":`...)
	if b, err = jsonenc.Time(b, u.DateJoined); err != nil {
		return b, err
	}
	if u.LastLogin != nil {
		b = append(b, `,"last_login":`...)
		if b, err = jsonenc.Time(b, *u.LastLogin); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}
