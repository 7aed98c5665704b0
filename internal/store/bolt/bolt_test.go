package bolt_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
	"authctl/internal/store/storetest"
)

var ctx = context.Background()

func newOpener(t testing.TB) storetest.Opener {
	path := filepath.Join(t.TempDir(), "authctl.db")
	return func(opts store.OpenOptions) (store.Store, error) {
		return bolt.Open(path, opts)
	}
}

func TestConformance(t *testing.T) { storetest.Run(t, newOpener) }

func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, newOpener) }

// --- helpers ---------------------------------------------------------------

func mustOpen(t testing.TB, path string, opts store.OpenOptions) store.Store {
	t.Helper()
	s, err := bolt.Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s, %+v): %v", path, opts, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newDB creates a database with one user and closes it.
func newDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "authctl.db")
	s := mustOpen(t, path, store.OpenOptions{Create: true})
	err := s.Update(ctx, func(w store.Writer) error {
		return w.PutUser(store.User{Username: "alice", Email: "alice@example.org"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawUpdate changes the file with bbolt directly.
func rawUpdate(t testing.TB, path string, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func wantCorrupt(t testing.TB, err error, path string, detail string) {
	t.Helper()
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("got %v, want an error wrapping store.ErrCorrupt", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file %s", err, path)
	}
	if !strings.Contains(err.Error(), detail) {
		t.Errorf("error %q does not say %q", err, detail)
	}
}

// --- creating and modes ----------------------------------------------------

func TestCreateModes(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "authctl.db")
	s := mustOpen(t, path, store.OpenOptions{Create: true})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("new database file mode %v, want 0600", got)
	}
	for _, dir := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b")} {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got&0o077 != 0 || got&0o700 != 0o700 {
			t.Errorf("new directory %s mode %v, want 0700", dir, got)
		}
	}
}

func TestCreateLeavesExistingModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	path := filepath.Join(dir, "authctl.db")
	s := mustOpen(t, path, store.OpenOptions{Create: true})
	s.Close()
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o755 {
		t.Errorf("existing directory changed to %v", fi.Mode().Perm())
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, store.OpenOptions{Create: true})
	s.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("existing file mode changed to %v", fi.Mode().Perm())
	}
}

func TestNoDatabase(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{
		filepath.Join(dir, "missing.db"),
		filepath.Join(dir, "no", "such", "dir", "missing.db"),
	} {
		for _, ro := range []bool{false, true} {
			_, err := bolt.Open(path, store.OpenOptions{ReadOnly: ro})
			if !errors.Is(err, store.ErrNoDatabase) || !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Open(%s, ReadOnly %v): got %v, want store.ErrNoDatabase", path, ro, err)
			}
			if err != nil && !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Open without Create left something at %s: %v", path, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open without Create made a directory: %v", err)
	}
	if _, err := bolt.Open("", store.OpenOptions{Create: true}); err == nil {
		t.Error("Open with an empty path succeeded")
	}
}

// --- locking ---------------------------------------------------------------

func TestBusy(t *testing.T) {
	path := newDB(t)
	// Another writer (here: another handle in this process; flock locks are
	// per open file, so it conflicts like another process would).
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	for _, ro := range []bool{false, true} {
		start := time.Now()
		s, err := bolt.Open(path, store.OpenOptions{ReadOnly: ro, LockTimeout: 100 * time.Millisecond})
		took := time.Since(start)
		if err == nil {
			s.Close()
			t.Fatalf("Open (ReadOnly %v) succeeded while another handle holds the write lock", ro)
		}
		if !errors.Is(err, store.ErrBusy) {
			t.Errorf("Open (ReadOnly %v): got %v, want store.ErrBusy", ro, err)
		}
		// bbolt gives up up to one 50ms retry interval early.
		if took < 40*time.Millisecond || took > 3*time.Second {
			t.Errorf("Open (ReadOnly %v) gave up after %v, want about the 100ms lock timeout", ro, took)
		}
	}

	// Once the lock is released, opening works.
	db.Close()
	mustOpen(t, path, store.OpenOptions{LockTimeout: 100 * time.Millisecond})
}

