package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"authctl/internal/store"
)

// compactShape is a database written like the scale data set of bench/:
// users in stages, each user in two of the groups, so that every stage
// adds members to every group's index bucket and rewrites its pages.
const (
	compactUsers  = 3000
	compactGroups = 30
	compactStages = 10
)

func compactUser(i int) store.User {
	u := sizeUser(fmt.Sprintf("user%07d", i), i)
	u.Groups = []string{fmt.Sprintf("group%03d", i%compactGroups), fmt.Sprintf("group%03d", (i*7+1)%compactGroups)}
	slices.Sort(u.Groups)
	u.Groups = slices.Compact(u.Groups)
	u.Permissions = []string{fmt.Sprintf("app.perm_%02d", i%11)}
	u.IsSuperuser = i%100 == 0
	return u
}

// writeCompactShape writes the data set at path, as one staged write when
// staged, else in one transaction per stage, with an audit record per user.
func writeCompactShape(t *testing.T, path string, staged bool) {
	t.Helper()
	st, err := Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	prev := "0000000000000000000000000000000000000000000000000000000000000000"
	batch := func(lo int) func(store.Writer) error {
		return func(w store.Writer) error {
			for i := lo; i < lo+compactUsers/compactStages; i++ {
				u := compactUser(i)
				if err := w.PutUser(u); err != nil {
					return err
				}
				if _, err := w.AppendAudit(sizeAudit(&prev, u.Username, i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	ctx := context.Background()
	if staged {
		err = st.(store.Stager).UpdateStaged(ctx, func(stage func(func(store.Writer) error) error) error {
			for lo := 0; lo < compactUsers; lo += compactUsers / compactStages {
				if err := stage(batch(lo)); err != nil {
					return err
				}
			}
			return nil
		})
	} else {
		for lo := 0; err == nil && lo < compactUsers; lo += compactUsers / compactStages {
			err = st.Update(ctx, batch(lo))
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// dumpDB lists every bucket (with its sequence) and pair of the file at
// path, in order, nested buckets included.
func dumpDB(t *testing.T, path string) []string {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	var walk func(prefix string, b *bbolt.Bucket)
	walk = func(prefix string, b *bbolt.Bucket) {
		out = append(out, fmt.Sprintf("bucket %q seq %d", prefix, b.Sequence()))
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v == nil {
				if nb := b.Bucket(k); nb != nil {
					walk(prefix+"/"+string(k), nb)
					continue
				}
			}
			out = append(out, fmt.Sprintf("%s %q=%x", prefix, k, v))
		}
	}
	if err := db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			walk(string(name), b)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// layout is how a file's pages are used.
type layout struct {
	size, hwm         int64 // bytes: the file's, and its pages in use or free
	free              int   // free pages
	groupLeaves       int   // leaf pages of the nested buckets of idx_groups
	groupIndexBytes   int   // bytes of those leaves in use
	usersLeaves       int
	usersLeafInuse    int
	groupsOverMinimum int // index buckets with more leaves than their entries need
	pageSize          int // the file's page size
}

func layoutOf(t *testing.T, path string) layout {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{FreelistType: bbolt.FreelistMapType, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := layout{size: fi.Size(), free: db.Stats().FreePageN + db.Stats().PendingPageN}
	ps := db.Info().PageSize
	l.pageSize = ps
	err = db.View(func(tx *bbolt.Tx) error {
		l.hwm = tx.Size()
		us := tx.Bucket(bucketUsers).Stats()
		l.usersLeaves, l.usersLeafInuse = us.LeafPageN, us.LeafInuse
		return tx.Bucket(bucketIdxGroups).ForEachBucket(func(k []byte) error {
			s := tx.Bucket(bucketIdxGroups).Bucket(k).Stats()
			l.groupLeaves += s.LeafPageN
			l.groupIndexBytes += s.LeafInuse
			// The fewest leaves that hold the bucket's entries at
			// fillCompact.
			if need := (s.LeafInuse + int(float64(ps)*fillCompact) - 1) / int(float64(ps)*fillCompact); s.LeafPageN > need {
				l.groupsOverMinimum++
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A staged write whose stages left many free pages (here every group's
// index bucket rewritten by each stage, as in bench/'s scale data set) is
// published compacted: the same buckets, sequences, keys and values, no
// free page, no slack at the end of the file, every nested index bucket in
// as few leaves as its entries need. The same writes as ordinary
// transactions leave the free pages, fuller leaves and bbolt's room at the
// end of the file.
func TestStagedWriteIsCompacted(t *testing.T) {
	dir := t.TempDir()
	plain, staged := filepath.Join(dir, "plain.db"), filepath.Join(dir, "staged.db")
	writeCompactShape(t, plain, false)
	writeCompactShape(t, staged, true)
	if a, b := dumpDB(t, plain), dumpDB(t, staged); !slices.Equal(a, b) {
		t.Fatalf("the staged file holds other contents than the plain one (%d lines against %d)", len(b), len(a))
	}
	p, s := layoutOf(t, plain), layoutOf(t, staged)
	t.Logf("plain:  %+v", p)
	t.Logf("staged: %+v", s)
	if p.free*compactFreeShare < int(p.hwm/int64(p.pageSize)) {
		t.Fatalf("the plain writes left %d free pages of %d: the test's data set no longer needs compacting", p.free, p.hwm/int64(p.pageSize))
	}
	// Only the pages of the compaction's own last commit (the old
	// freelist and root) are free.
	if s.free > 2 || s.size != s.hwm {
		t.Errorf("compacted file: %d free pages, %d bytes for %d in pages; want at most 2 free and no slack", s.free, s.size, s.hwm)
	}
	if s.groupsOverMinimum != 0 {
		t.Errorf("compacted file: %d group index buckets have more leaves than their entries need", s.groupsOverMinimum)
	}
	if s.groupLeaves > p.groupLeaves || s.usersLeaves >= p.usersLeaves || s.hwm*100 > p.hwm*85 {
		t.Errorf("compacted file: %d bytes, %d group index leaves, %d user leaves; plain: %d, %d, %d",
			s.size, s.groupLeaves, s.usersLeaves, p.size, p.groupLeaves, p.usersLeaves)
	}
	if fill := float64(s.usersLeafInuse) / float64(s.usersLeaves*s.pageSize); fill < 0.90 {
		t.Errorf("compacted users leaves are %.2f full, want at least 0.90", fill)
	}
	if left := stageFilesIn(t, dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func stageFilesIn(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// compactFile copies in rounds, each its own transaction, resuming inside
// nested buckets; the rounds change neither the contents nor the layout.
func TestCompactInRounds(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	writeCompactShape(t, src, false)
	one, err := compactFile(context.Background(), src, src)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int) { compactTxBytes = n }(compactTxBytes)
	compactTxBytes = 5000
	many, err := compactFile(context.Background(), src, src)
	if err != nil {
		t.Fatal(err)
	}
	want := dumpDB(t, src)
	for _, f := range []string{one, many} {
		if got := dumpDB(t, f); !slices.Equal(got, want) {
			t.Fatalf("%s: contents differ from the source (%d lines against %d)", f, len(got), len(want))
		}
	}
	a, b := layoutOf(t, one), layoutOf(t, many)
	// Each round's commit rewrites the last page of the buckets being
	// filled: a few free pages, nothing more.
	if b.groupLeaves != a.groupLeaves || b.usersLeaves != a.usersLeaves || b.hwm > a.hwm+int64(b.free+4)*int64(b.pageSize) {
		t.Errorf("in rounds: %+v; in one: %+v", b, a)
	}
}

// A staged write that freed few pages is published as it is, cut to the
// end of its last page.
func TestStagedWriteWithFewFreePagesIsCut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.db")
	st, err := Open(path, store.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	err = st.(store.Stager).UpdateStaged(context.Background(), func(stage func(func(store.Writer) error) error) error {
		for s := range 3 {
			if err := stage(func(w store.Writer) error {
				for i := range 2000 {
					if err := w.PutUser(sizeUser(fmt.Sprintf("u%d-%05d", s, i), i)); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	l := layoutOf(t, path)
	t.Logf("%+v", l)
	if l.size != l.hwm || l.free == 0 || l.free*compactFreeShare >= int(l.hwm/int64(l.pageSize)) {
		t.Errorf("%d bytes for %d in pages, %d free pages; want no slack, and a few free pages (not compacted)", l.size, l.hwm, l.free)
	}
	st, err = Open(path, store.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(context.Background(), func(w store.Writer) error { return w.PutUser(sizeUser("z", 1)) }); err != nil {
		t.Fatalf("a write after the cut: %v", err)
	}
}

// A compaction that fails (no room for the compact copy, or anything else
// but damage or an interruption) publishes the staged copy as it is: it
// only saves space. One that finds the copy damaged fails the write, which
// leaves the database as it was. None leaves a file behind.
func TestStagedCompactionFailure(t *testing.T) {
	for _, c := range []struct {
		name      string
		err       error
		published bool
	}{
		{"no room", fmt.Errorf("compact: %w", syscall.ENOSPC), true},
		{"another failure", errors.New("file name too long"), true},
		{"damage", fmt.Errorf("compact: %w", store.ErrCorrupt), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			called := false
			defer func(f func(context.Context, string, string) (string, error)) { compactCopy = f }(compactCopy)
			compactCopy = func(ctx context.Context, src, db string) (string, error) {
				called = true
				name, err := compactFile(ctx, src, db)
				if err == nil {
					err = os.Remove(name)
				}
				if err != nil {
					t.Fatal(err)
				}
				return name, c.err
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "auth.db")
			st, err := Open(path, store.OpenOptions{Create: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Update(context.Background(), func(w store.Writer) error { return w.PutUser(sizeUser("before", 1)) }); err != nil {
				t.Fatal(err)
			}
			st.Close()
			st, err = Open(path, store.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = st.(store.Stager).UpdateStaged(context.Background(), func(stage func(func(store.Writer) error) error) error {
				for lo := 0; lo < compactUsers; lo += compactUsers / compactStages {
					if err := stage(func(w store.Writer) error {
						for i := lo; i < lo+compactUsers/compactStages; i++ {
							if err := w.PutUser(compactUser(i)); err != nil {
								return err
							}
						}
						return nil
					}); err != nil {
						return err
					}
				}
				return nil
			})
			if !called {
				t.Fatal("the staged write was not compacted: the test's data set no longer needs compacting")
			}
			if c.published != (err == nil) {
				t.Fatalf("staged write: %v; want published %v", err, c.published)
			}
			if !c.published && !errors.Is(err, store.ErrCorrupt) {
				t.Errorf("staged write: %v; want ErrCorrupt", err)
			}
			users := 0
			if err := st.View(context.Background(), func(r store.Reader) error {
				return r.Users("", func(store.User) error { users++; return nil })
			}); err != nil {
				t.Fatal(err)
			}
			st.Close()
			if want := map[bool]int{true: compactUsers + 1, false: 1}[c.published]; users != want {
				t.Errorf("%d users after the write, want %d", users, want)
			}
			if left := stageFilesIn(t, dir); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
			if c.published {
				if l := layoutOf(t, path); l.free*compactFreeShare < int(l.hwm/int64(l.pageSize)) || l.size != l.hwm {
					t.Errorf("published copy: %+v; want its free pages, cut to its last page", l)
				}
			}
		})
	}
}

// The compact file is named after the database, not after its staged
// copy, so a database whose name leaves room for a stage file's suffix
// leaves room for the compact file's too.
func TestStagedWriteLongNameCompacted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, strings.Repeat("n", 225)+".db")
	writeCompactShape(t, path, true)
	if l := layoutOf(t, path); l.free > 2 || l.size != l.hwm {
		t.Errorf("%+v: want the file compacted", l)
	}
	if left := stageFilesIn(t, dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
