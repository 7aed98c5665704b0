package auth

// Shared fixtures for the auth unit tests: a real bbolt store in
// t.TempDir(), a cheap hasher, an injected clock, a store wrapper that can
// run code between the read and the write of a use case or make audit
// appends fail. The Django vectors are loaded by vectors_test.go.

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

// clockStart has nanoseconds on purpose: stored times are truncated to
// microseconds (Django's columns).
var clockStart = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

// testClock is the injected clock; tests move it, nothing sleeps.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hookStore wraps a store.Store. beforeUpdate, when set, runs once just
// before the next Update starts (outside it, so it may write through the
// inner store); failAudit makes every AppendAudit inside Update fail;
// failUserRead makes every Writer.User lookup inside Update fail with it.
type hookStore struct {
	store.Store
	beforeUpdate func()
	failAudit    bool
	failUserRead error
}

type failingUserWriter struct {
	store.Writer
	err error
}

func (w failingUserWriter) User(string) (store.User, error) { return store.User{}, w.err }

var errAuditBoom = errors.New("audit append failed (test)")

type failingAuditWriter struct{ store.Writer }

func (failingAuditWriter) AppendAudit(store.AuditRecord) (uint64, error) { return 0, errAuditBoom }

func (h *hookStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	if f := h.beforeUpdate; f != nil {
		h.beforeUpdate = nil
		f()
	}
	return h.Store.Update(ctx, func(w store.Writer) error {
		if h.failAudit {
			w = failingAuditWriter{w}
		}
		if h.failUserRead != nil {
			w = failingUserWriter{w, h.failUserRead}
		}
		return fn(w)
	})
}

// env is one Service over a fresh bbolt file.
type testEnv struct {
	t     *testing.T
	path  string
	st    store.Store // the real bolt store
	hook  *hookStore  // what the Service uses
	svc   *Service
	clock *testClock
	opts  Options
}

var (
	cheapOnce sync.Once
	cheapSet  *hasher.Set
)

// verifyCount verifies the audit chain and returns how many records it
// checked.
func (s *Service) verifyCount(ctx context.Context) (int, error) {
	res, err := s.AuditVerify(ctx, AuditVerifyOptions{})
	return res.Records, err
}

// cheapHashers is pbkdf2_sha256 at 1000 iterations.
func cheapHashers(t testing.TB) *hasher.Set {
	t.Helper()
	cheapOnce.Do(func() {
		var err error
		cheapSet, err = hasher.NewSet("pbkdf2_sha256", hasher.Params{PBKDF2Iterations: 1000})
		if err != nil {
			panic(err)
		}
	})
	return cheapSet
}

func pbkdf2Set(t testing.TB, iterations int) *hasher.Set {
	t.Helper()
	hs, err := hasher.NewSet("pbkdf2_sha256", hasher.Params{PBKDF2Iterations: iterations})
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

// newEnv opens a bolt store in t.TempDir() and a Service with the cheap
// hasher, Django's default validators and a clock at clockStart. edit may change
// the options before New.
func newEnv(t *testing.T, edit ...func(*Options)) *testEnv {
	t.Helper()
	path := filepath.Join(t.TempDir(), "auth.db")
	st, err := bolt.Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &testEnv{t: t, path: path, st: st, hook: &hookStore{Store: st}, clock: &testClock{t: clockStart}}
	e.opts = Options{
		AuditKeys: &KeyFile{Path: path + ".audit-key"},
		Hashers:   cheapHashers(t),
		Now:       e.clock.Now,
		Actor:     Actor{OSUser: "tester"},
		Lockout:   DefaultLockout,
	}
	for _, f := range edit {
		f(&e.opts)
	}
	e.svc = e.newService(e.opts)
	return e
}

// newService makes another Service over the same store (say, with other
// hasher parameters).
func (e *testEnv) newService(opts Options) *Service {
	e.t.Helper()
	svc, err := New(e.hook, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// reopen closes the store (so that a test may open the file with bbolt
// itself) and returns a function that opens it again and rebuilds the
// Service.
func (e *testEnv) closeStore() func() {
	e.t.Helper()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	return func() {
		e.t.Helper()
		st, err := bolt.Open(e.path, store.OpenOptions{})
		if err != nil {
			e.t.Fatal(err)
		}
		e.t.Cleanup(func() { st.Close() })
		e.st = st
		e.hook = &hookStore{Store: st}
		e.svc = e.newService(e.opts)
	}
}

const goodPassword = "S3cure-pass!"

// mkUser creates an active user with goodPassword (validated).
func (e *testEnv) mkUser(name string, mod ...func(*NewUser)) store.User {
	e.t.Helper()
	nu := NewUser{Username: name, Password: RawPassword(goodPassword)}
	for _, f := range mod {
		f(&nu)
	}
	u, err := e.svc.CreateUser(context.Background(), nu)
	if err != nil {
		e.t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

// user reads a stored record directly.
func (e *testEnv) user(name string) store.User {
	e.t.Helper()
	var u store.User
	if err := e.st.View(context.Background(), func(r store.Reader) error {
		var err error
		u, err = r.User(name)
		return err
	}); err != nil {
		e.t.Fatalf("read user %q: %v", name, err)
	}
	return u
}

func (e *testEnv) hasUser(name string) bool {
	e.t.Helper()
	err := e.st.View(context.Background(), func(r store.Reader) error {
		_, err := r.User(name)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		e.t.Fatal(err)
	}
	return err == nil
}

func (e *testEnv) audit() []store.AuditRecord {
	e.t.Helper()
	var out []store.AuditRecord
	if err := e.st.View(context.Background(), func(r store.Reader) error {
		return r.Audit(0, func(rec store.AuditRecord) error {
			out = append(out, rec)
			return nil
		})
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *testEnv) sessions() []store.Session {
	e.t.Helper()
	var out []store.Session
	if err := e.svc.ListSessions(context.Background(), "", func(s store.Session) error {
		out = append(out, s)
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *testEnv) failures() []store.Failure {
	e.t.Helper()
	var out []store.Failure
	if err := e.st.View(context.Background(), func(r store.Reader) error {
		return r.Failures(func(f store.Failure) error {
			out = append(out, f)
			return nil
		})
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// rawUpdate writes through the real store, bypassing the Service.
func (e *testEnv) rawUpdate(fn func(w store.Writer) error) {
	e.t.Helper()
	if err := e.st.Update(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// editUser changes a stored user behind the Service's back (no audit
// record, no session bookkeeping), as another tool writing the store would.
func (e *testEnv) editUser(name string, edit func(u *store.User)) {
	e.t.Helper()
	e.rawUpdate(func(w store.Writer) error {
		u, err := w.User(name)
		if err != nil {
			return err
		}
		edit(&u)
		return w.PutUser(u)
	})
}

func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
