package storetest

import (
	"fmt"
	"testing"

	"authctl/internal/store"
)

// RunBenchmarks runs the common benchmarks as sub-benchmarks of b.
func RunBenchmarks(b *testing.B, newOpener NewOpener) {
	b.Run("OpenReadOneUser", func(b *testing.B) { benchOpenReadOneUser(b, newOpener) })
	b.Run("ViewUser", func(b *testing.B) { benchViewUser(b, newOpener) })
	b.Run("IterateUsers", func(b *testing.B) { benchIterateUsers(b, newOpener) })
	b.Run("UpdatePutUser", func(b *testing.B) { benchUpdatePutUser(b, newOpener) })
}

// BenchUsers and BenchGroups are the sizes of the database Seed makes.
const (
	BenchUsers  = 1000
	BenchGroups = 20
)

// BenchUserName is the name of a user that Seed stores.
var BenchUserName = benchUser(BenchUsers / 2)

func benchUser(i int) string { return fmt.Sprintf("user%05d", i) }

// Seed fills s with BenchUsers users, each in three of BenchGroups groups,
// for benchmarks of realistic lookups.
func Seed(tb testing.TB, s store.Store) {
	tb.Helper()
	update(tb, s, func(w store.Writer) error {
		for i := range BenchGroups {
			g := fullGroup(fmt.Sprintf("group%02d", i))
			for j := range 10 {
				g.Permissions = append(g.Permissions, fmt.Sprintf("app%d.perm%d", i, j))
			}
			if err := w.PutGroup(g); err != nil {
				return err
			}
		}
		for i := range BenchUsers {
			u := fullUser(benchUser(i))
			u.Groups = []string{
				fmt.Sprintf("group%02d", i%BenchGroups),
				fmt.Sprintf("group%02d", (i+1)%BenchGroups),
				fmt.Sprintf("group%02d", (i+2)%BenchGroups),
			}
			if err := w.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
}

func seeded(b *testing.B, newOpener NewOpener) Opener {
	o, s := create(b, newOpener)
	Seed(b, s)
	closeStore(b, s)
	return o
}

// benchOpenReadOneUser is what a short-lived read-only command does.
func benchOpenReadOneUser(b *testing.B, newOpener NewOpener) {
	o := seeded(b, newOpener)
	b.ReportAllocs()
	for b.Loop() {
		s, err := o(store.OpenOptions{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		err = s.View(ctx, func(r store.Reader) error {
			_, err := r.User(BenchUserName)
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

func benchViewUser(b *testing.B, newOpener NewOpener) {
	o := seeded(b, newOpener)
	s := open(b, o, store.OpenOptions{ReadOnly: true})
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(ctx, func(r store.Reader) error {
			u, err := r.User(BenchUserName)
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
	}
}

func benchIterateUsers(b *testing.B, newOpener NewOpener) {
	o := seeded(b, newOpener)
	s := open(b, o, store.OpenOptions{ReadOnly: true})
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := s.View(ctx, func(r store.Reader) error {
			return r.Users("", func(store.User) error { n++; return nil })
		})
		if err != nil || n != BenchUsers {
			b.Fatal(n, err)
		}
	}
}

func benchUpdatePutUser(b *testing.B, newOpener NewOpener) {
	o := seeded(b, newOpener)
	s := open(b, o, store.OpenOptions{})
	u := fullUser(BenchUserName)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Update(ctx, func(w store.Writer) error { return w.PutUser(u) }); err != nil {
			b.Fatal(err)
		}
	}
}
