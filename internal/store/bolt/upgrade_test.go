package bolt_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

// dumpStore reads everything a Reader can say about the fixture's records,
// as JSON text to compare.
func dumpStore(t *testing.T, s store.Store) string {
	t.Helper()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	add := func(v any) error { return enc.Encode(v) }
	names := func(kind, name string) func(string) error {
		return func(u string) error { return add([]string{kind, name, u}) }
	}
	err := s.View(ctx, func(r store.Reader) error {
		for _, err := range []error{
			r.Users("", func(u store.User) error { return add(u) }),
			r.Groups(func(g store.Group) error { return add(g) }),
			r.Permissions("", func(p store.Permission) error { return add(p) }),
			r.Sessions(func(s store.Session) error { return add(s) }),
			r.Failures(func(f store.Failure) error { return add(f) }),
			r.Audit(0, func(a store.AuditRecord) error { return add(a) }),
			r.Superusers(names("super", "")),
		} {
			if err != nil {
				return err
			}
		}
		for _, g := range []string{"g0", "g1", "g2", "g3", "g10", "g", "none"} {
			if err := r.GroupMembers(g, names("group", g)); err != nil {
				return err
			}
		}
		for _, p := range []string{"app.p0", "app.p1", "app.p5", "app.p"} {
			if err := r.PermissionHolders(p, names("perm", p)); err != nil {
				return err
			}
		}
		seq, err := r.AuditSeq()
		if err != nil {
			return err
		}
		m, err := r.Meta("secret")
		if err != nil {
			return err
		}
		return add([]any{seq, m})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestUpgradeFromV1 opens a database written by the release before schema
// version 2 (testdata/v1.db, made by that release's code): read-only it is
// read as it is, without being changed; the first writable open upgrades
// it, once, and everything reads back identically.
func TestUpgradeFromV1(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("testdata", "v1.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "auth.db")
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	schema := func() string {
		db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var v string
		db.View(func(tx *bbolt.Tx) error {
			v = string(tx.Bucket([]byte("authctl")).Get([]byte("schema_version")))
			return nil
		})
		return v
	}
	if v := schema(); v != "1" {
		t.Fatalf("fixture schema_version = %q, want 1", v)
	}

	r := mustOpen(t, path, store.OpenOptions{ReadOnly: true})
	before := dumpStore(t, r)
	r.Close()
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Fatal("a read-only open changed a version 1 database")
	}
	if !bytes.Contains([]byte(before), []byte(`["group","g10","user003"]`)) {
		t.Fatalf("the fixture does not read as expected:\n%.500s", before)
	}

	w := mustOpen(t, path, store.OpenOptions{})
	if got := dumpStore(t, w); got != before {
		t.Errorf("after the upgrade, inside the upgrading store:\n%s\nwant\n%s", got, before)
	}
	w.Close()
	if v := schema(); v != "2" {
		t.Fatalf("schema_version after a writable open = %q, want 2", v)
	}
	upgraded, _ := os.ReadFile(path)
	r = mustOpen(t, path, store.OpenOptions{ReadOnly: true})
	if got := dumpStore(t, r); got != before {
		t.Errorf("after the upgrade:\n%s\nwant\n%s", got, before)
	}
	r.Close()
	// Once: a second writable open changes nothing.
	w = mustOpen(t, path, store.OpenOptions{})
	w.Close()
	if now, _ := os.ReadFile(path); !bytes.Equal(now, upgraded) {
		t.Error("a second writable open changed the upgraded database")
	}
	// And the upgraded indexes follow later changes.
	w = mustOpen(t, path, store.OpenOptions{})
	err = w.Update(ctx, func(wr store.Writer) error {
		u, err := wr.User("user003")
		if err != nil {
			return err
		}
		u.Groups = nil
		return wr.PutUser(u)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = w.View(ctx, func(r store.Reader) error {
		return r.GroupMembers("g10", func(u string) error {
			if u == "user003" {
				t.Error("user003 still listed in g10 after leaving it")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = bolt.SchemaVersion
}