func TestReadOnlySharesLock(t *testing.T) {
	path := newDB(t)
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opts := store.OpenOptions{ReadOnly: true, LockTimeout: 100 * time.Millisecond}
	a := mustOpen(t, path, opts)
	b := mustOpen(t, path, opts)
	for _, s := range []store.Store{a, b} {
		err := s.View(ctx, func(r store.Reader) error {
			_, err := r.User("alice")
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}
	// A writer has to wait for the readers.
	_, err = bolt.Open(path, store.OpenOptions{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, store.ErrBusy) {
		t.Errorf("writable Open while readers hold the lock: got %v, want store.ErrBusy", err)
	}
}

func TestReadOnlyNeverWrites(t *testing.T) {
	path := newDB(t)
	sum := func() [32]byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	fi, _ := os.Stat(path)
	s := mustOpen(t, path, store.OpenOptions{ReadOnly: true, Create: true})
	err := s.View(ctx, func(r store.Reader) error {
		_, err := r.User("alice")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fi2, _ := os.Stat(path)
	if sum() != before || !fi.ModTime().Equal(fi2.ModTime()) {
		t.Error("a read-only open changed the file")
	}
}

// --- damage ----------------------------------------------------------------

func TestCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	random := make([]byte, 64*1024)
	for i := range random {
		random[i] = byte(i*7919 + i>>8)
	}
	for name, content := range map[string][]byte{
		"random":     random,
		"short":      []byte("not a db"),
		"text":       bytes.Repeat([]byte("username,password\n"), 1000),
		"zero-pages": make([]byte, 16*1024),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, opts := range []store.OpenOptions{{}, {ReadOnly: true}, {Create: true}} {
			s, err := bolt.Open(path, opts)
			if err == nil {
				s.Close()
				t.Errorf("%s: Open %+v succeeded", name, opts)
				continue
			}
			wantCorrupt(t, err, path, "")
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, content) {
			t.Errorf("%s: opening changed the file", name)
		}
	}
}

func TestEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := bolt.Open(path, store.OpenOptions{ReadOnly: true})
	wantCorrupt(t, err, path, "empty file")
	// So does a writable open that may not create a database, which
	// leaves the file alone.
	_, err = bolt.Open(path, store.OpenOptions{})
	wantCorrupt(t, err, path, "empty file")
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatalf("a writable open without Create changed the empty file: %v %v", fi.Size(), err)
	}
	// A writable open with Create makes it a database, as for a new file
	// (what a creation that failed half-way, on a full disk, leaves).
	s := mustOpen(t, path, store.OpenOptions{Create: true})
	if err := s.Update(ctx, func(w store.Writer) error { return w.PutMeta("k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchema(t *testing.T) {
	path := newDB(t)
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("authctl")).Put([]byte("schema_version"), []byte("2"))
	})
	for _, opts := range []store.OpenOptions{{}, {ReadOnly: true}} {
		_, err := bolt.Open(path, opts)
		wantCorrupt(t, err, path, "database schema version 2 is newer than this authctl supports")
	}
}

func TestBadSchema(t *testing.T) {
	for name, v := range map[string][]byte{"garbage": []byte("one"), "zero": []byte("0"), "missing": nil} {
		path := newDB(t)
		rawUpdate(t, path, func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte("authctl"))
			if v == nil {
				return b.Delete([]byte("schema_version"))
			}
			return b.Put([]byte("schema_version"), v)
		})
		_, err := bolt.Open(path, store.OpenOptions{ReadOnly: true})
		if !errors.Is(err, store.ErrCorrupt) {
			t.Errorf("%s schema version: got %v, want store.ErrCorrupt", name, err)
		}
	}
}

func TestForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucket([]byte("something-else"))
		return err
	})
	for _, opts := range []store.OpenOptions{{}, {ReadOnly: true}, {Create: true}} {
		_, err := bolt.Open(path, opts)
		wantCorrupt(t, err, path, "not an authctl database")
	}
}

