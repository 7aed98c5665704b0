package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

// seedUsers makes a database with n users at path.
func seedUsers(t testing.TB, path string, n int) {
	t.Helper()
	s, err := Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(context.Background(), func(w store.Writer) error {
		for i := range n {
			u := store.User{Username: fmt.Sprintf("user%07d", i), Email: strings.Repeat("x", 40), Groups: []string{"g"}}
			if err := w.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// leafInUse returns a leaf page of the users bucket that is neither its
// first nor its last leaf (so only a full read reaches it).
func leafInUse(t *testing.T, path string) (page, pageSize int) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		pageSize = db.Info().PageSize
		var leaves []int
		for id := 2; ; id++ {
			info, err := tx.Page(id)
			if err != nil || info == nil {
				break
			}
			if info.Type == "leaf" && info.Count > 10 {
				leaves = append(leaves, id)
			}
		}
		if len(leaves) < 3 {
			return errors.New("too few leaves")
		}
		page = leaves[len(leaves)/2]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return page, pageSize
}

// TestWriterRefusesDamage checks that a writable open refuses a file with a
// damaged page that the reads of a write would not reach, so that no write
// commits into a file where a full read fails; and that the file is left
// as it was.
func TestWriterRefusesDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	seedUsers(t, path, 2000)
	page, ps := leafInUse(t, path)
	data, _ := os.ReadFile(path)
	for name, edit := range map[string]func([]byte){
		"zeroed": func(p []byte) { clear(p) },
		"flipped": func(p []byte) {
			for i := range p {
				p[i] ^= 0xff
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "auth.db")
			d := bytes.Clone(data)
			edit(d[page*ps : (page+1)*ps])
			if err := os.WriteFile(p, d, 0o600); err != nil {
				t.Fatal(err)
			}
			// A reader opens it, and a full read reports the damage.
			r, err := Open(p, store.OpenOptions{ReadOnly: true})
			if err != nil {
				t.Fatalf("read-only Open: %v", err)
			}
			err = r.View(context.Background(), func(rd store.Reader) error {
				return rd.Users("", func(store.User) error { return nil })
			})
			r.Close()
			if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), p) {
				t.Errorf("Users over a damaged page: %v, want ErrCorrupt naming the file", err)
			}
			// A writer is refused at open.
			_, err = Open(p, store.OpenOptions{Create: true})
			if !errors.Is(err, store.ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("page %d", page)) {
				t.Errorf("writable Open: %v, want ErrCorrupt naming page %d", err, page)
			}
			if after, _ := os.ReadFile(p); !bytes.Equal(after, d) {
				t.Error("the damaged file was changed")
			}
		})
	}
}

// TestUpdateAfterDamageRollsBack checks that an Update whose fn met damage
// commits nothing, even if fn ignores the error.
func TestUpdateAfterDamageRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	s, err := Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	err = s.Update(ctx, func(w store.Writer) error {
		// A record that does not decode, written behind the store's back.
		return w.(*txn).tx.Bucket(bucketUsers).Put([]byte("bad"), []byte("{not json"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(w store.Writer) error {
		_, _ = w.User("bad") // damage, ignored by fn
		return w.PutUser(store.User{Username: "new"})
	})
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("Update that met damage: %v, want ErrCorrupt", err)
	}
	err = s.View(ctx, func(r store.Reader) error {
		_, err := r.User("new")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the write of an Update that met damage was committed: %v", err)
	}
}

// BenchmarkCheckPages measures what a writable open adds to check every
// page header, against bbolt's full Tx.Check, on a database of 100,000
// users.
func BenchmarkCheckPages(b *testing.B) {
	path := filepath.Join(b.TempDir(), "auth.db")
	seedUsers(b, path, 100_000)
	st, err := Open(path, store.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s := st.(*boltStore)
	b.Run("checkPages", func(b *testing.B) {
		for b.Loop() {
			if err := s.view(s.checkPages); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("TxCheck", func(b *testing.B) {
		for b.Loop() {
			s.view(func(tx *bbolt.Tx) error {
				for err := range tx.Check() {
					b.Fatal(err)
				}
				return nil
			})
		}
	})
	b.Run("OpenWritable", func(b *testing.B) {
		st.Close()
		for b.Loop() {
			s, err := Open(path, store.OpenOptions{})
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
}
