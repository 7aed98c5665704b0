package bolt_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"authctl/internal/auth"
	"authctl/internal/auth/hasher"
	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

// The fixture testdata/audit-json.db was written by the release whose audit
// records are JSON (commit 7561c06), with TestWriteAuditJSONFixture:
// an unkeyed chain of three records followed by a keyed one of four, under
// the key in testdata/audit-json.key.
const (
	auditFixture    = "testdata/audit-json.db"
	auditFixtureKey = "testdata/audit-json.key"
)

// fixtureService opens a copy of the fixture with its audit key and
// returns a Service on it.
func fixtureService(t *testing.T, dir string, keyed bool) (store.Store, *auth.Service) {
	t.Helper()
	s := mustOpen(t, filepath.Join(dir, "auth.db"), store.OpenOptions{Create: true})
	hs, err := hasher.NewSet("pbkdf2_sha256", hasher.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	opts := auth.Options{
		Hashers: hs,
		Actor:   auth.Actor{OSUser: "root", SessionUser: "admin"},
		Now:     func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC) },
	}
	if keyed {
		opts.AuditKeys = &auth.KeyFile{Path: filepath.Join(dir, "audit.key")}
	}
	svc, err := auth.New(s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, svc
}

// TestWriteAuditJSONFixture writes testdata/audit-json.db. It only makes a
// fixture of JSON records when run by the release that wrote them (it
// fails otherwise): AUTHCTL_WRITE_AUDIT_FIXTURE=1 go test -run
// TestWriteAuditJSONFixture at commit 7561c06.
func TestWriteAuditJSONFixture(t *testing.T) {
	if os.Getenv("AUTHCTL_WRITE_AUDIT_FIXTURE") == "" {
		t.Skip("set AUTHCTL_WRITE_AUDIT_FIXTURE=1 to rewrite the fixture")
	}
	dir := t.TempDir()
	for _, keyed := range []bool{false, true} {
		s, svc := fixtureService(t, dir, keyed)
		prefix := map[bool]string{false: "plain", true: "keyed"}[keyed]
		if err := svc.CreateGroup(ctx, prefix+"-g1"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreatePermission(ctx, "app."+prefix, "Can "+prefix); err != nil {
			t.Fatal(err)
		}
		if err := svc.CreateGroup(ctx, prefix+"-g2"); err != nil {
			t.Fatal(err)
		}
		if keyed {
			if err := svc.DeleteGroup(ctx, prefix+"-g2"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	raw := rawAudit(t, filepath.Join(dir, "auth.db"))
	for _, v := range raw {
		if v[0] != '{' {
			t.Fatalf("this release writes audit records that are not JSON (%q): the fixture must come from one that does", v)
		}
	}
	// Compacted: a writable open reserves a large file.
	src, err := bbolt.Open(filepath.Join(dir, "auth.db"), 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	dst, err := bbolt.Open(filepath.Join(dir, "compact.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bbolt.Compact(dst, src, 0); err != nil {
		t.Fatal(err)
	}
	src.Close()
	dst.Close()
	for from, to := range map[string]string{"compact.db": auditFixture, "audit.key": auditFixtureKey} {
		b, err := os.ReadFile(filepath.Join(dir, from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// rawAudit returns the stored values of the audit bucket, in order.
func rawAudit(t *testing.T, path string) [][]byte {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out [][]byte
	err = db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("audit")).ForEach(func(_, v []byte) error {
			out = append(out, append([]byte(nil), v...))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func auditRecords(t *testing.T, svc *auth.Service) []store.AuditRecord {
	t.Helper()
	var recs []store.AuditRecord
	if err := svc.AuditList(ctx, auth.AuditFilter{}, func(r store.AuditRecord) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestAuditJSONFixtureStillVerifies: the JSON records an earlier release
// wrote read back as they did and verify, alone and followed by records in
// the binary encoding, and doctor's Check decodes both kinds.
func TestAuditJSONFixtureStillVerifies(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, auditFixture, filepath.Join(dir, "auth.db"))
	copyFile(t, auditFixtureKey, filepath.Join(dir, "audit.key"))

	s, svc := fixtureService(t, dir, true)
	res, err := svc.AuditVerify(ctx, auth.AuditVerifyOptions{})
	if err != nil {
		t.Fatalf("the fixture does not verify: %v", err)
	}
	if res.Records != 7 || res.Keyed != 4 {
		t.Fatalf("fixture: %d records, %d keyed; want 7, 4", res.Records, res.Keyed)
	}
	before := auditRecords(t, svc)
	for _, r := range before {
		if r.Time.Location() != time.UTC {
			t.Fatalf("record %d: time in %v, want UTC", r.Seq, r.Time.Location())
		}
	}

	if err := svc.CreateGroup(ctx, "after"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteGroup(ctx, "after"); err != nil {
		t.Fatal(err)
	}
	res, err = svc.AuditVerify(ctx, auth.AuditVerifyOptions{})
	if err != nil {
		t.Fatalf("JSON records followed by binary ones do not verify: %v", err)
	}
	if res.Records != 9 || res.Keyed != 6 {
		t.Fatalf("after two appends: %d records, %d keyed; want 9, 6", res.Records, res.Keyed)
	}
	after := auditRecords(t, svc)
	if !reflect.DeepEqual(after[:len(before)], before) {
		t.Fatalf("the JSON records read differently after appending:\n%+v\nwant\n%+v", after[:len(before)], before)
	}
	if got := after[len(before)]; got.Action != "group.create" || got.Target != "after" || got.SessionUser != "admin" ||
		!got.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)) || got.Time.Location() != time.UTC {
		t.Fatalf("the first binary record reads as %+v", got)
	}
	if err := s.(store.Checker).Check(ctx); err != nil {
		t.Fatalf("Check of a log of both encodings: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	raw := rawAudit(t, filepath.Join(dir, "auth.db"))
	for i, v := range raw {
		json := v[0] == '{'
		if json != (i < len(before)) {
			t.Errorf("stored record %d starts with %#x", i+1, v[0])
		}
	}

	// A changed byte in a binary record is found by verify.
	db, err := bbolt.Open(filepath.Join(dir, "auth.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		k, v := b.Cursor().Last()
		v = bytes.Replace(v, []byte("after"), []byte("After"), 1)
		return b.Put(append([]byte(nil), k...), v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, svc = fixtureService(t, dir, true)
	var ve *auth.AuditVerifyError
	if _, err := svc.AuditVerify(ctx, auth.AuditVerifyOptions{}); !errors.As(err, &ve) || ve.Seq != 9 {
		t.Fatalf("verify after editing record 9: %v", err)
	}
	_ = bolt.SchemaVersion
}

// Check (doctor) decodes every audit record in the binary encoding: a
// damaged one is ErrCorrupt naming its key, as a damaged JSON one is.
func TestCheckDecodesBinaryAudit(t *testing.T) {
	path := newDB(t)
	s := mustOpen(t, path, store.OpenOptions{})
	err := s.Update(ctx, func(w store.Writer) error {
		for _, a := range []string{"one", "two"} {
			if _, err := w.AppendAudit(store.AuditRecord{Action: a, Time: time.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.(store.Checker).Check(ctx); err != nil {
		t.Fatalf("Check of an intact log: %v", err)
	}
	s.Close()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		k, v := b.Cursor().Last()
		if v[0] != 0x03 {
			t.Fatalf("audit record stored as %q", v)
		}
		return b.Put(append([]byte(nil), k...), append([]byte(nil), v[:len(v)-1]...))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, path, store.OpenOptions{ReadOnly: true})
	err = s.(store.Checker).Check(ctx)
	if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), `audit/"\x00\x00\x00\x00\x00\x00\x00\x02"`) {
		t.Fatalf("Check of a truncated binary audit record: %v", err)
	}
}