func TestEmptyBboltDatabase(t *testing.T) {
	// A bbolt file without buckets: what an interrupted creation leaves.
	path := filepath.Join(t.TempDir(), "bare.db")
	rawUpdate(t, path, func(*bbolt.Tx) error { return nil })

	// A reader sees an empty store and does not write.
	s := mustOpen(t, path, store.OpenOptions{ReadOnly: true})
	err := s.View(ctx, func(r store.Reader) error {
		if _, err := r.User("alice"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("User: %v", err)
		}
		return r.Users("", func(store.User) error { t.Error("visited a user"); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A writer finishes the creation.
	s = mustOpen(t, path, store.OpenOptions{})
	if err := s.Update(ctx, func(w store.Writer) error { return w.PutUser(store.User{Username: "alice"}) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket([]byte("authctl")).Get([]byte("schema_version")); string(v) != "1" {
			t.Errorf("schema_version = %q, want 1", v)
		}
		return nil
	})
}

func TestBadRecord(t *testing.T) {
	path := newDB(t)
	rawUpdate(t, path, func(tx *bbolt.Tx) error {
		if err := tx.Bucket([]byte("users")).Put([]byte("bob"), []byte("{not json")); err != nil {
			return err
		}
		return tx.Bucket([]byte("audit")).Put([]byte("short"), []byte("{}"))
	})
	s := mustOpen(t, path, store.OpenOptions{ReadOnly: true})
	err := s.View(ctx, func(r store.Reader) error {
		_, err := r.User("bob")
		wantCorrupt(t, err, path, `users/"bob"`)
		if _, err := r.User("alice"); err != nil {
			t.Errorf("a good record next to a bad one: %v", err)
		}
		err = r.Users("", func(store.User) error { return nil })
		wantCorrupt(t, err, path, "bob")
		err = r.Audit(0, func(store.AuditRecord) error { return nil })
		wantCorrupt(t, err, path, "audit")
		_, err = r.LastAudit()
		wantCorrupt(t, err, path, "audit")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// damagePages overwrites every page of the file except the meta pages and
// the root page with zeros, so that bbolt panics when it follows a pointer
// into them.
func damagePages(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Page header: id u64, flags u16, count u16, overflow u32; then meta:
	// magic u32, version u32, pageSize u32, flags u32, root {pgid u64,
	// sequence u64}, freelist u64, pgid u64, txid u64, checksum u64.
	type meta struct{ pageSize, root, txid uint64 }
	read := func(off int) meta {
		m := data[off+16:]
		return meta{
			pageSize: uint64(binary.LittleEndian.Uint32(m[8:])),
			root:     binary.LittleEndian.Uint64(m[16:]),
			txid:     binary.LittleEndian.Uint64(m[48:]),
		}
	}
	m0 := read(0)
	m1 := read(int(m0.pageSize))
	m := m0
	if m1.txid > m0.txid {
		m = m1
	}
	ps := int(m.pageSize)
	for p := 2; p*ps < len(data); p++ {
		if uint64(p) != m.root {
			clear(data[p*ps : (p+1)*ps])
		}
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestPanicRecovery(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("damagePages assumes a little-endian file")
	}
	path := filepath.Join(t.TempDir(), "authctl.db")
	s := mustOpen(t, path, store.OpenOptions{Create: true})
	// Enough users that the users bucket has pages of its own rather than
	// living inline in the root page.
	err := s.Update(ctx, func(w store.Writer) error {
		for i := range 500 {
			u := store.User{Username: fmt.Sprintf("user%04d", i), Email: strings.Repeat("x", 100)}
			if err := w.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	damagePages(t, path)

	s, err = bolt.Open(path, store.OpenOptions{ReadOnly: true})
	if err != nil {
		// The schema read already hit a damaged page: recovered in Open.
		t.Logf("Open: %v", err)
		wantCorrupt(t, err, path, "")
		return
	}
	defer s.Close()
	err = s.View(ctx, func(r store.Reader) error {
		_, err := r.User("user0100")
		t.Logf("User: %v", err)
		wantCorrupt(t, err, path, "bbolt")
		err = r.Users("", func(store.User) error { return nil })
		wantCorrupt(t, err, path, "bbolt")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// --- misuse ----------------------------------------------------------------

func TestCallerPanicPropagates(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	type boom struct{}
	catch := func(f func()) (p any) {
		defer func() { p = recover() }()
		f()
		return nil
	}
	if p := catch(func() { s.View(ctx, func(store.Reader) error { panic(boom{}) }) }); p != (boom{}) {
		t.Errorf("View: recovered %v, want the caller's panic", p)
	}
	if p := catch(func() {
		s.View(ctx, func(r store.Reader) error {
			return r.Users("", func(store.User) error { panic(boom{}) })
		})
	}); p != (boom{}) {
		t.Errorf("Users callback: recovered %v, want the caller's panic", p)
	}
	if p := catch(func() {
		s.Update(ctx, func(w store.Writer) error {
			w.PutUser(store.User{Username: "bob"})
			panic(boom{})
		})
	}); p != (boom{}) {
		t.Errorf("Update: recovered %v, want the caller's panic", p)
	}
	// The store still works and the panicking Update was rolled back.
	err := s.Update(ctx, func(w store.Writer) error {
		if _, err := w.User("bob"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("User(bob) after a panicking Update: %v", err)
		}
		return w.PutUser(store.User{Username: "carol"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReaderAfterFn(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	var kept store.Reader
	if err := s.View(ctx, func(r store.Reader) error { kept = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := kept.User("alice"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Reader used after View: got %v, want store.ErrClosed", err)
	}
	var keptW store.Writer
	if err := s.Update(ctx, func(w store.Writer) error { keptW = w; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := keptW.PutUser(store.User{Username: "x"}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Writer used after Update: got %v, want store.ErrClosed", err)
	}
}

func TestReaderIsNotAWriter(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	err := s.View(ctx, func(r store.Reader) error {
		if w, ok := r.(store.Writer); ok {
			if err := w.PutUser(store.User{Username: "x"}); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("PutUser through a View's Reader: got %v, want store.ErrReadOnly", err)
			}
			if _, err := w.AppendAudit(store.AuditRecord{}); !errors.Is(err, store.ErrReadOnly) {
				t.Errorf("AppendAudit through a View's Reader: got %v, want store.ErrReadOnly", err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// --- benchmarks ------------------------------------------------------------

func seededDB(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "authctl.db")
	s := mustOpen(b, path, store.OpenOptions{Create: true})
	storetest.Seed(b, s)
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpenReadOneUser is the store's share of `authctl check`: open
// read-only, read one user in a View, close.
func BenchmarkOpenReadOneUser(b *testing.B) {
	path := seededDB(b)
	b.ReportAllocs()
	for b.Loop() {
		s, err := bolt.Open(path, store.OpenOptions{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		err = s.View(ctx, func(r store.Reader) error {
			_, err := r.User(storetest.BenchUserName)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenReadUserAndGroups adds the user's three groups, as check
// does for a permission test.
func BenchmarkOpenReadUserAndGroups(b *testing.B) {
	path := seededDB(b)
	b.ReportAllocs()
	for b.Loop() {
		s, err := bolt.Open(path, store.OpenOptions{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		err = s.View(ctx, func(r store.Reader) error {
			u, err := r.User(storetest.BenchUserName)
			if err != nil {
				return err
			}
			for _, g := range u.Groups {
				if _, err := r.Group(g); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawBboltOpenGet is the floor: bbolt alone opening the same file
// read-only and fetching the same value, undecoded.
func BenchmarkRawBboltOpenGet(b *testing.B) {
	path := seededDB(b)
	key := []byte(storetest.BenchUserName)
	b.ReportAllocs()
	for b.Loop() {
		db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		err = db.View(func(tx *bbolt.Tx) error {
			if tx.Bucket([]byte("users")).Get(key) == nil {
				return errors.New("missing")
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
