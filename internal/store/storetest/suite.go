package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"authctl/internal/store"
)

// Opener opens the database at one location with the given options. Every
// call of the same Opener reaches the same database.
type Opener func(opts store.OpenOptions) (store.Store, error)

// NewOpener prepares a new, empty location for t (no database exists there
// yet; it is removed when t ends) and returns an Opener for it.
type NewOpener func(t testing.TB) Opener

// Run runs every conformance test as a parallel subtest of t.
func Run(t *testing.T, newOpener NewOpener) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newOpener)
		})
	}
}

type testCase struct {
	name string
	fn   func(t *testing.T, newOpener NewOpener)
}

// --- helpers ---------------------------------------------------------------

var ctx = context.Background()

// errSentinel is returned by test callbacks to check that errors come back
// unchanged.
var errSentinel = errors.New("storetest: sentinel error")

// customError checks that a caller's own error type comes back unchanged.
type customError struct{ n int }

func (e *customError) Error() string { return fmt.Sprintf("storetest: custom error %d", e.n) }

// open opens with opts and registers a Close at the end of the test.
func open(t testing.TB, o Opener, opts store.OpenOptions) store.Store {
	t.Helper()
	s, err := o(opts)
	if err != nil {
		t.Fatalf("open %+v: %v", opts, err)
	}
	if s == nil {
		t.Fatalf("open %+v: nil store and nil error", opts)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// create makes a new store at a new location.
func create(t testing.TB, newOpener NewOpener) (Opener, store.Store) {
	t.Helper()
	o := newOpener(t)
	return o, open(t, o, store.OpenOptions{Create: true})
}

func closeStore(t testing.TB, s store.Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func view(t testing.TB, s store.Store, fn func(store.Reader) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func update(t testing.TB, s store.Store, fn func(store.Writer) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantNotFound(t testing.TB, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: got error %v, want one wrapping store.ErrNotFound", what, err)
	}
}

// --- fixtures --------------------------------------------------------------

var (
	zoneA = time.FixedZone("A", 5*3600+1800)
	zoneB = time.FixedZone("B", -7*3600)
	t0    = time.Date(2024, 2, 29, 23, 59, 58, 123456789, zoneA)
)

func fullUser(name string) store.User {
	login := time.Date(2025, 1, 2, 3, 4, 5, 999999999, zoneB)
	return store.User{
		Username:    name,
		Email:       name + "@example.org",
		FirstName:   "Zoë",
		LastName:    "O'Brien \"quoted\" <tag> & \\ \u2028",
		Password:    "pbkdf2_sha256$1000000$c2FsdA$aGFzaA==",
		IsActive:    true,
		IsStaff:     true,
		IsSuperuser: true,
		LastLogin:   &login,
		DateJoined:  t0,
		Groups:      []string{"admins", "editors"},
		Permissions: []string{"auth.add_user", "blog.change_post"},
		Managed:     true,
	}
}

func plainUser(name string) store.User {
	return store.User{Username: name, IsActive: true, DateJoined: t0}
}

func fullGroup(name string) store.Group {
	return store.Group{Name: name, Permissions: []string{"auth.add_user", "auth.view_user"}, Managed: true}
}

func fullPermission(perm string) store.Permission {
	return store.Permission{Perm: perm, Name: "Can do " + perm, Managed: true}
}

func fullSession(id string) store.Session {
	return store.Session{
		ID:       id,
		Digest:   []byte{0, 1, 2, 0xfe, 0xff, 0, 'a'},
		Username: "alice",
		AuthHash: "0123456789abcdef",
		Created:  time.Now(), // carries a monotonic reading
		Expires:  t0.Add(14 * 24 * time.Hour),
	}
}

func fullFailure(name string) store.Failure {
	return store.Failure{
		Username:    name,
		Count:       7,
		First:       t0,
		Last:        t0.Add(90 * time.Second),
		LockedUntil: t0.Add(time.Hour).In(zoneB),
	}
}

func fullAudit(action string) store.AuditRecord {
	return store.AuditRecord{
		Seq:         12345, // ignored by AppendAudit
		Time:        time.Now(),
		Action:      action,
		Target:      "alice",
		Result:      "ok",
		OSUser:      "root",
		SessionUser: "admin",
		Detail:      "line one\nline two\t\u00e9",
		Prev:        "0000000000000000000000000000000000000000000000000000000000000000",
		Hash:        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	}
}

// --- comparison ------------------------------------------------------------
//
// Times compare as instants (Location and monotonic reading dropped) and a
// nil slice equals an empty one, as the contract allows.

func normTime(t time.Time) time.Time { return t.Round(0).UTC() }

func normStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func normUser(u store.User) store.User {
	if u.LastLogin != nil {
		l := normTime(*u.LastLogin)
		u.LastLogin = &l
	}
	u.DateJoined = normTime(u.DateJoined)
	u.Groups = normStrings(u.Groups)
	u.Permissions = normStrings(u.Permissions)
	return u
}

func normGroup(g store.Group) store.Group {
	g.Permissions = normStrings(g.Permissions)
	return g
}

func normSession(s store.Session) store.Session {
	if len(s.Digest) == 0 {
		s.Digest = nil
	}
	s.Created = normTime(s.Created)
	s.Expires = normTime(s.Expires)
	return s
}

func normFailure(f store.Failure) store.Failure {
	f.First = normTime(f.First)
	f.Last = normTime(f.Last)
	f.LockedUntil = normTime(f.LockedUntil)
	return f
}

func normAudit(a store.AuditRecord) store.AuditRecord {
	a.Time = normTime(a.Time)
	return a
}

func wantEqual[T any](t testing.TB, what string, got, want T, norm func(T) T) {
	t.Helper()
	if norm != nil {
		got, want = norm(got), norm(want)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}
